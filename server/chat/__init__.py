"""Chat between the two members of a pairing: rules, storage and the live-engine backend."""
