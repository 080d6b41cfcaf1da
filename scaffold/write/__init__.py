"""Stage "write": turn contracts into modules."""
