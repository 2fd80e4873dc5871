"""Meeting rooms: who may enter which room when, and the live engine's backend for them."""
