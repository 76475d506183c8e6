"""Who may do what. Reading needs any valid token; admin passes every check (crmkit.require_roles)."""

from __future__ import annotations

# Work tickets: create, reply, note, change state, log time, log phone calls.
AGENTS = ("service_agent", "service_manager")
# Configure the desk: groups, mailboxes, canned responses, SLA policies, calendars, escalation rules.
MANAGERS = ("service_manager",)
# Read reports.
REPORT_READERS = ("service_agent", "service_manager", "management")
# Open tickets from the API / a web form on behalf of a customer (any internal user may).
REQUESTERS = (
    "service_agent",
    "service_manager",
    "sales_rep",
    "sales_manager",
    "marketing",
    "management",
    "project_manager",
    "delivery_member",
)
