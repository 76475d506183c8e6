"""Sales feature: leads."""
