"""Idempotency-Key on POST: a replayed key returns the first response and creates nothing new.

The key is claimed in its own small transaction before the use case runs; the use case's own commit marks
it committed (a commit hook, same transaction), and the response is stored after. So a retry after a crash
either re-runs a use case that never committed, or is told it already happened: never a second creation.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, overload

import sqlalchemy as sa
from flask import Response, current_app, g, make_response, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crmkit.db import Database, commit_hooks, kit_metadata
from crmkit.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
CLAIM_TIMEOUT = timedelta(minutes=2)
# How long a key is remembered (claimed, answered or replayed); older ones are deleted by the worker's
# `idempotency-keys-purge` job. A retry with a key older than this is a new request, as with Stripe's keys.
KEY_RETENTION = timedelta(hours=24)
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")

idempotency_keys = sa.Table(
    "idempotency_keys",
    kit_metadata,
    sa.Column("key", sa.String(MAX_KEY_LENGTH), primary_key=True),
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("committed_at", sa.DateTime(timezone=True)),
    sa.Column("status_code", sa.Integer),
    sa.Column("response_body", sa.Text),
    sa.Column("response_headers", sa.Text),
)


View = Callable[..., Any]


@overload
def idempotent(view: View) -> View: ...


@overload
def idempotent(*, replay: bool = True) -> Callable[[View], View]: ...


def idempotent(view: View | None = None, *, replay: bool = True) -> View | Callable[[View], View]:
    """Honour Idempotency-Key on a POST view (keys are scoped to the caller).

    `replay=False` is for answers that hold a secret shown once (an API key, a signing secret): the answer
    is not stored, so the secret never rests in the database in clear, and a repeated key after the first
    request committed is answered 409 `idempotency_key.completed` (read the resource, or rotate the secret)
    instead of a replay. Nothing is ever created twice either way.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(HEADER)
            if not key:
                return view(*args, **kwargs)
            return _run_once(key, functools.partial(view, *args, **kwargs), replay=replay)

        return wrapper

    return decorate if view is None else decorate(view)


def _run_once(key: str, run_view: Callable[[], Any], *, replay: bool = True) -> Response:
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            "Idempotency-Key is too long.",
            errors=[{"field": HEADER, "message": f"at most {MAX_KEY_LENGTH} characters", "in": "headers"}],
        )
    database: Database = current_app.extensions["crm"].database
    principal, fingerprint = _principal_id(), _fingerprint()
    stored = _claim(database, key, principal, fingerprint)
    if stored is not None:
        return stored
    token = commit_hooks.set(
        (*commit_hooks.get(), functools.partial(_mark_committed, key=key, principal=principal))
    )
    try:
        response = make_response(run_view())
    except Exception:
        _release(database, key, principal)
        raise
    finally:
        commit_hooks.reset(token)
    if replay:
        _store(database, key, principal, response)
    elif not 200 <= response.status_code < 300:
        _release(database, key, principal)  # drops the claim only when nothing committed
    return response


def _principal_id() -> str:
    principal = g.get("crm_principal")
    return principal.subject if principal is not None else "anonymous"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.get_data())
    return digest.hexdigest()


def _claim(database: Database, key: str, principal: str, fingerprint: str) -> Response | None:
    """Claim the key for this request, or return the stored response of the first one."""
    now = datetime.now(UTC)
    with database.session_factory() as session:
        try:
            with session.begin():
                session.execute(
                    idempotency_keys.insert().values(
                        key=key, principal=principal, fingerprint=fingerprint, claimed_at=now
                    )
                )
            return None
        except IntegrityError:
            session.rollback()
        row = session.execute(_row_query(key, principal)).one()
    return _answer_existing(database, row, fingerprint, now)


def _answer_existing(database: Database, row: Any, fingerprint: str, now: datetime) -> Response | None:
    if row.fingerprint != fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used for a different request.",
            code="idempotency_key.reused",
            errors=[{"field": HEADER, "message": "reused with a different request", "in": "headers"}],
        )
    if row.status_code is not None:
        return _replay(row)
    if row.committed_at is not None:
        raise Conflict(
            "A request with this Idempotency-Key was already carried out; read the resource instead.",
            code="idempotency_key.completed",
        )
    claimed_at = row.claimed_at if row.claimed_at.tzinfo else row.claimed_at.replace(tzinfo=UTC)
    if now - claimed_at < CLAIM_TIMEOUT:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress.", code="idempotency_key.in_progress"
        )
    _reclaim(database, row, now)
    return None


def _reclaim(database: Database, row: Any, now: datetime) -> None:
    """Take over a claim whose request died before its use case committed (safe to run again)."""
    with database.session_factory.begin() as session:
        session.execute(
            idempotency_keys.update()
            .where(_pk(row.key, row.principal), idempotency_keys.c.committed_at.is_(None))
            .values(claimed_at=now)
        )


def _replay(row: Any) -> Response:
    response = current_app.response_class(row.response_body, status=row.status_code)
    for name, value in json.loads(row.response_headers or "{}").items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _mark_committed(session: Session, *, key: str, principal: str) -> None:
    session.execute(
        idempotency_keys.update().where(_pk(key, principal)).values(committed_at=datetime.now(UTC))
    )


def _store(database: Database, key: str, principal: str, response: Response) -> None:
    if response.status_code >= 500:
        _release(database, key, principal)
        return
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    with database.session_factory.begin() as session:
        session.execute(
            idempotency_keys.update()
            .where(_pk(key, principal))
            .values(
                status_code=response.status_code,
                response_body=response.get_data(as_text=True),
                response_headers=json.dumps(headers),
            )
        )


def _release(database: Database, key: str, principal: str) -> None:
    """Forget a claim whose use case did not commit, so the client may retry."""
    with database.session_factory.begin() as session:
        session.execute(
            idempotency_keys.delete().where(_pk(key, principal), idempotency_keys.c.committed_at.is_(None))
        )


def _pk(key: str, principal: str) -> sa.ColumnElement[bool]:
    return sa.and_(idempotency_keys.c.key == key, idempotency_keys.c.principal == principal)


def _row_query(key: str, principal: str) -> sa.Select[Any]:
    return sa.select(idempotency_keys).where(_pk(key, principal))


def purge_expired(session: Session, now: datetime) -> int:
    """Forget keys claimed more than KEY_RETENTION before `now`; answer how many went."""
    result = session.execute(
        idempotency_keys.delete().where(idempotency_keys.c.claimed_at < now - KEY_RETENTION)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
