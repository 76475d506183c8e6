"""Opportunity use cases: open, edit, move through stages (with time in stage), win, lose; pipelines.

Each use case opens the unit of work, applies the rules, records events in the outbox, commits once.
`open_opportunity` and `mark_won` work on a caller's session (lead conversion, quote acceptance use them).
"""

from __future__ import annotations

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
from sales.accounts.service import live_account
from sales.opportunities.errors import (
    LossReasonInvalid,
    OpportunityClosed,
    OpportunityNotFound,
    PipelineNotFound,
    StageInvalid,
)
from sales.opportunities.events import opportunity_state
from sales.opportunities.models import LossReason, Opportunity, Pipeline, Stage, StageChange
from sales.reps.models import Rep
from sales.roles import OPPORTUNITY_READERS

EDITABLE = (
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "forecast_category",
    "description",
)


def default_category(probability: int) -> str:
    """The forecast category a stage's probability suggests (the owner may override it)."""
    if probability >= 90:
        return "commit"
    if probability >= 50:
        return "best_case"
    return "pipeline"


# --- pipelines ---------------------------------------------------------------------------------------------


def pipeline_for(session: Session, pipeline_id: str | None) -> Pipeline:
    """The given pipeline, or the default one when none is named."""
    if pipeline_id:
        pipeline = session.get(Pipeline, pipeline_id)
    else:
        pipeline = session.scalars(
            sa.select(Pipeline).order_by(Pipeline.is_default.desc(), Pipeline.created_at).limit(1)
        ).first()
    if pipeline is None:
        raise PipelineNotFound(f"There is no pipeline {pipeline_id or '(default)'}.")
    return pipeline


# --- opening -----------------------------------------------------------------------------------------------


def open_opportunity(
    session: Session,
    *,
    fields: Mapping[str, Any],
    owner: tuple[str, str | None],
    actor_id: str,
    now: datetime,
) -> Opportunity:
    """Create an opportunity in its pipeline's first open stage and record `sales.opportunity.created`."""
    values = dict(fields)
    pipeline = pipeline_for(session, values.pop("pipeline_id", None))
    stage = pipeline.stage(values.pop("stage_id")) if values.get("stage_id") else pipeline.first_open_stage()
    if stage is None or stage.outcome != "open":
        raise StageInvalid(
            "Opportunities start in an open stage of their pipeline.",
            errors=[{"field": "stage_id", "message": "must be an open stage of the pipeline", "in": "json"}],
        )
    probability = values.pop("probability", None)
    opportunity = Opportunity(
        **values,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        probability=stage.probability if probability is None else probability,
        owner_id=owner[0],
        owner_team=owner[1],
        status="open",
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
        created_by=actor_id,
    )
    opportunity.forecast_category = values.get("forecast_category") or default_category(
        opportunity.probability
    )
    session.add(opportunity)
    session.flush()
    session.add(
        StageChange(
            opportunity_id=opportunity.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            changed_at=now,
            changed_by=actor_id,
            seconds_in_previous_stage=None,
        )
    )
    _record(session, catalog.OPPORTUNITY_CREATED, opportunity)
    return opportunity


def create_opportunity(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> Opportunity:
    """Open an opportunity by hand: the caller owns it unless a manager names another rep."""
    fields = dict(data)
    owner_id = fields.pop("owner_id", None) or actor.subject
    with uow:
        owner = _owner(uow.session, owner_id, actor)
        access.require_edit(actor, *owner)
        if fields.get("account_id"):
            survivor = live_account(uow.session, fields["account_id"])  # a merged account: its survivor
            fields["account_id"] = survivor.id if survivor is not None else fields["account_id"]
        opportunity = open_opportunity(
            uow.session, fields=fields, owner=owner, actor_id=actor.subject, now=utcnow()
        )
        uow.commit()
    return opportunity


def _owner(session: Session, owner_id: str, actor: crmkit.Principal) -> tuple[str, str | None]:
    rep = session.get(Rep, owner_id)
    if rep is not None:
        return rep.id, rep.team
    return owner_id, actor.team if owner_id == actor.subject else None


# --- reading -----------------------------------------------------------------------------------------------


def load(session: Session, opportunity_id: str, actor: crmkit.Principal) -> Opportunity:
    opportunity = session.get(Opportunity, opportunity_id)
    if opportunity is None or not access.can_view(
        actor, opportunity.owner_id, opportunity.owner_team, OPPORTUNITY_READERS
    ):
        raise OpportunityNotFound(f"There is no opportunity {opportunity_id} you may see.")
    return opportunity


def _load_for_edit(session: Session, opportunity_id: str, actor: crmkit.Principal) -> Opportunity:
    opportunity = load(session, opportunity_id, actor)
    access.require_edit(actor, opportunity.owner_id, opportunity.owner_team)
    return opportunity


def get_opportunity(*, uow: crmkit.UnitOfWork, opportunity_id: str, actor: crmkit.Principal) -> Opportunity:
    with uow:
        return load(uow.session, opportunity_id, actor)


def list_opportunities(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    stmt = access.visible(
        sa.select(Opportunity), actor, Opportunity.owner_id, Opportunity.owner_team, OPPORTUNITY_READERS
    )
    filters = {
        "status": Opportunity.status,
        "owner": Opportunity.owner_id,
        "team": Opportunity.owner_team,
        "account_id": Opportunity.account_id,
        "pipeline_id": Opportunity.pipeline_id,
        "stage_id": Opportunity.stage_id,
        "campaign_id": Opportunity.campaign_id,
        "lead_id": Opportunity.lead_id,
    }
    for name, column in filters.items():
        if name in query:
            stmt = stmt.where(column == query[name])
    if "close_from" in query:
        stmt = stmt.where(Opportunity.expected_close_date >= query["close_from"])
    if "close_to" in query:
        stmt = stmt.where(Opportunity.expected_close_date <= query["close_to"])
    sort = crmkit.parse_sort(
        query.get("sort"), {"created_at": Opportunity.created_at}, "-created_at", Opportunity.id
    )
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def stage_history(
    *, uow: crmkit.UnitOfWork, opportunity_id: str, actor: crmkit.Principal
) -> list[dict[str, Any]]:
    """Every stage the opportunity was in, with how long it stayed (the current one: so far)."""
    now = utcnow()
    with uow:
        opportunity = load(uow.session, opportunity_id, actor)
        pipeline = pipeline_for(uow.session, opportunity.pipeline_id)
        changes = list(
            uow.session.scalars(
                sa.select(StageChange)
                .where(StageChange.opportunity_id == opportunity.id)
                .order_by(StageChange.changed_at, StageChange.id)
            )
        )
    items = []
    for index, change in enumerate(changes):
        stage = pipeline.stage(change.to_stage_id)
        left_at = changes[index + 1].changed_at if index + 1 < len(changes) else None
        end = left_at or opportunity.closed_at or now
        items.append(
            {
                "stage_id": change.to_stage_id,
                "stage_name": stage.name if stage else None,
                "entered_at": change.changed_at,
                "left_at": left_at,
                "seconds_in_stage": int((end - change.changed_at).total_seconds()),
                "changed_by": change.changed_by,
            }
        )
    return items


# --- changing ----------------------------------------------------------------------------------------------


def _require_open(opportunity: Opportunity) -> None:
    if opportunity.status != "open":
        raise OpportunityClosed(f"Opportunity {opportunity.id} is {opportunity.status}.")


def update_opportunity(
    *,
    uow: crmkit.UnitOfWork,
    opportunity_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Opportunity:
    """Change an open opportunity's details or owner (no event: business events mark stage moves and outcomes)."""
    with uow:
        session = uow.session
        opportunity = _load_for_edit(session, opportunity_id, actor)
        crmkit.check_version(opportunity.version, expected_version)
        _require_open(opportunity)
        fields = dict(data)
        if fields.get("owner_id"):
            owner = _owner(session, fields.pop("owner_id"), actor)
            access.require_edit(actor, *owner)
            opportunity.owner_id, opportunity.owner_team = owner
        for field, value in fields.items():
            setattr(opportunity, field, value)
        opportunity.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return opportunity


def move_to_stage(
    *,
    uow: crmkit.UnitOfWork,
    opportunity_id: str,
    data: Mapping[str, Any],
    actor: crmkit.Principal,
) -> Opportunity:
    """Move to another stage of the pipeline; a won stage wins it, a lost stage loses it (reason needed)."""
    with uow:
        session = uow.session
        opportunity = _load_for_edit(session, opportunity_id, actor)
        _require_open(opportunity)
        pipeline = pipeline_for(session, opportunity.pipeline_id)
        stage = pipeline.stage(data["stage_id"])
        if stage is None:
            raise StageInvalid(
                f"Stage {data['stage_id']} is not in the opportunity's pipeline.",
                errors=[
                    {
                        "field": "stage_id",
                        "message": "must be a stage of the opportunity's pipeline",
                        "in": "json",
                    }
                ],
            )
        if stage.outcome == "won":
            mark_won(session, opportunity, actor)
        elif stage.outcome == "lost":
            mark_lost(
                session,
                opportunity,
                actor,
                loss_reason_id=data.get("loss_reason_id"),
                note=data.get("loss_note"),
            )
        elif stage.id != opportunity.stage_id:
            _change_stage(session, opportunity, stage, actor_id=actor.subject, now=utcnow())
        uow.commit()
    return opportunity


def _enter(opportunity: Opportunity, stage: Stage, actor_id: str, now: datetime, session: Session) -> int:
    """Put the opportunity in `stage`, logging the move; return the seconds spent in the stage it left."""
    seconds = max(0, int((now - opportunity.stage_entered_at).total_seconds()))
    session.add(
        StageChange(
            opportunity_id=opportunity.id,
            from_stage_id=opportunity.stage_id,
            to_stage_id=stage.id,
            changed_at=now,
            changed_by=actor_id,
            seconds_in_previous_stage=seconds,
        )
    )
    opportunity.stage_id, opportunity.stage_entered_at = stage.id, now
    opportunity.probability = stage.probability
    opportunity.updated_at = now
    return seconds


def _change_stage(
    session: Session, opportunity: Opportunity, stage: Stage, *, actor_id: str, now: datetime
) -> None:
    before = _state(session, opportunity)
    previous = opportunity.stage_id
    seconds = _enter(opportunity, stage, actor_id, now, session)
    opportunity.forecast_category = default_category(stage.probability)
    session.flush()
    _record(
        session,
        catalog.OPPORTUNITY_STAGE_CHANGED,
        opportunity,
        before,
        from_stage_id=previous,
        seconds_in_previous_stage=seconds,
    )


def _actor_id(actor: crmkit.Principal | str) -> str:
    return actor if isinstance(actor, str) else actor.subject


def mark_won(session: Session, opportunity: Opportunity, actor: crmkit.Principal | str) -> None:
    """Win an open opportunity (its pipeline's won stage, probability 100, closed won); no-op when won."""
    if opportunity.status == "won":
        return
    _require_open(opportunity)
    now = utcnow()
    pipeline = pipeline_for(session, opportunity.pipeline_id)
    before = _state(session, opportunity)
    won = pipeline.stage_with_outcome("won")
    if won is not None:
        _enter(opportunity, won, _actor_id(actor), now, session)
    opportunity.status, opportunity.probability, opportunity.forecast_category = "won", 100, "closed_won"
    opportunity.closed_at = opportunity.updated_at = now
    session.flush()
    _record(session, catalog.OPPORTUNITY_WON, opportunity, before)


def mark_lost(
    session: Session,
    opportunity: Opportunity,
    actor: crmkit.Principal | str,
    *,
    loss_reason_id: str | None,
    note: str | None = None,
) -> None:
    """Lose an open opportunity with a reason from the list (lost deals never count in a forecast)."""
    _require_open(opportunity)
    reason = session.get(LossReason, loss_reason_id) if loss_reason_id else None
    if reason is None or not reason.active:
        raise LossReasonInvalid(
            "A lost opportunity needs an active reason from the loss reason list.",
            errors=[{"field": "loss_reason_id", "message": "must be an active loss reason", "in": "json"}],
        )
    now = utcnow()
    pipeline = pipeline_for(session, opportunity.pipeline_id)
    before = _state(session, opportunity)
    lost = pipeline.stage_with_outcome("lost")
    if lost is not None:
        _enter(opportunity, lost, _actor_id(actor), now, session)
    opportunity.status, opportunity.probability, opportunity.forecast_category = "lost", 0, "omitted"
    opportunity.loss_reason_id, opportunity.loss_note = reason.id, note
    opportunity.closed_at = opportunity.updated_at = now
    session.flush()
    _record(session, catalog.OPPORTUNITY_LOST, opportunity, before)


def win_opportunity(*, uow: crmkit.UnitOfWork, opportunity_id: str, actor: crmkit.Principal) -> Opportunity:
    with uow:
        opportunity = _load_for_edit(uow.session, opportunity_id, actor)
        _require_open(opportunity)
        mark_won(uow.session, opportunity, actor)
        uow.commit()
    return opportunity


def lose_opportunity(
    *, uow: crmkit.UnitOfWork, opportunity_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Opportunity:
    with uow:
        opportunity = _load_for_edit(uow.session, opportunity_id, actor)
        mark_lost(
            uow.session, opportunity, actor, loss_reason_id=data["loss_reason_id"], note=data.get("note")
        )
        uow.commit()
    return opportunity


# --- events ------------------------------------------------------------------------------------------------


def _state(session: Session, opportunity: Opportunity) -> dict[str, Any]:
    stage = session.get(Stage, opportunity.stage_id)
    reason = session.get(LossReason, opportunity.loss_reason_id) if opportunity.loss_reason_id else None
    return opportunity_state(
        opportunity, stage_name=stage.name if stage else "", loss_reason=reason.name if reason else None
    )


def _record(
    session: Session,
    event_type: EventType,
    opportunity: Opportunity,
    before: Mapping[str, Any] | None = None,
    **extra: Any,
) -> None:
    state = _state(session, opportunity)
    if before is not None:
        state["changes"] = diff(before, state)
    record(session, event_type, subject=opportunity.id, data={**state, **extra}, sequence=opportunity.version)
