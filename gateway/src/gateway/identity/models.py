"""Users, their roles and their refresh tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crmkit import VersionedMixin
from crmkit.types import UtcDateTime, utcnow
from gateway.db import Base, new_id
from gateway.identity.errors import InvalidUsername, UnknownRole, WeakPassword

ADMIN = "admin"
# Roles per department (DESIGN §4). Services decide what each role may do with their records.
ROLES = (
    "sales_rep",
    "sales_manager",
    "service_agent",
    "service_manager",
    "project_manager",
    "delivery_member",
    "marketing",
    "management",
    ADMIN,
)
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,149}$")
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024


def normalize_username(raw: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    username = raw.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidUsername(
            "A username is 1-150 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.",
            errors=[{"field": "username", "message": "invalid username"}],
        )
    return username


def normalize_roles(roles: Iterable[str]) -> list[str]:
    """Check every role is known; answer them sorted and without duplicates."""
    wanted = sorted(set(roles))
    unknown = [role for role in wanted if role not in ROLES]
    if unknown or not wanted:
        message = f"unknown role {', '.join(unknown)}" if unknown else "at least one role is needed"
        raise UnknownRole(
            f"Roles must be among: {', '.join(ROLES)}.", errors=[{"field": "roles", "message": message}]
        )
    return wanted


def check_password_policy(password: str) -> None:
    """Refuse a password shorter than the minimum (or absurdly long)."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise WeakPassword(
            f"A password needs {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            errors=[{"field": "password", "message": f"at least {PASSWORD_MIN_LENGTH} characters"}],
        )


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class User(VersionedMixin, Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    team: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Failed sign-ins in a row, and until when the account refuses sign-ins (lockout; shared by replicas).
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def set_roles(self, roles: Iterable[str]) -> None:
        """Replace the roles, keeping the rows of roles the user keeps."""
        kept = {row.role: row for row in self.role_rows}
        self.role_rows = [kept.get(role) or UserRole(role=role) for role in normalize_roles(roles)]

    def touch(self) -> None:
        """Mark a change (also bumps `version`, even when only the roles changed)."""
        self.updated_at = utcnow()


class Team(VersionedMixin, Base):
    """A team users belong to (the token's `team`); services apply record-level rules per team."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def touch(self) -> None:
        self.updated_at = utcnow()


class RefreshToken(Base):
    """An opaque refresh token, stored as its SHA-256; single use, one family per login."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    family_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    user: Mapped[User] = relationship(lazy="joined")

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
