"""The customer service's app factory."""

from __future__ import annotations

from flask import Flask

import crmkit
from customer.accounts.views import blp as accounts
from customer.contacts.views import blp as contacts
from customer.custom_fields.views import blp as custom_fields
from customer.insights.views import blp as insights
from customer.interactions.views import blp as interactions

SERVICE = "customer"
DESCRIPTION = (
    "Accounts (companies) with search, duplicate checks and merges; their contacts; the shared interaction "
    "timeline (fed by the other services' events too); the customer 360 view; and the custom fields "
    "administrators define for accounts."
)


def load_settings() -> crmkit.ServiceSettings:
    """Read this service's settings from the environment."""
    return crmkit.ServiceSettings.from_env(SERVICE)


def create_app(settings: crmkit.ServiceSettings | None = None) -> Flask:
    """Build the customer service's WSGI app (settings from the environment unless given)."""
    return crmkit.create_service_app(
        settings or load_settings(),
        title="CRM customer service",
        description=DESCRIPTION,
        blueprints=[accounts, contacts, interactions, custom_fields, insights],
    )
