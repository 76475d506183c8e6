"""Request and causation ids carried in context: into logs, responses and the events a request causes."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("crm_request_id", default=None)
causation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "crm_causation_id", default=None
)
event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("crm_event_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(raw: str | None) -> str:
    """Keep a caller's request id when it is sane (length, characters); otherwise make a new one."""
    if raw and _VALID_REQUEST_ID.match(raw):
        return raw
    return new_request_id()


def current_request_id() -> str | None:
    return request_id_var.get()


def current_causation_id() -> str | None:
    return causation_id_var.get()


@contextmanager
def bound(
    *, request_id: str | None, causation_id: str | None = None, event_id: str | None = None
) -> Iterator[None]:
    """Bind ids for the duration of a block (a consumer handling one event, a CLI command)."""
    tokens = (
        request_id_var.set(request_id),
        causation_id_var.set(causation_id),
        event_id_var.set(event_id),
    )
    try:
        yield
    finally:
        event_id_var.reset(tokens[2])
        causation_id_var.reset(tokens[1])
        request_id_var.reset(tokens[0])
