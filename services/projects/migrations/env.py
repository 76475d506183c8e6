"""Alembic environment of the projects service: its tables plus the kit's (outbox, inbox, idempotency)."""

from alembic import context

from crmkit.migrations import run_migrations
from projects.app import load_settings
from projects.db import Base
from projects.models import import_all

import_all()  # registers every feature's tables on Base.metadata
if not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", load_settings().database_url.replace("%", "%%"))

run_migrations(Base.metadata)
