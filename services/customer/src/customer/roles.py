"""Who may do what. Reading needs any valid token; admin passes every check (crmkit.require_roles)."""

from __future__ import annotations

# Create and change accounts, contacts and interactions.
EDITORS = (
    "sales_rep",
    "sales_manager",
    "service_agent",
    "service_manager",
    "marketing",
    "management",
    "project_manager",
    "delivery_member",
)
# Delete and merge accounts (and delete contacts).
MANAGERS = ("sales_manager", "service_manager", "management")
# Define custom fields.
ADMINS = ("admin",)
