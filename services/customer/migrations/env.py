"""Alembic environment of the customer service: its tables plus the kit's (outbox, inbox, idempotency)."""

from alembic import context

from crmkit.migrations import run_migrations
from customer.accounts import models as _accounts  # noqa: F401  (registers the tables on Base.metadata)
from customer.app import load_settings
from customer.contacts import models as _contacts  # noqa: F401
from customer.custom_fields import models as _custom_fields  # noqa: F401
from customer.db import Base
from customer.interactions import models as _interactions  # noqa: F401

if not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", load_settings().database_url.replace("%", "%%"))

run_migrations(Base.metadata)
