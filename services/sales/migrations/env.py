"""Alembic environment of the sales service: its tables plus the kit's (outbox, inbox, idempotency)."""

from alembic import context

from crmkit.migrations import run_migrations
from sales.app import load_settings
from sales.db import Base
from sales.models import import_all

import_all()  # registers every feature's tables on Base.metadata

if not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", load_settings().database_url.replace("%", "%%"))

run_migrations(Base.metadata)
