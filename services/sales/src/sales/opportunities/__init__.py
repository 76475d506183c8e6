"""Sales feature: opportunities."""
