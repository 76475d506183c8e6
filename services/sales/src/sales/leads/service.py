"""Lead use cases: capture (API, web form, campaign), duplicate check, assignment, status flow, conversion.

Each use case opens the unit of work, applies the rules, records events in the outbox, commits once.
`capture_lead` is the one entry every capture path shares (S2's campaign responses call it too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from crmkit.types import utcnow
from sales import access
from sales import events_catalog as catalog
from sales.accounts.models import DEFAULT_TIER, AccountView
from sales.accounts.service import contacts_with_email, live_account
from sales.leads import assignment
from sales.leads.errors import LeadClosed, LeadDuplicate, LeadNotFound, LeadOwnerUnknown, LeadStatusInvalid
from sales.leads.events import lead_state
from sales.leads.models import OPEN_STATUSES, Lead, LeadAssignment
from sales.opportunities import service as opportunities
from sales.payloads import timestamp
from sales.reps.models import Rep
from sales.roles import LEAD_READERS, MANAGERS

EDITABLE = (
    "company",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "website",
    "industry",
    "region",
    "country",
    "notes",
)
MAX_DUPLICATES = 20


# --- capture -----------------------------------------------------------------------------------------------


def capture_lead(session: Session, data: Mapping[str, Any], *, source: str, actor_id: str | None) -> Lead:
    """Create a lead from validated fields: flag duplicates, record consent, assign it, write the events.

    `data` may hold the EDITABLE fields, `campaign_id`, `web_form_id`, `consent` ({granted, purpose, text,
    method}) and `owner_id` (assign to that rep instead of running the rules). Duplicates never block here.
    """
    if not data.get("last_name"):
        raise crmkit.ValidationFailed(
            "A lead needs a last name.",
            errors=[{"field": "last_name", "message": "is required", "in": "json"}],
        )
    now = utcnow()
    fields = {field: data.get(field) for field in EDITABLE}
    lead = Lead(
        **fields,
        status="new",
        source=source,
        campaign_id=data.get("campaign_id"),
        web_form_id=data.get("web_form_id"),
        email_key=_email_key(fields["email"]),
        consent=_consent(data.get("consent"), now),
        created_at=now,
        updated_at=now,
        created_by=actor_id,
    )
    lead.tier = _tier(session, lead)
    lead.duplicates = find_duplicates(session, lead)
    session.add(lead)
    session.flush()
    _record(session, catalog.LEAD_CREATED, lead)
    if data.get("owner_id"):
        _assign(session, lead, _rep(session, data["owner_id"]), reason="manual", actor_id=actor_id, now=now)
    else:
        auto_assign(session, lead, actor_id=actor_id, now=now)
    return lead


def create_lead(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Lead:
    """Capture a lead through the API, refusing likely duplicates unless the client allows them."""
    fields = dict(data)
    allow_duplicate = fields.pop("allow_duplicate", False)
    source = fields.pop("source", "api")
    owner_id = fields.get("owner_id")
    if owner_id and owner_id != actor.subject and not actor.has_any_role(MANAGERS):
        raise access.RecordForbidden(
            "Only sales managers capture leads for someone else; leave owner_id out."
        )
    with uow:
        if not allow_duplicate:
            probe = Lead(email_key=_email_key(fields.get("email")), company=fields.get("company"))
            probe.last_name = fields["last_name"]
            candidates = find_duplicates(uow.session, probe)
            if candidates:
                raise LeadDuplicate(
                    "Open leads or known contacts look like this person; send allow_duplicate to go ahead.",
                    candidates=candidates,
                )
        lead = capture_lead(uow.session, fields, source=source, actor_id=actor.subject)
        uow.commit()
    return lead


def find_duplicates(session: Session, lead: Lead) -> list[dict[str, Any]]:
    """Open leads with the same e-mail (or the same company and last name) and live contacts with the e-mail."""
    clauses = []
    if lead.email_key:
        clauses.append(Lead.email_key == lead.email_key)
    if lead.company and lead.last_name:
        clauses.append(
            sa.and_(
                sa.func.lower(Lead.company) == lead.company.casefold(),
                sa.func.lower(Lead.last_name) == lead.last_name.casefold(),
            )
        )
    found: list[dict[str, Any]] = []
    if clauses:
        stmt = (
            sa.select(Lead).where(sa.or_(*clauses), Lead.status.in_(OPEN_STATUSES)).order_by(Lead.created_at)
        )
        if lead.id:
            stmt = stmt.where(Lead.id != lead.id)
        found += [
            {"kind": "lead", "id": other.id, "account_id": other.account_id}
            for other in session.scalars(stmt.limit(MAX_DUPLICATES))
        ]
    if lead.email_key:
        found += [
            {"kind": "contact", "id": contact.id, "account_id": contact.account_id}
            for contact in contacts_with_email(session, lead.email_key)
        ]
    return found[:MAX_DUPLICATES]


def _email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def _consent(consent: Mapping[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    if consent is None:
        return None
    return {
        "granted": bool(consent["granted"]),
        "purpose": consent.get("purpose") or "sales_contact",
        "text": consent.get("text"),
        "method": consent.get("method") or "api",
        "recorded_at": timestamp(now),
    }


def _domain(website: str | None) -> str | None:
    if not website:
        return None
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0].split(":")[0]
    return host.removeprefix("www.") or None


def _tier(session: Session, lead: Lead) -> str:
    """The value tier of the account the lead belongs to, when the read model knows it (e-mail or domain)."""
    account: AccountView | None = None
    if lead.email_key:
        contacts = contacts_with_email(session, lead.email_key)
        account = live_account(session, contacts[0].account_id) if contacts else None
    domain = _domain(lead.website)
    if account is None and domain:
        account = session.scalars(
            sa.select(AccountView)
            .where(AccountView.domain == domain, AccountView.deleted.is_(False))
            .limit(1)
        ).first()
    return account.tier if account is not None else DEFAULT_TIER


# --- assignment --------------------------------------------------------------------------------------------


def auto_assign(session: Session, lead: Lead, *, actor_id: str | None, now: datetime) -> None:
    """Give the lead to the rep the first matching rule picks; with none, log that nobody matched."""
    choice = assignment.choose(session, lead, now.date())
    if choice is None:
        session.add(
            LeadAssignment(
                lead_id=lead.id,
                from_owner_id=lead.owner_id,
                to_owner_id=lead.owner_id,
                to_team=lead.owner_team,
                reason="unmatched",
                assigned_at=now,
                assigned_by=actor_id,
            )
        )
        return
    choice.cursor.last_rep_id = choice.rep.id
    _assign(session, lead, choice.rep, reason="rule", actor_id=actor_id, now=now, rule_id=choice.rule.id)


WAITING_BATCH = 200


def assign_waiting_leads(session: Session, now: datetime) -> int:
    """Periodic job: give unassigned open leads to a rep once a rule has one free (back from absence, below
    capacity, a new rule); oldest first. Returns how many were assigned."""
    stmt = (
        sa.select(Lead)
        .where(Lead.owner_id.is_(None), Lead.status.in_(OPEN_STATUSES))
        .order_by(Lead.created_at, Lead.id)
        .limit(WAITING_BATCH)
    )
    assigned = 0
    for lead in session.scalars(stmt).all():
        choice = assignment.choose(session, lead, now.date())
        if choice is None:
            continue
        choice.cursor.last_rep_id = choice.rep.id
        _assign(session, lead, choice.rep, reason="rule", actor_id=None, now=now, rule_id=choice.rule.id)
        assigned += 1
    return assigned


def _rep(session: Session, rep_id: str) -> Rep:
    rep = session.get(Rep, rep_id)
    if rep is None or not rep.active:
        raise LeadOwnerUnknown(
            f"{rep_id} is not an active rep on the roster.",
            errors=[{"field": "owner_id", "message": "must be an active rep on the roster", "in": "json"}],
        )
    return rep


def _assign(
    session: Session,
    lead: Lead,
    rep: Rep,
    *,
    reason: str,
    actor_id: str | None,
    now: datetime,
    rule_id: str | None = None,
    note: str | None = None,
) -> None:
    if rep.id == lead.owner_id:
        return
    before = lead_state(lead)
    previous = lead.owner_id
    lead.owner_id, lead.owner_team, lead.assignment_rule_id = rep.id, rep.team, rule_id
    lead.updated_at = now
    session.add(
        LeadAssignment(
            lead_id=lead.id,
            from_owner_id=previous,
            to_owner_id=rep.id,
            to_team=rep.team,
            rule_id=rule_id,
            reason=reason,
            note=note,
            assigned_at=now,
            assigned_by=actor_id,
        )
    )
    session.flush()
    assignment_info = {"from_owner_id": previous, "to_owner_id": rep.id, "reason": reason, "rule_id": rule_id}
    _record(session, catalog.LEAD_ASSIGNED, lead, before, assignment=assignment_info)


def assign_lead(
    *, uow: crmkit.UnitOfWork, lead_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Lead:
    """Hand the lead to a rep (or let the rules choose again); every change is kept in its history."""
    now = utcnow()
    with uow:
        lead = _load(uow.session, lead_id, actor)
        access.require_edit(actor, lead.owner_id, lead.owner_team)
        _require_open(lead)
        if data.get("owner_id"):
            rep = _rep(uow.session, data["owner_id"])
            _assign(
                uow.session,
                lead,
                rep,
                reason="manual",
                actor_id=actor.subject,
                now=now,
                note=data.get("note"),
            )
        else:
            auto_assign(uow.session, lead, actor_id=actor.subject, now=now)
        uow.commit()
    return lead


def lead_assignments(
    *, uow: crmkit.UnitOfWork, lead_id: str, actor: crmkit.Principal
) -> list[LeadAssignment]:
    with uow:
        _load(uow.session, lead_id, actor)
        stmt = sa.select(LeadAssignment).where(LeadAssignment.lead_id == lead_id)
        return list(uow.session.scalars(stmt.order_by(LeadAssignment.assigned_at, LeadAssignment.id)))


# --- reading and editing -----------------------------------------------------------------------------------


def _load(session: Session, lead_id: str, actor: crmkit.Principal) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None or not access.can_view(actor, lead.owner_id, lead.owner_team, LEAD_READERS):
        raise LeadNotFound(f"There is no lead {lead_id} you may see.")
    return lead


def _load_for_edit(session: Session, lead_id: str, actor: crmkit.Principal) -> Lead:
    lead = _load(session, lead_id, actor)
    access.require_edit(actor, lead.owner_id, lead.owner_team)
    return lead


def _require_open(lead: Lead) -> None:
    if not lead.is_open:
        raise LeadClosed(f"Lead {lead.id} is {lead.status}; it cannot be changed.")


def get_lead(*, uow: crmkit.UnitOfWork, lead_id: str, actor: crmkit.Principal) -> Lead:
    with uow:
        return _load(uow.session, lead_id, actor)


def list_leads(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal) -> crmkit.Page:
    stmt = access.visible(sa.select(Lead), actor, Lead.owner_id, Lead.owner_team, LEAD_READERS)
    if "owner" in query:
        stmt = stmt.where(
            Lead.owner_id.is_(None) if query["owner"] == "none" else Lead.owner_id == query["owner"]
        )
    for name, column in (
        ("status", Lead.status),
        ("team", Lead.owner_team),
        ("source", Lead.source),
        ("campaign_id", Lead.campaign_id),
    ):
        if name in query:
            stmt = stmt.where(column == query[name])
    sort = crmkit.parse_sort(query.get("sort"), {"created_at": Lead.created_at}, "-created_at", Lead.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def update_lead(
    *,
    uow: crmkit.UnitOfWork,
    lead_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Lead:
    """Correct an open lead's details (no event: leads change state through their status steps)."""
    with uow:
        lead = _load_for_edit(uow.session, lead_id, actor)
        crmkit.check_version(lead.version, expected_version)
        _require_open(lead)
        for field, value in data.items():
            setattr(lead, field, value)
        lead.email_key = _email_key(lead.email)
        lead.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return lead


# --- status flow -------------------------------------------------------------------------------------------


def _move(lead: Lead, status: str) -> None:
    if not lead.can_move_to(status):
        raise LeadStatusInvalid(
            f"A {lead.status} lead cannot become {status}.", status=lead.status, wanted=status
        )
    lead.status = status


def start_work(*, uow: crmkit.UnitOfWork, lead_id: str, actor: crmkit.Principal) -> Lead:
    """Mark the lead as being worked on (also reopens a disqualified lead)."""
    with uow:
        lead = _load_for_edit(uow.session, lead_id, actor)
        _move(lead, "working")
        lead.disqualify_reason = lead.disqualify_note = None
        lead.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return lead


def qualify_lead(*, uow: crmkit.UnitOfWork, lead_id: str, actor: crmkit.Principal) -> Lead:
    with uow:
        lead = _load_for_edit(uow.session, lead_id, actor)
        before = lead_state(lead)
        _move(lead, "qualified")
        lead.qualified_at = lead.updated_at = utcnow()
        uow.flush()
        _record(uow.session, catalog.LEAD_QUALIFIED, lead, before)
        uow.commit()
    return lead


def disqualify_lead(
    *, uow: crmkit.UnitOfWork, lead_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Lead:
    with uow:
        lead = _load_for_edit(uow.session, lead_id, actor)
        before = lead_state(lead)
        _move(lead, "disqualified")
        lead.disqualify_reason, lead.disqualify_note = data["reason"], data.get("note")
        lead.updated_at = utcnow()
        uow.flush()
        _record(uow.session, catalog.LEAD_DISQUALIFIED, lead, before)
        uow.commit()
    return lead


def convert_lead(
    *, uow: crmkit.UnitOfWork, lead_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> tuple[Lead, Any]:
    """Convert a qualified lead: open its opportunity now (account pending) and ask the customer service,
    through `sales.lead.converted`, to link or create the account and contact. Works while it is down."""
    now = utcnow()
    with uow:
        session = uow.session
        lead = _load_for_edit(session, lead_id, actor)
        before = lead_state(lead)
        _move(lead, "converted")
        opportunity = opportunities.open_opportunity(
            session,
            fields=_opportunity_fields(lead, data["opportunity"]),
            owner=_owner_of(session, lead, actor),
            actor_id=actor.subject,
            now=now,
        )
        lead.opportunity_id, lead.converted_at, lead.updated_at = opportunity.id, now, now
        lead.account_id, lead.contact_id = data.get("account_id"), data.get("contact_id")
        session.flush()
        _record(session, catalog.LEAD_CONVERTED, lead, before)
        uow.commit()
    return lead, opportunity


def _opportunity_fields(lead: Lead, wanted: Mapping[str, Any]) -> dict[str, Any]:
    person = " ".join(part for part in (lead.first_name, lead.last_name) if part)
    return {
        "name": wanted.get("name") or lead.company or person,
        "amount": wanted["amount"],
        "currency": wanted["currency"],
        "pipeline_id": wanted.get("pipeline_id"),
        "expected_close_date": wanted.get("expected_close_date"),
        "account_id": None,
        "contact_id": None,
        "account_pending": True,
        "lead_id": lead.id,
        "campaign_id": lead.campaign_id,
    }


def _owner_of(session: Session, lead: Lead, actor: crmkit.Principal) -> tuple[str, str | None]:
    """The opportunity's owner: the lead's owner (with their team), else the converting user."""
    if lead.owner_id:
        return lead.owner_id, lead.owner_team
    rep = session.get(Rep, actor.subject)
    return actor.subject, rep.team if rep is not None else actor.team


# --- events ------------------------------------------------------------------------------------------------


def _record(
    session: Session, event_type: EventType, lead: Lead, before: Mapping[str, Any] | None = None, **extra: Any
) -> None:
    state = lead_state(lead)
    if before is not None:
        state["changes"] = diff(before, state)
    record(session, event_type, subject=lead.id, data={**state, **extra}, sequence=lead.version)
