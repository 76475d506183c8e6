"""Weighted pipeline forecast, quotas with attainment, and immutable weekly snapshots."""
