"""Aggregated views: one answer from several services (the account overview)."""
