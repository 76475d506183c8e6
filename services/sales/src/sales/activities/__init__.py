"""Sales feature: activities."""
