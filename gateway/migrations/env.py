"""Alembic environment: the gateway's tables plus the kit's (idempotency keys)."""

from alembic import context

from crmkit import idempotency  # noqa: F401  (registers the kit's idempotency_keys table)
from crmkit.migrations import run_migrations
from gateway.db import load_models, metadata
from gateway.settings import GatewaySettings

if not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option(
        "sqlalchemy.url", GatewaySettings.from_env().database_url.replace("%", "%%")
    )
load_models()
run_migrations(metadata)
