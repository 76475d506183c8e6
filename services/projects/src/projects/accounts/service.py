"""The account read model: names for responses, merges re-point projects, stale events are dropped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.events.envelope import Event
from crmkit.types import utcnow
from projects.accounts.models import AccountRef
from projects.projects.models import Project

MAX_MERGE_HOPS = 10


def account_names(session: Session, account_ids: Iterable[str]) -> dict[str, str]:
    """Account id -> name, for the ids this service has heard of."""
    ids = list(account_ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(AccountRef.id, AccountRef.name).where(AccountRef.id.in_(ids)))
    return {account_id: name for account_id, name in rows if name is not None}


def resolve_account(session: Session, account_id: str) -> str:
    """Follow known merges from `account_id` to the surviving account's id."""
    current = account_id
    for _ in range(MAX_MERGE_HOPS):
        ref = session.get(AccountRef, current)
        if ref is None or ref.merged_into_id is None:
            return current
        current = ref.merged_into_id
    return current


def on_account_changed(session: Session, event: Event) -> None:
    """customer.account.created|updated|deleted: keep the name and fate, dropping out-of-order events."""
    data = event.data
    ref = _fresh_ref(session, data["id"], event)
    if ref is None:
        return
    ref.name, ref.tier = data.get("name"), data.get("tier")
    ref.deleted = data.get("deleted_at") is not None
    if data.get("merged_into_id"):
        ref.merged_into_id = data["merged_into_id"]


def on_account_merged(session: Session, event: Event) -> None:
    """customer.account.merged: remember the merge and move the merged account's projects to the survivor."""
    data = event.data
    survivor_id = data["merged_into_id"]
    ref = _fresh_ref(session, data["id"], event)
    if ref is not None:
        ref.name, ref.merged_into_id = data.get("name"), survivor_id
    survivor = data.get("survivor")
    if isinstance(survivor, Mapping):
        _remember_survivor(session, survivor)
    repoint_projects(session, data["id"], survivor_id)


def repoint_projects(session: Session, old_id: str, new_id: str) -> int:
    """Move every project (and earlier merges) of `old_id` to `new_id`; return how many projects moved."""
    result: Any = session.execute(
        sa.update(Project)
        .where(Project.account_id == old_id)
        .values(account_id=new_id, version=Project.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(AccountRef)
        .where(AccountRef.merged_into_id == old_id)
        .values(merged_into_id=new_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _remember_survivor(session: Session, survivor: Mapping[str, Any]) -> None:
    ref = session.get(AccountRef, survivor["id"])
    if ref is None:
        ref = AccountRef(id=survivor["id"], sequence=0, deleted=False, updated_at=utcnow())
        session.add(ref)
    if int(survivor.get("version") or 0) >= ref.sequence:
        ref.name, ref.tier, ref.sequence = (
            survivor.get("name"),
            survivor.get("tier"),
            int(survivor["version"]),
        )


def _fresh_ref(session: Session, account_id: str, event: Event) -> AccountRef | None:
    """The account's row, created if new, or None when this event is older than what the row holds."""
    sequence = int(event.sequence or 0)
    ref = session.get(AccountRef, account_id)
    if ref is None:
        ref = AccountRef(id=account_id, sequence=sequence, deleted=False, updated_at=utcnow())
        session.add(ref)
        return ref
    if sequence and sequence < ref.sequence:
        return None
    ref.sequence, ref.updated_at = max(sequence, ref.sequence), utcnow()
    return ref
