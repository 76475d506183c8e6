"""Migration 0003 (event log, webhooks, inbox, outbox) up and down on SQLite and PostgreSQL; the tables
match the models (no drift)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crmkit.db import kit_metadata
from crmkit.migrations import alembic_config, upgrade
from gateway.db import MIGRATIONS_DIR, load_models, metadata

TABLES = {"event_log", "event_log_markers", "webhooks", "webhook_deliveries", "inbox", "outbox"}


def check_round_trip(url: str) -> None:
    upgrade(MIGRATIONS_DIR, url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) >= TABLES
            load_models()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = [
                change for change in compare_metadata(context, [metadata, kit_metadata]) if _ours(change)
            ]
        assert drift == []
        command.downgrade(alembic_config(MIGRATIONS_DIR, url), "0002")
        with engine.connect() as connection:
            assert not TABLES & set(sa.inspect(connection).get_table_names())
        upgrade(MIGRATIONS_DIR, url)
    finally:
        engine.dispose()


def _ours(change: object) -> bool:
    """Differences touching this migration's tables (other parts of the schema have their own tests)."""
    text = repr(change)
    return any(f"'{table}'" in text or f"name='{table}'" in text for table in TABLES)


def test_round_trip_on_sqlite(tmp_path):
    check_round_trip(f"sqlite:///{tmp_path / 'gateway.db'}")


@pytest.mark.postgres
def test_round_trip_on_postgresql(postgres_url):
    check_round_trip(postgres_url)
