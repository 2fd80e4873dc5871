"""Scheduling domain code: recurring meeting times and calendar (ICS) files, free of I/O."""
