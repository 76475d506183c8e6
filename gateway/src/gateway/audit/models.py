"""One row per audited happening; the integer id orders the log (newest has the highest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crmkit.types import UtcDateTime, utcnow
from gateway.db import Base

# What the log records (`action`); the outcome says how it ended.
LOGIN_SUCCEEDED = "auth.login_succeeded"
LOGIN_FAILED = "auth.login_failed"
ACCOUNT_LOCKED = "auth.account_locked"
API_KEY_USED = "auth.api_key_used"
API_KEY_REFUSED = "auth.api_key_refused"
REQUEST_DENIED = "access.denied"
USER_CREATED = "admin.user_created"
USER_UPDATED = "admin.user_updated"
PASSWORD_SET = "admin.password_set"
TEAM_CREATED = "admin.team_created"
TEAM_UPDATED = "admin.team_updated"
TEAM_DELETED = "admin.team_deleted"
API_KEY_CREATED = "admin.api_key_created"
API_KEY_UPDATED = "admin.api_key_updated"
API_KEY_REVOKED = "admin.api_key_revoked"
API_KEY_ROTATED = "admin.api_key_rotated"
ACTIONS = (
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    ACCOUNT_LOCKED,
    API_KEY_USED,
    API_KEY_REFUSED,
    REQUEST_DENIED,
    USER_CREATED,
    USER_UPDATED,
    PASSWORD_SET,
    TEAM_CREATED,
    TEAM_UPDATED,
    TEAM_DELETED,
    API_KEY_CREATED,
    API_KEY_UPDATED,
    API_KEY_REVOKED,
    API_KEY_ROTATED,
)
OUTCOMES = ("success", "failure", "denied")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    actor_name: Mapped[str | None] = mapped_column(sa.String(150))
    actor_kind: Mapped[str | None] = mapped_column(sa.String(20))
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    method: Mapped[str | None] = mapped_column(sa.String(10))
    path: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[int | None] = mapped_column(sa.Integer)
    client_ip: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
