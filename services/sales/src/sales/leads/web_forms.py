"""Web forms and their keys, and the public web-to-lead capture they authenticate.

A key is shown once, when the form is created or its key rotated; only its SHA-256 is stored, so a leaked
database does not leak working keys. Keys are long random tokens, so an unsalted hash is enough.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import crmkit
from crmkit.types import utcnow
from sales.leads.errors import WebFormKeyInvalid, WebFormNotFound
from sales.leads.models import Lead, WebForm
from sales.leads.service import capture_lead

KEY_PREFIX = "wf_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _load(uow: crmkit.UnitOfWork, form_id: str) -> WebForm:
    form = uow.session.get(WebForm, form_id)
    if form is None:
        raise WebFormNotFound(f"There is no web form {form_id}.")
    return form


def _issue_key(form: WebForm) -> str:
    key = new_key()
    form.key_hash, form.key_prefix = key_hash(key), key[: len(KEY_PREFIX) + 6]
    return key


def create_web_form(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> WebForm:
    """Create a form and its key; the returned form carries `api_key` (this once)."""
    now = utcnow()
    with uow:
        form = WebForm(**data, created_at=now, updated_at=now, created_by=actor.subject)
        form.api_key = _issue_key(form)  # type: ignore[attr-defined]
        uow.session.add(form)
        uow.flush()
        uow.commit()
    return form


def rotate_key(*, uow: crmkit.UnitOfWork, form_id: str) -> WebForm:
    """Replace the form's key (the old one stops working at once); the form carries the new `api_key`."""
    with uow:
        form = _load(uow, form_id)
        form.api_key = _issue_key(form)  # type: ignore[attr-defined]
        form.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return form


def list_web_forms(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    stmt = sa.select(WebForm)
    if "active" in query:
        stmt = stmt.where(WebForm.active.is_(query["active"]))
    sort = crmkit.parse_sort(query.get("sort"), {"name": WebForm.name}, "name", WebForm.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_web_form(*, uow: crmkit.UnitOfWork, form_id: str) -> WebForm:
    with uow:
        return _load(uow, form_id)


def update_web_form(
    *, uow: crmkit.UnitOfWork, form_id: str, data: Mapping[str, Any], expected_version: int
) -> WebForm:
    with uow:
        form = _load(uow, form_id)
        crmkit.check_version(form.version, expected_version)
        for field, value in data.items():
            setattr(form, field, value)
        form.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return form


def submit_web_lead(*, uow: crmkit.UnitOfWork, api_key: str | None, data: Mapping[str, Any]) -> Lead:
    """Capture a lead a website visitor sent: the form's key authenticates, its consent wording is recorded.

    Duplicates never refuse a visitor: the lead is captured and its `duplicates` list what it looks like.
    """
    if not api_key:
        raise WebFormKeyInvalid("Send the web form's key in X-Api-Key.")
    fields = dict(data)
    granted = fields.pop("consent")
    with uow:
        form = uow.session.scalars(sa.select(WebForm).where(WebForm.key_hash == key_hash(api_key))).first()
        if form is None or not form.active:
            raise WebFormKeyInvalid("The X-Api-Key is not the key of an active web form.")
        form.last_used_at = utcnow()
        fields.update(
            web_form_id=form.id,
            campaign_id=form.campaign_id,
            consent={"granted": granted, "text": form.consent_text, "method": "web_form"},
        )
        lead = capture_lead(uow.session, fields, source="web", actor_id=None)
        uow.commit()
    return lead
