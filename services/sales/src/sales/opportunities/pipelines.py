"""Pipeline and loss reason use cases: ordered stages with default probabilities, the default pipeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales.opportunities.errors import (
    LossReasonExists,
    LossReasonNotFound,
    PipelineExists,
    PipelineInUse,
    PipelineInvalid,
    PipelineNotFound,
)
from sales.opportunities.models import LossReason, Opportunity, Pipeline, Stage


def check_stages(stages: Sequence[Mapping[str, Any]]) -> None:
    """Open stages first (at least one), then exactly one won and one lost stage; names distinct."""
    outcomes = [stage.get("outcome", "open") for stage in stages]
    problems = []
    if outcomes.count("won") != 1 or outcomes.count("lost") != 1 or "open" not in outcomes:
        problems.append("needs at least one open stage and exactly one won and one lost stage")
    names = [str(stage["name"]).casefold() for stage in stages]
    if len(set(names)) != len(names):
        problems.append("stage names must differ")
    if problems:
        raise PipelineInvalid(
            "The stages do not make a pipeline.",
            errors=[{"field": "stages", "message": problem, "in": "json"} for problem in problems],
        )


def _probability(stage: Mapping[str, Any]) -> int:
    outcome = stage.get("outcome", "open")
    if outcome == "won":
        return 100
    if outcome == "lost":
        return 0
    return int(stage["probability"])


def _load(session: Session, pipeline_id: str) -> Pipeline:
    pipeline = session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise PipelineNotFound(f"There is no pipeline {pipeline_id}.")
    return pipeline


def _make_default(session: Session, pipeline: Pipeline) -> None:
    session.execute(sa.update(Pipeline).where(Pipeline.id != pipeline.id).values(is_default=False))
    pipeline.is_default = True


def list_pipelines(*, uow: crmkit.UnitOfWork) -> list[Pipeline]:
    with uow:
        return list(uow.session.scalars(sa.select(Pipeline).order_by(Pipeline.name)))


def get_pipeline(*, uow: crmkit.UnitOfWork, pipeline_id: str) -> Pipeline:
    with uow:
        return _load(uow.session, pipeline_id)


def create_pipeline(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> Pipeline:
    check_stages(data["stages"])
    now = utcnow()
    with uow:
        session = uow.session
        if session.scalar(sa.select(Pipeline.id).where(Pipeline.name == data["name"])):
            raise PipelineExists(f"A pipeline named {data['name']!r} exists already.")
        pipeline = Pipeline(name=data["name"], is_default=False, created_at=now, updated_at=now)
        pipeline.stages = [
            Stage(
                name=stage["name"],
                position=index,
                probability=_probability(stage),
                outcome=stage.get("outcome", "open"),
            )
            for index, stage in enumerate(data["stages"])
        ]
        session.add(pipeline)
        has_default = session.scalar(sa.select(Pipeline.id).where(Pipeline.is_default.is_(True)))
        if data.get("is_default") or not has_default:
            session.flush()
            _make_default(session, pipeline)
        uow.flush()
        uow.commit()
    return pipeline


def update_pipeline(
    *, uow: crmkit.UnitOfWork, pipeline_id: str, data: Mapping[str, Any], expected_version: int
) -> Pipeline:
    """Rename, make default, or replace the stage list (stages named by id are kept, others added/removed)."""
    with uow:
        session = uow.session
        pipeline = _load(session, pipeline_id)
        crmkit.check_version(pipeline.version, expected_version)
        if "name" in data:
            pipeline.name = data["name"]
        if data.get("is_default"):
            _make_default(session, pipeline)
        if "stages" in data:
            _replace_stages(session, pipeline, data["stages"])
        pipeline.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return pipeline


def _replace_stages(session: Session, pipeline: Pipeline, wanted: Sequence[Mapping[str, Any]]) -> None:
    check_stages(wanted)
    current = {stage.id: stage for stage in pipeline.stages}
    kept_ids = {item["id"] for item in wanted if item.get("id")}
    unknown = kept_ids - set(current)
    if unknown:
        raise PipelineInvalid(
            "Stages named by id must belong to this pipeline.",
            errors=[
                {
                    "field": "stages",
                    "message": f"unknown stage ids: {', '.join(sorted(unknown))}",
                    "in": "json",
                }
            ],
        )
    removed = set(current) - kept_ids
    if removed and session.scalar(
        sa.select(Opportunity.id).where(Opportunity.stage_id.in_(removed)).limit(1)
    ):
        raise PipelineInUse("A stage to remove still holds opportunities; move them first.")
    stages = []
    for index, item in enumerate(wanted):
        stage = current[item["id"]] if item.get("id") else Stage()
        stage.name, stage.position = item["name"], index
        stage.probability, stage.outcome = _probability(item), item.get("outcome", "open")
        stages.append(stage)
    pipeline.stages = stages


def list_loss_reasons(*, uow: crmkit.UnitOfWork, include_inactive: bool) -> list[LossReason]:
    stmt = sa.select(LossReason).order_by(LossReason.name)
    if not include_inactive:
        stmt = stmt.where(LossReason.active.is_(True))
    with uow:
        return list(uow.session.scalars(stmt))


def create_loss_reason(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> LossReason:
    with uow:
        if uow.session.scalar(sa.select(LossReason.id).where(LossReason.name == data["name"])):
            raise LossReasonExists(f"The loss reason {data['name']!r} exists already.")
        reason = LossReason(name=data["name"], active=data.get("active", True), created_at=utcnow())
        uow.session.add(reason)
        uow.flush()
        uow.commit()
    return reason


def update_loss_reason(*, uow: crmkit.UnitOfWork, reason_id: str, data: Mapping[str, Any]) -> LossReason:
    with uow:
        reason = uow.session.get(LossReason, reason_id)
        if reason is None:
            raise LossReasonNotFound(f"There is no loss reason {reason_id}.")
        for field, value in data.items():
            setattr(reason, field, value)
        uow.flush()
        uow.commit()
    return reason
