"""The migrations build the schema the models describe, on SQLite and on PostgreSQL, and go down again."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crmkit import migrations
from crmkit.db import kit_metadata, make_engine
from projects.cli import MIGRATIONS_DIR
from projects.db import Base
from projects.models import import_all

import_all()
METADATA = [Base.metadata, kit_metadata]


def differences(url: str) -> list[object]:
    """Upgrade the database at `url` to head, then list what Alembic would still change."""
    migrations.upgrade(MIGRATIONS_DIR, url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, METADATA))
    finally:
        engine.dispose()


def test_migrations_on_sqlite_match_the_models(tmp_path: Path) -> None:
    assert differences(f"sqlite:///{tmp_path / 'projects.db'}") == []


def test_migrations_go_down_and_up_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'projects.db'}"
    migrations.upgrade(MIGRATIONS_DIR, url)
    command.downgrade(migrations.alembic_config(MIGRATIONS_DIR, url), "base")
    engine = make_engine(url)
    try:
        assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    finally:
        engine.dispose()
    assert differences(url) == []


@pytest.mark.postgres
def test_migrations_on_postgresql_match_the_models(postgres_url: str) -> None:
    assert differences(postgres_url) == []
