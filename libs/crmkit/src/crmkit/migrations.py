"""Alembic glue shared by every service: env.py calls run_migrations(); the CLI calls upgrade()."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config

# Every module that defines a kit table, so kit_metadata is complete whatever the service imported.
from crmkit import idempotency as _idempotency  # noqa: F401
from crmkit.db import kit_metadata, make_engine
from crmkit.events import inbox as _inbox  # noqa: F401
from crmkit.events import outbox as _outbox  # noqa: F401


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` to `revision` (creates the SQLite file's folder)."""
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def run_migrations(service_metadata: sa.MetaData) -> None:
    """The body of a service's migrations/env.py: its own tables plus the kit's (outbox, inbox, keys)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=[service_metadata, kit_metadata],
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
