"""Accounts: the companies the CRM knows, their search, duplicate checks, merges and deletion."""
