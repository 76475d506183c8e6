"""Optimistic concurrency: an entity version, ETags derived from it, and If-Match checks."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crmkit.errors import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


class VersionedMixin:
    """Adds `version`, bumped by SQLAlchemy on every UPDATE; a lost race raises StaleDataError (409)."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def etag_for(version: int) -> str:
    return f'"{version}"'


def expected_version() -> int:
    """The version the client's If-Match names: missing is 428, unreadable is 412."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so a concurrent change is never overwritten.",
            code="precondition_required",
        )
    match = _ETAG.match(header.strip())
    if not match:
        raise PreconditionFailed("If-Match does not name a version of this resource.")
    return int(match.group(1))


def check_version(current: int, expected: int) -> None:
    """Refuse a write based on a version that is no longer current (412)."""
    if current != expected:
        raise PreconditionFailed(
            f"The resource changed since you read it (now version {current}); read it again.",
            code="stale_version",
            current_version=current,
        )
