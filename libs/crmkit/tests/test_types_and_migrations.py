"""Shared column types, and the kit tables every service's migrations must create."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from crmkit import migrations
from crmkit.db import make_engine
from crmkit.types import UtcDateTime


def test_utc_datetime_reads_back_aware_utc_and_refuses_naive_values() -> None:
    table = sa.Table("moments", sa.MetaData(), sa.Column("at", UtcDateTime()))
    engine = make_engine("sqlite://")
    table.metadata.create_all(engine)
    plus_two = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as connection:
        connection.execute(table.insert().values(at=plus_two))
        assert connection.execute(sa.select(table.c.at)).scalar_one() == datetime(
            2026, 3, 1, 10, 0, tzinfo=UTC
        )
        with pytest.raises(sa.exc.StatementError):
            connection.execute(table.insert().values(at=datetime(2026, 3, 1, 12, 0)))


def test_the_migration_helper_knows_every_kit_table() -> None:
    assert {"outbox", "inbox", "idempotency_keys"} <= set(migrations.kit_metadata.tables)
