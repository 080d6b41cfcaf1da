"""Stage "plan": the architecture lint, lineage-based invalidation and the contracts."""
