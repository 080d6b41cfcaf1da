"""Stage "validate": check written units against contracts, policy and tests."""
