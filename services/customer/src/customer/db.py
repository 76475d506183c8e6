"""The customer service's declarative base, id and clock helpers, and the per-request unit of work."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from crmkit.types import UtcDateTime

# Named constraints let Alembic alter SQLite tables (batch mode) and keep names equal on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Normalised keys compare byte by byte on both backends: prefix ranges (`>= p AND < p + max`) and
# equality must not depend on a locale's collation, which may ignore spaces or punctuation.
SearchKey = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
ID_LENGTH = 32


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}


def new_id() -> str:
    """Mint an opaque entity id."""
    return uuid.uuid4().hex
