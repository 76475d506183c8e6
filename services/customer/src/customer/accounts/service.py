"""Account use cases: each opens the unit of work, applies the model's rules, records events, commits once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from crmkit.pagination import SortKey
from crmkit.types import utcnow
from customer import events_catalog as catalog
from customer.accounts.errors import AccountDuplicate, AccountMerged, AccountMergeInvalid, AccountNotFound
from customer.accounts.events import account_state
from customer.accounts.models import (
    Account,
    AccountTag,
    DuplicateCandidate,
    DuplicateKeys,
    load_live,
    tier_rank,
)
from customer.contacts import service as contacts
from customer.contacts.models import Contact, ContactEmail, ContactPhone
from customer.custom_fields import service as custom_fields
from customer.insights.models import AccountLink
from customer.interactions import service as interactions
from customer.normalize import prefix_bounds

# Sort name -> columns (present on both accounts and the tag index) before the id tiebreaker.
SORT_COLUMNS = {"name": ("name_key",), "created_at": ("created_at",), "tier": ("tier_rank", "name_key")}
MAX_CANDIDATES = 20
LIVE = (Account.deleted_at.is_(None), Account.merged_into_id.is_(None))


def get_account(*, uow: crmkit.UnitOfWork, account_id: str) -> Account:
    """Read a live account (merged ones answer with where they went)."""
    with uow:
        return load_live(uow.session, account_id)


def list_accounts(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through live accounts matching the filters, in the requested order."""
    stmt, sort = _search(query)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def check_duplicates(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> list[DuplicateCandidate]:
    """List live accounts that look like the company described by name, website, e-mail or phone."""
    probe = DuplicateKeys.of(
        name=query.get("name"),
        website=query.get("website"),
        emails=[query["email"]] if query.get("email") else (),
        phones=[query["phone"]] if query.get("phone") else (),
    )
    with uow:
        return find_duplicates(uow.session, probe)


def create_account(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Account:
    """Create an account and its first contacts, refusing likely duplicates unless the client allows them."""
    fields = dict(data)
    first_contacts = fields.pop("contacts", [])
    allow_duplicate = fields.pop("allow_duplicate", False)
    now = utcnow()
    with uow:
        session = uow.session
        if not allow_duplicate:
            _refuse_duplicates(session, _probe(fields, first_contacts))
        fields["custom_fields"] = custom_fields.check_values(session, fields.get("custom_fields", {}))
        account = Account.new(created_by=actor.subject, now=now, **fields)
        session.add(account)
        uow.flush()
        _record(session, catalog.ACCOUNT_CREATED, account)
        contacts.add_contacts(session, account_id=account.id, items=first_contacts, actor=actor, now=now)
        uow.commit()
    return account


def update_account(
    *,
    uow: crmkit.UnitOfWork,
    account_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Account:
    """Change an account's fields, provided the client read its current version."""
    with uow:
        account = load_live(uow.session, account_id)
        crmkit.check_version(account.version, expected_version)
        before = account_state(account)
        changes = dict(data)
        if "custom_fields" in changes:
            current = account.custom_fields
            changes["custom_fields"] = custom_fields.check_values(
                uow.session, changes["custom_fields"], current
            )
        account.apply(changes)
        _save_changes(uow, account, before, utcnow())
        uow.commit()
    return account


def delete_account(
    *, uow: crmkit.UnitOfWork, account_id: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Delete an account and its contacts (soft: kept for the record, no longer listed or readable)."""
    now = utcnow()
    with uow:
        account = load_live(uow.session, account_id)
        crmkit.check_version(account.version, expected_version)
        contacts.delete_contacts_of(uow.session, account_id=account.id, now=now)
        account.soft_delete(now)
        uow.flush()
        _record(uow.session, catalog.ACCOUNT_DELETED, account)
        uow.commit()


def merge_accounts(
    *,
    uow: crmkit.UnitOfWork,
    survivor_id: str,
    merged_id: str,
    expected_version: int | None,
    actor: crmkit.Principal,
) -> Account:
    """Merge a duplicate into the survivor: move contacts and timeline, fill empty fields, unite tags."""
    with uow:
        survivor = load_live(uow.session, survivor_id)
        if expected_version is not None:
            crmkit.check_version(survivor.version, expected_version)
        merged = _merge_partner(uow.session, survivor_id, merged_id)
        moved = _absorb(uow, survivor, merged, utcnow())
        _record(uow.session, catalog.ACCOUNT_MERGED, merged, survivor=account_state(survivor), **moved)
        uow.commit()
    return survivor


def _absorb(uow: crmkit.UnitOfWork, survivor: Account, merged: Account, now: datetime) -> dict[str, Any]:
    """Apply the merge rules, move contacts and timeline; return what moved (for the merged event)."""
    before = account_state(survivor)
    survivor.absorb(merged)
    merged.updated_at = now
    _save_changes(uow, survivor, before, now)  # first, so autoflush bumps the survivor's version once
    moved_contacts = contacts.move_contacts(uow.session, source_id=merged.id, target_id=survivor.id, now=now)
    moved_interactions = interactions.move_timeline(uow.session, source_id=merged.id, target_id=survivor.id)
    AccountLink.move(uow.session, source_id=merged.id, target_id=survivor.id)
    _repoint_earlier_merges(uow.session, merged.id, survivor.id)
    uow.flush()
    return {"moved_contact_ids": moved_contacts, "moved_interactions": moved_interactions}


def live_successor(session: Session, account_id: str) -> Account | None:
    """The live account an id stands for today: itself, or where merges took it; None if deleted or unknown."""
    account, seen = session.get(Account, account_id), set()
    while account is not None and account.merged_into_id is not None and account.id not in seen:
        seen.add(account.id)
        account = session.get(Account, account.merged_into_id)
    return account if account is not None and account.is_live else None


def add_account(
    session: Session, *, fields: Mapping[str, Any], actor: crmkit.Principal, now: datetime
) -> Account:
    """Create an account inside the caller's transaction (no duplicate refusal) and record its event."""
    account = Account.new(created_by=actor.subject, now=now, **dict(fields))
    session.add(account)
    session.flush()
    _record(session, catalog.ACCOUNT_CREATED, account)
    return account


def find_duplicates(session: Session, probe: DuplicateKeys) -> list[DuplicateCandidate]:
    """Find live accounts sharing a key with `probe`, most reasons first."""
    emails, phones = _contact_matches(session, probe)
    ids = set(emails) | set(phones) | set(_key_matches(session, probe))
    accounts = session.scalars(sa.select(Account).where(Account.id.in_(ids), *LIVE)).all()
    candidates = []
    for account in accounts:
        keys = DuplicateKeys(
            account.dedupe_key, account.domain, frozenset(emails[account.id]), frozenset(phones[account.id])
        )
        reasons = probe.reasons(keys)
        if reasons:
            candidates.append(DuplicateCandidate(account, reasons))
    candidates.sort(key=lambda candidate: (-len(candidate.reasons), candidate.account.name_key))
    return candidates[:MAX_CANDIDATES]


def _key_matches(session: Session, probe: DuplicateKeys) -> Iterable[str]:
    clauses = []
    if probe.name:
        clauses.append(Account.dedupe_key == probe.name)
    if probe.domain:
        clauses.append(Account.domain == probe.domain)
    if not clauses:
        return []
    return session.scalars(sa.select(Account.id).where(sa.or_(*clauses), *LIVE).limit(MAX_CANDIDATES))


def _contact_matches(
    session: Session, probe: DuplicateKeys
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Account id -> the probe's e-mails (and phones) its live contacts have."""
    emails: dict[str, set[str]] = defaultdict(set)
    phones: dict[str, set[str]] = defaultdict(set)
    for target, column, values in (
        (emails, ContactEmail.email, probe.emails),
        (phones, ContactPhone.number_key, probe.phones),
    ):
        if not values:
            continue
        stmt = (
            sa.select(Contact.account_id, column)
            .join(column.class_, column.class_.contact_id == Contact.id)
            .where(column.in_(values), Contact.deleted_at.is_(None))
            .limit(MAX_CANDIDATES * 5)
        )
        for account_id, value in session.execute(stmt):
            target[account_id].add(value)
    return emails, phones


def _probe(fields: Mapping[str, Any], first_contacts: Iterable[Mapping[str, Any]]) -> DuplicateKeys:
    contacts_ = list(first_contacts)
    return DuplicateKeys.of(
        name=fields["name"],
        website=fields.get("website"),
        emails=[item["address"] for contact in contacts_ for item in contact.get("emails", ())],
        phones=[item["number"] for contact in contacts_ for item in contact.get("phones", ())],
    )


def _refuse_duplicates(session: Session, probe: DuplicateKeys) -> None:
    candidates = find_duplicates(session, probe)
    if candidates:
        raise AccountDuplicate(
            f"{len(candidates)} existing account(s) look like this one; "
            'check the candidates, or send "allow_duplicate": true to create it anyway.',
            candidates=[_candidate(candidate) for candidate in candidates],
        )


def _candidate(candidate: DuplicateCandidate) -> dict[str, Any]:
    account = candidate.account
    return {"id": account.id, "name": account.name, "domain": account.domain, "reasons": candidate.reasons}


def _merge_partner(session: Session, survivor_id: str, merged_id: str) -> Account:
    """Load the account to merge away; a problem on `merged_account_id` when it cannot be merged."""
    if merged_id == survivor_id:
        raise _merge_invalid("An account cannot be merged into itself.")
    try:
        return load_live(session, merged_id)
    except (AccountNotFound, AccountMerged) as problem:
        raise _merge_invalid(problem.detail) from None


def _merge_invalid(detail: str) -> AccountMergeInvalid:
    field_error = {"field": "merged_account_id", "message": detail, "in": "json"}
    return AccountMergeInvalid(detail, errors=[field_error])


def _repoint_earlier_merges(session: Session, old_id: str, new_id: str) -> None:
    """Accounts merged into `old_id` before now point at `new_id`, so a merged id resolves in one hop."""
    stmt = sa.update(Account).where(Account.merged_into_id == old_id).values(merged_into_id=new_id)
    session.execute(stmt.execution_options(synchronize_session=False))


def _save_changes(uow: crmkit.UnitOfWork, account: Account, before: dict[str, Any], now: datetime) -> None:
    """Stamp and flush a changed account and record its updated event (nothing when nothing changed)."""
    if not diff(before, account_state(account)):
        return
    account.updated_at = now
    uow.flush()
    after = account_state(account)
    _record(uow.session, catalog.ACCOUNT_UPDATED, account, changes=diff(before, after))


def _record(session: Session, event_type: EventType, account: Account, **extra: Any) -> None:
    record(
        session,
        event_type,
        subject=account.id,
        data={**account_state(account), **extra},
        sequence=account.version,
    )


def _search(query: Mapping[str, Any]) -> tuple[sa.Select[Any], list[SortKey]]:
    """The list query: filters and sort keys on the accounts table, or on the tag index for `tag`."""
    stmt = sa.select(Account).where(*LIVE)
    keys: Any = Account
    id_column: Any = Account.id
    if query.get("tag"):
        stmt = stmt.join(AccountTag, AccountTag.account_id == Account.id)
        stmt = stmt.where(AccountTag.tag == query["tag"])
        keys, id_column = AccountTag, AccountTag.account_id
    if query.get("tier"):
        stmt = stmt.where(keys.tier_rank == tier_rank(query["tier"]))
    if query.get("owner"):
        stmt = stmt.where(Account.owner_id == query["owner"])
    if query.get("stage"):
        stmt = stmt.where(Account.lifecycle_stage == query["stage"])
    sort = _sort_keys(query, keys, id_column)
    return stmt.where(*_prefix_range(query, keys.name_key, sort)), sort


def _sort_keys(query: Mapping[str, Any], keys: Any, id_column: Any) -> list[SortKey]:
    """The sort columns, then the id; a tier pinned by the filter is left out so the index range starts
    after it (SQLite cannot combine `tier_rank = ?` with a row-value range that begins at tier_rank)."""
    descending, name = query["sort"].startswith("-"), query["sort"].lstrip("-")
    columns = [column for column in SORT_COLUMNS[name] if not (column == "tier_rank" and query.get("tier"))]
    sort = [SortKey(column, getattr(keys, column), descending, attribute=column) for column in columns]
    return [*sort, SortKey("id", id_column, descending, attribute="id")]


def _prefix_range(query: Mapping[str, Any], column: Any, sort: list[SortKey]) -> list[Any]:
    """`q` as a range of name keys.

    On a later page in name order the cursor's row-value comparison already starts the range inside the
    prefix, and SQLite walks the index from one lower (upper) bound only: leave out the prefix's bound on
    that side so the walk starts at the cursor, not at the prefix (half the matches back).
    """
    bounds = prefix_bounds(query.get("q") or "")
    if bounds is None:
        return []
    low, high = column >= bounds[0], column < bounds[1]
    if query.get("cursor") and sort[0].name == "name_key":
        return [low] if sort[0].descending else [high]
    return [low, high]
