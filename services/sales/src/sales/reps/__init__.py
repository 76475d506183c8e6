"""Sales feature: reps."""
