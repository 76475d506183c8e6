"""Alembic environment of the service desk: its tables plus the kit's (outbox, inbox, idempotency)."""

from alembic import context

from crmkit.migrations import run_migrations
from service_desk.app import load_settings
from service_desk.calendars import models as _calendars  # noqa: F401  (registers the tables on Base.metadata)
from service_desk.customers import models as _customers  # noqa: F401
from service_desk.db import Base
from service_desk.kb import models as _kb  # noqa: F401
from service_desk.mail import models as _mail  # noqa: F401
from service_desk.sla import models as _sla  # noqa: F401
from service_desk.surveys import models as _surveys  # noqa: F401
from service_desk.tickets import models as _tickets  # noqa: F401

if not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", load_settings().database_url.replace("%", "%%"))

run_migrations(Base.metadata)
