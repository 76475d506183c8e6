"""Pytest plugin and helpers for testing services built on crmkit."""
