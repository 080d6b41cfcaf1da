"""Stage "load": the spec language, from YAML to typed objects."""
