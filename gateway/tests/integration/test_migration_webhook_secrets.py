"""Migration 0004 (webhook secret columns wide enough for `fernet:` tokens) up and down on SQLite and
PostgreSQL; a row written before it (a clear secret) comes through unchanged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet

from crmkit.migrations import alembic_config, upgrade
from gateway.db import MIGRATIONS_DIR
from gateway.integrations.secretbox import Keyring

INSERT = sa.text(
    "INSERT INTO webhooks (id, url, event_types, payload_filter, status, secret, previous_secret, owner_id,"
    " owner_kind, owner_roles, owner_scopes, created_at, updated_at, version) VALUES (:id, 'http://x.test/',"
    " '[\"#\"]', '{}', 'active', :secret, NULL, 'u1', 'user', '[\"admin\"]', '[]', CURRENT_TIMESTAMP,"
    " CURRENT_TIMESTAMP, 1)"
)


def secret_lengths(engine: sa.Engine) -> dict[str, int | None]:
    columns = sa.inspect(engine).get_columns("webhooks")
    return {c["name"]: c["type"].length for c in columns if c["name"] in ("secret", "previous_secret")}


def check(url: str, tmp_path) -> None:
    config = alembic_config(MIGRATIONS_DIR, url)
    upgrade(MIGRATIONS_DIR, url, "0003")
    engine = sa.create_engine(url)
    sealed = Keyring([Fernet.generate_key().decode()], tmp_path).encrypt("whsec_" + "x" * 43)
    try:
        with engine.begin() as connection:
            connection.execute(INSERT, {"id": "legacy", "secret": "whsec_clear"})
        upgrade(MIGRATIONS_DIR, url)
        assert secret_lengths(engine) == {"secret": 512, "previous_secret": 512}
        with engine.begin() as connection:
            connection.execute(INSERT, {"id": "sealed", "secret": sealed})
            rows = dict(connection.execute(sa.text("SELECT id, secret FROM webhooks")).all())
        assert rows == {"legacy": "whsec_clear", "sealed": sealed}
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM webhooks WHERE id = 'sealed'"))
        command.downgrade(config, "0003")
        assert secret_lengths(engine) == {"secret": 128, "previous_secret": 128}
        upgrade(MIGRATIONS_DIR, url)
    finally:
        engine.dispose()


def test_up_and_down_on_sqlite(tmp_path):
    check(f"sqlite:///{tmp_path / 'gateway.db'}", tmp_path)


@pytest.mark.postgres
def test_up_and_down_on_postgresql(postgres_url, tmp_path):
    check(postgres_url, tmp_path)
