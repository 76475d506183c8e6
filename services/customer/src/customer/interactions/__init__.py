"""Interactions: the shared timeline of an account (calls, e-mails, meetings, visits, notes)."""
