"""Activity and visit plan use cases: plan, change, complete with an outcome (-> the customer's timeline)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.outbox import record
from crmkit.types import utcnow
from sales import access
from sales import events_catalog as catalog
from sales.accounts.service import live_account
from sales.activities.errors import ActivityClosed, ActivityInvalid, ActivityNotFound, VisitPlanNotFound
from sales.activities.events import activity_state
from sales.activities.models import Activity, VisitPlan
from sales.opportunities import service as opportunities
from sales.reps.models import Rep
from sales.roles import ACTIVITY_READERS


def _owner(session: Session, data: Mapping[str, Any], actor: crmkit.Principal) -> tuple[str, str | None]:
    owner_id = data.get("owner_id") or actor.subject
    rep = session.get(Rep, owner_id)
    team = rep.team if rep is not None else (actor.team if owner_id == actor.subject else None)
    access.require_edit(actor, owner_id, team)
    return owner_id, team


def _invalid(field: str, message: str) -> ActivityInvalid:
    return ActivityInvalid(f"{field} {message}.", errors=[{"field": field, "message": message, "in": "json"}])


def _account_of(session: Session, fields: dict[str, Any], actor: crmkit.Principal) -> None:
    """Fill account_id from the opportunity; follow merges; visits must be at an account."""
    if fields.get("opportunity_id"):
        opportunity = opportunities.load(session, fields["opportunity_id"], actor)
        fields["account_id"] = fields.get("account_id") or opportunity.account_id
    if fields.get("account_id"):
        survivor = live_account(session, fields["account_id"])
        fields["account_id"] = survivor.id if survivor is not None else fields["account_id"]
    if fields.get("kind") == "visit" and not fields.get("account_id"):
        raise _invalid("account_id", "is needed for a visit (or an opportunity with an account)")


def _new_activity(
    session: Session, fields: dict[str, Any], owner: tuple[str, str | None], actor_id: str, now: datetime
) -> Activity:
    activity = Activity(
        **fields,
        owner_id=owner[0],
        owner_team=owner[1],
        status="planned",
        created_at=now,
        updated_at=now,
        created_by=actor_id,
    )
    session.add(activity)
    return activity


def create_activity(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Activity:
    fields = dict(data)
    fields.pop("owner_id", None)
    with uow:
        session = uow.session
        owner = _owner(session, data, actor)
        _account_of(session, fields, actor)
        if fields.get("visit_plan_id"):
            plan = _load_plan(session, fields["visit_plan_id"], actor)
            access.require_edit(actor, plan.owner_id, plan.owner_team)
            if fields["due_at"].date() != plan.day:
                raise _invalid("due_at", "must be on the visit plan's day")
        activity = _new_activity(session, fields, owner, actor.subject, utcnow())
        uow.flush()
        uow.commit()
    return activity


def _load(session: Session, activity_id: str, actor: crmkit.Principal) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None or not access.can_view(
        actor, activity.owner_id, activity.owner_team, ACTIVITY_READERS
    ):
        raise ActivityNotFound(f"There is no activity {activity_id} you may see.")
    return activity


def _load_planned(session: Session, activity_id: str, actor: crmkit.Principal) -> Activity:
    activity = _load(session, activity_id, actor)
    access.require_edit(actor, activity.owner_id, activity.owner_team)
    if activity.status != "planned":
        raise ActivityClosed(f"Activity {activity_id} is {activity.status}.")
    return activity


def get_activity(*, uow: crmkit.UnitOfWork, activity_id: str, actor: crmkit.Principal) -> Activity:
    with uow:
        return _load(uow.session, activity_id, actor)


def list_activities(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    stmt = access.visible(
        sa.select(Activity), actor, Activity.owner_id, Activity.owner_team, ACTIVITY_READERS
    )
    filters = {
        "kind": Activity.kind,
        "status": Activity.status,
        "owner": Activity.owner_id,
        "account_id": Activity.account_id,
        "opportunity_id": Activity.opportunity_id,
        "visit_plan_id": Activity.visit_plan_id,
    }
    for name, column in filters.items():
        if name in query:
            stmt = stmt.where(column == query[name])
    if "due_from" in query:
        stmt = stmt.where(Activity.due_at >= query["due_from"])
    if "due_to" in query:
        stmt = stmt.where(Activity.due_at < query["due_to"])
    sort = crmkit.parse_sort(query.get("sort"), {"due_at": Activity.due_at}, "due_at", Activity.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def update_activity(
    *,
    uow: crmkit.UnitOfWork,
    activity_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Activity:
    with uow:
        activity = _load_planned(uow.session, activity_id, actor)
        crmkit.check_version(activity.version, expected_version)
        for field, value in data.items():
            setattr(activity, field, value)
        activity.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return activity


def complete_activity(
    *, uow: crmkit.UnitOfWork, activity_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Activity:
    """Complete with an outcome; `sales.activity.completed` puts it on the account's timeline."""
    now = utcnow()
    with uow:
        activity = _load_planned(uow.session, activity_id, actor)
        before = activity_state(activity)
        activity.status, activity.outcome = "completed", data["outcome"]
        activity.outcome_notes = data.get("outcome_notes")
        activity.completed_at = min(data.get("completed_at") or now, now)
        activity.updated_at = now
        uow.flush()
        state = activity_state(activity)
        state["changes"] = diff(before, state)
        record(
            uow.session,
            catalog.ACTIVITY_COMPLETED,
            subject=activity.id,
            data=state,
            sequence=activity.version,
        )
        uow.commit()
    return activity


def cancel_activity(*, uow: crmkit.UnitOfWork, activity_id: str, actor: crmkit.Principal) -> Activity:
    with uow:
        activity = _load_planned(uow.session, activity_id, actor)
        activity.status, activity.updated_at = "cancelled", utcnow()
        uow.flush()
        uow.commit()
    return activity


# --- visit plans -------------------------------------------------------------------------------------------


def _load_plan(session: Session, plan_id: str, actor: crmkit.Principal) -> VisitPlan:
    plan = session.get(VisitPlan, plan_id)
    if plan is None or not access.can_view(actor, plan.owner_id, plan.owner_team, ACTIVITY_READERS):
        raise VisitPlanNotFound(f"There is no visit plan {plan_id} you may see.")
    return plan


def _visits_of(session: Session, plan: VisitPlan) -> VisitPlan:
    stmt = sa.select(Activity).where(Activity.visit_plan_id == plan.id).order_by(Activity.due_at, Activity.id)
    plan.visits = list(session.scalars(stmt))  # type: ignore[attr-defined]
    return plan


def create_visit_plan(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> VisitPlan:
    """Plan a day of customer visits: the plan and one visit activity per stop, in one transaction."""
    now = utcnow()
    with uow:
        session = uow.session
        owner = _owner(session, data, actor)
        plan = VisitPlan(
            owner_id=owner[0],
            owner_team=owner[1],
            day=data["day"],
            title=data["title"],
            notes=data.get("notes"),
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        session.flush()
        for index, visit in enumerate(data["visits"]):
            fields = {**visit, "kind": "visit", "visit_plan_id": plan.id}
            if fields["due_at"].date() != plan.day:
                raise _invalid(f"visits.{index}.due_at", "must be on the plan's day")
            _account_of(session, fields, actor)
            _new_activity(session, fields, owner, actor.subject, now)
        uow.flush()
        uow.commit()
        return _visits_of(session, plan)


def get_visit_plan(*, uow: crmkit.UnitOfWork, plan_id: str, actor: crmkit.Principal) -> VisitPlan:
    with uow:
        return _visits_of(uow.session, _load_plan(uow.session, plan_id, actor))


def list_visit_plans(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    stmt = access.visible(
        sa.select(VisitPlan), actor, VisitPlan.owner_id, VisitPlan.owner_team, ACTIVITY_READERS
    )
    if "owner" in query:
        stmt = stmt.where(VisitPlan.owner_id == query["owner"])
    if "day_from" in query:
        stmt = stmt.where(VisitPlan.day >= query["day_from"])
    if "day_to" in query:
        stmt = stmt.where(VisitPlan.day <= query["day_to"])
    sort = crmkit.parse_sort(query.get("sort"), {"day": VisitPlan.day}, "day", VisitPlan.id)
    with uow:
        page = crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])
        for plan in page.items:
            _visits_of(uow.session, plan)
        return page
