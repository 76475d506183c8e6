"""Sales feature: accounts."""
