"""Contacts: the people at an account, their addresses, numbers and consents."""
