"""Migration 0002 on a database that already has users (SQLite and PostgreSQL): nothing is lost."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crmkit.migrations import upgrade
from gateway.db import MIGRATIONS_DIR


def upgrade_a_database_with_users(url: str) -> None:
    upgrade(MIGRATIONS_DIR, url, "0001")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (id, username, password_hash, team, active, created_at, updated_at, version) "
                "VALUES ('u1', 'rita', 'x', 'north', true, '2026-01-01', '2026-01-01', 1)"
            )
        )
        connection.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES ('u1', 'sales_rep')"))
    upgrade(MIGRATIONS_DIR, url, "0002")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT role FROM user_roles")).all() == [("sales_rep",)]
        row = connection.execute(sa.text("SELECT team, failed_logins, locked_until FROM users")).one()
        assert tuple(row) == ("north", 0, None)
        tables = set(sa.inspect(connection).get_table_names())
    assert {"teams", "api_keys", "audit_log", "rate_limit_counters"} <= tables
    upgrade(MIGRATIONS_DIR, url, "head")
    engine.dispose()


def test_upgrading_sqlite_keeps_users_and_their_roles(tmp_path):
    upgrade_a_database_with_users(f"sqlite:///{tmp_path / 'gateway.db'}")


@pytest.mark.postgres
def test_upgrading_postgresql_keeps_users_and_their_roles(postgres_url):
    upgrade_a_database_with_users(postgres_url)
