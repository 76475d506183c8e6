"""The gateway's tables: declarative base, naming convention, ids, the migrations folder."""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata


def new_id() -> str:
    return uuid.uuid4().hex


def load_models() -> None:
    """Import every model module so `metadata` knows all tables (Alembic's env.py calls this)."""
    import gateway.access.apikeys
    import gateway.audit.models
    import gateway.identity.models
    import gateway.integrations.models
    import gateway.ratelimit.models  # noqa: F401
