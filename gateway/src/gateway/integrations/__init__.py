"""Integrations: the retained event log and its replay feed, webhooks, and the gateway worker."""
