"""Identity use cases: sign in, refresh, and manage users. Each one commits once."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crmkit import Page, UnitOfWork, check_version, paginate, parse_sort
from crmkit.types import utcnow
from gateway.audit import models as audit
from gateway.audit.service import Actor, record
from gateway.db import new_id
from gateway.identity import teams
from gateway.identity.errors import (
    AccountDisabled,
    AccountLocked,
    InvalidCredentials,
    InvalidRefreshToken,
    LastAdmin,
    RefreshTokenReused,
    UsernameTaken,
    UserNotFound,
)
from gateway.identity.models import (
    ADMIN,
    RefreshToken,
    User,
    UserRole,
    check_password_policy,
    normalize_username,
)
from gateway.identity.passwords import Passwords
from gateway.identity.tokens import TokenIssuer, TokenPair, digest

USER_SORTS = {"username": User.username, "created_at": User.created_at}
WRONG_CREDENTIALS = "The username or password is wrong."


@dataclasses.dataclass(frozen=True)
class LockoutPolicy:
    """`max_failures` failed sign-ins in a row lock an account for `seconds` (0 failures: never lock)."""

    max_failures: int = 0
    seconds: int = 900


def issue_token(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    tokens: TokenIssuer,
    username: str,
    password: str,
    lockout: LockoutPolicy = LockoutPolicy(),
) -> TokenPair:
    """Check a username and password and grant a token pair; a wrong name or password look the same.

    Every attempt is audited; failures in a row count toward a lockout kept in the database (replicas share it).
    """
    name = username.strip().lower()
    user = _find(uow.session, name)
    now = tokens.now()
    if user is None:
        passwords.verify_dummy(password)
        _refuse(
            uow, Actor(None, name[:150], "anonymous"), "unknown_user", InvalidCredentials(WRONG_CREDENTIALS)
        )
    actor = Actor(user.id, user.username, "user")
    if user.locked_until is not None and user.locked_until > now:
        passwords.verify_dummy(password)
        _refuse(uow, actor, "locked", _locked_problem(user.locked_until, now))
    if not passwords.verify(user.password_hash, password):
        _count_failure(uow, user, actor, lockout, now)
    if not user.active:
        _refuse(uow, actor, "disabled", AccountDisabled("This account is disabled; ask an administrator."))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    if user.failed_logins or user.locked_until is not None:
        _set_lock(uow.session, user.id, failed_logins=0, locked_until=None)
    pair = _grant(uow.session, tokens, user, family_id=new_id())
    record(uow.session, audit.LOGIN_SUCCEEDED, actor=actor, target=("user", user.id))
    uow.commit()
    return pair


def _refuse(uow: UnitOfWork, actor: Actor, reason: str, problem: Exception) -> NoReturn:
    """Audit a refused sign-in (committed on its own) and answer `problem`."""
    status = getattr(problem, "status", 401)
    record(
        uow.session,
        audit.LOGIN_FAILED,
        outcome="failure",
        actor=actor,
        target=("user", actor.id),
        status=status,
        reason=reason,
    )
    uow.commit()
    raise problem


def _count_failure(
    uow: UnitOfWork, user: User, actor: Actor, lockout: LockoutPolicy, now: datetime
) -> NoReturn:
    """Add a failure (atomically: concurrent attempts on several replicas all count); lock at the limit."""
    uow.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    failures = int(uow.session.scalar(sa.select(User.failed_logins).where(User.id == user.id)) or 0)
    if lockout.max_failures and failures >= lockout.max_failures:
        until = now + timedelta(seconds=lockout.seconds)
        _set_lock(uow.session, user.id, failed_logins=0, locked_until=until)
        record(
            uow.session,
            audit.ACCOUNT_LOCKED,
            outcome="failure",
            status=401,
            actor=actor,
            target=("user", user.id),
            failures=failures,
            locked_until=until.isoformat(),
        )
        _refuse(uow, actor, "wrong_password", _locked_problem(until, now))
    _refuse(uow, actor, "wrong_password", InvalidCredentials(WRONG_CREDENTIALS))


def _locked_problem(until: datetime, now: datetime) -> AccountLocked:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return AccountLocked(
        "Too many failed sign-ins: this account is locked for a while; try again later.",
        headers={"Retry-After": str(seconds)},
        locked_until=until.isoformat(),
    )


def _set_lock(session: Session, user_id: str, **values: Any) -> None:
    """Write lockout state without bumping the user's version (it is not an edit of the user)."""
    session.execute(
        sa.update(User)
        .where(User.id == user_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def unlock(*, uow: UnitOfWork, user_id: str) -> User:
    """Lift a lockout now (admin)."""
    user = get_or_raise(uow=uow, user_id=user_id)
    _set_lock(uow.session, user.id, failed_logins=0, locked_until=None)
    record(uow.session, audit.USER_UPDATED, target=("user", user.id), unlocked=True)
    uow.commit()
    uow.session.refresh(user)
    return user


def refresh(*, uow: UnitOfWork, tokens: TokenIssuer, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair; presenting a used one again revokes its whole family."""
    now = tokens.now()
    stored = uow.session.scalar(
        sa.select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token))
    )
    if stored is None or not stored.is_live(now):
        raise InvalidRefreshToken("The refresh token is unknown, expired or revoked; sign in again.")
    if not _use(uow.session, stored.id, now):
        _revoke(uow.session, RefreshToken.family_id == stored.family_id, now)
        uow.commit()
        raise RefreshTokenReused(
            "This refresh token was already used; its sign-in is revoked, sign in again."
        )
    if not stored.user.active:
        raise AccountDisabled("This account is disabled; ask an administrator.")
    pair = _grant(uow.session, tokens, stored.user, family_id=stored.family_id)
    uow.commit()
    return pair


def create_user(*, uow: UnitOfWork, passwords: Passwords, data: Mapping[str, Any]) -> User:
    """Create a user with validated username and roles and an argon2id password hash."""
    username = normalize_username(data["username"])
    if _find(uow.session, username) is not None:
        raise UsernameTaken(f"The username {username!r} is taken.")
    check_password_policy(data["password"])
    user = User(
        username=username,
        password_hash=passwords.hash(data["password"]),
        team=teams.ensure(uow.session, data.get("team")),
        active=data.get("active", True),
    )
    user.set_roles(data["roles"])
    uow.session.add(user)
    uow.session.flush()
    record(
        uow.session,
        audit.USER_CREATED,
        target=("user", user.id),
        username=username,
        roles=user.roles,
        team=user.team,
        active=user.active,
    )
    try:
        uow.commit()
    except IntegrityError:
        raise UsernameTaken(f"The username {username!r} is taken.") from None
    return user


def get_or_raise(*, uow: UnitOfWork, user_id: str) -> User:
    """Load a user by id or answer 404."""
    user = uow.session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"There is no user {user_id!r}.")
    return user


def find_or_raise(*, uow: UnitOfWork, username: str) -> User:
    """Load a user by username or answer 404."""
    user = _find(uow.session, username.strip().lower())
    if user is None:
        raise UserNotFound(f"There is no user {username!r}.")
    return user


def list_(*, uow: UnitOfWork, query: Mapping[str, Any]) -> Page:
    """List users a page at a time, filtered by role, team and active flag."""
    stmt = sa.select(User)
    if query.get("role"):
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == query["role"])))
    if query.get("team") is not None:
        stmt = stmt.where(User.team == query["team"])
    if query.get("active") is not None:
        stmt = stmt.where(User.active.is_(query["active"]))
    sort = parse_sort(query.get("sort"), USER_SORTS, "username", User.id)
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def update_user(
    *, uow: UnitOfWork, passwords: Passwords, user_id: str, data: Mapping[str, Any], expected_version: int
) -> User:
    """Change a user's roles, team, active flag or password, based on the version the caller read."""
    user = get_or_raise(uow=uow, user_id=user_id)
    check_version(user.version, expected_version)
    was_admin = user.active and user.is_admin
    before = {"roles": user.roles, "team": user.team, "active": user.active}
    if "roles" in data:
        user.set_roles(data["roles"])
    if "team" in data:
        user.team = teams.ensure(uow.session, data["team"])
    if "active" in data:
        user.active = data["active"]
    if "password" in data:
        _change_password(uow.session, passwords, user, data["password"])
    user.touch()
    if was_admin and not (user.active and user.is_admin):
        _ensure_another_admin(uow.session, user.id)
    if not user.active:
        _revoke(uow.session, RefreshToken.user_id == user.id, utcnow())
    after = {"roles": user.roles, "team": user.team, "active": user.active}
    changes = {
        key: {"before": before[key], "after": after[key]} for key in after if before[key] != after[key]
    }
    record(
        uow.session,
        audit.USER_UPDATED,
        target=("user", user.id),
        changes=changes,
        password_changed=True if "password" in data else None,
    )
    uow.commit()
    return user


def set_password(*, uow: UnitOfWork, passwords: Passwords, username: str, password: str) -> User:
    """Replace a user's password and sign out their refresh tokens."""
    user = _find(uow.session, normalize_username(username))
    if user is None:
        raise UserNotFound(f"There is no user {username!r}.")
    _change_password(uow.session, passwords, user, password)
    user.touch()
    record(uow.session, audit.PASSWORD_SET, target=("user", user.id))
    uow.commit()
    return user


def ensure_first_admin(*, uow: UnitOfWork, passwords: Passwords, username: str, password: str) -> User | None:
    """Create the first admin unless an active admin exists; None when there was nothing to do."""
    if admin_exists(uow.session):
        return None
    data = {"username": username, "password": password, "roles": [ADMIN]}
    return create_user(uow=uow, passwords=passwords, data=data)


def admin_exists(session: Session) -> bool:
    """Say whether some active user holds the admin role."""
    return bool(session.scalar(sa.select(sa.exists(_active_admins()))))


def _active_admins() -> sa.Select[Any]:
    return sa.select(User.id).join(UserRole).where(UserRole.role == ADMIN, User.active.is_(True))


def _ensure_another_admin(session: Session, user_id: str) -> None:
    """Refuse a change that would leave nobody able to administer users."""
    others = session.scalars(_active_admins().where(User.id != user_id).with_for_update()).all()
    if not others:
        raise LastAdmin("This is the last active admin; make another admin first.")


def _find(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username))


def _change_password(session: Session, passwords: Passwords, user: User, password: str) -> None:
    check_password_policy(password)
    user.password_hash = passwords.hash(password)
    _revoke(session, RefreshToken.user_id == user.id, utcnow())


def _grant(session: Session, tokens: TokenIssuer, user: User, *, family_id: str) -> TokenPair:
    """Store a new refresh token for `user` and sign an access token to go with it."""
    now = tokens.now()
    session.execute(
        sa.delete(RefreshToken).where(RefreshToken.user_id == user.id, RefreshToken.expires_at <= now)
    )
    secret, token_hash, expires_at = tokens.refresh_secret()
    session.add(
        RefreshToken(
            user_id=user.id, token_hash=token_hash, family_id=family_id, created_at=now, expires_at=expires_at
        )
    )
    return TokenPair(
        access_token=tokens.access_token(user), expires_in=tokens.access_ttl, refresh_token=secret
    )


def _use(session: Session, token_id: str, now: datetime) -> bool:
    """Mark a refresh token used, unless another request did first (one conditional UPDATE)."""
    result = session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast(sa.CursorResult[Any], result).rowcount == 1


def _revoke(session: Session, condition: sa.ColumnElement[bool], now: datetime) -> None:
    session.execute(
        sa.update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
