"""Survey results: count, average rating and CSAT (share of 4s and 5s) per agent, group, account or period."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

import crmkit
from service_desk.surveys.errors import SurveyQueryInvalid
from service_desk.surveys.models import Survey

DIMENSIONS = {"agent": Survey.agent_id, "group": Survey.group_id, "account": Survey.account_id}
PERIODS = ("day", "week", "month")
SATISFIED = 4  # ratings of 4 and 5 count as satisfied (CSAT)


def survey_results(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Answered surveys in [from, to), overall and grouped by agent, group, account or period."""
    start, end = query["from"], query["to"]
    if end <= start:
        raise SurveyQueryInvalid(
            "The period is empty.", errors=[{"field": "to", "message": "must be after from", "in": "query"}]
        )
    with uow:
        stmt = sa.select(Survey).where(Survey.answered_at >= start, Survey.answered_at < end)
        for name, column in DIMENSIONS.items():
            if query.get(f"{name}_id"):
                stmt = stmt.where(column == query[f"{name}_id"])
        answered = list(uow.session.scalars(stmt))
    by = query.get("group_by")
    return {
        "from": start,
        "to": end,
        "group_by": by,
        "overall": summarize(answered),
        "groups": _grouped(answered, by) if by else [],
    }


def summarize(surveys: list[Survey]) -> dict[str, Any]:
    ratings = [survey.rating for survey in surveys if survey.rating is not None]
    count = len(ratings)
    return {
        "responses": count,
        "average_rating": round(sum(ratings) / count, 2) if count else None,
        "csat_percent": round(100 * sum(1 for r in ratings if r >= SATISFIED) / count, 1) if count else None,
        "distribution": {str(score): ratings.count(score) for score in range(1, 6)},
        "low_ratings": sum(1 for survey in surveys if survey.action_taken is not None),
    }


def _grouped(surveys: list[Survey], by: str) -> list[dict[str, Any]]:
    buckets: dict[str | None, list[Survey]] = {}
    for survey in surveys:
        buckets.setdefault(_key(survey, by), []).append(survey)
    return [
        {"key": key, **summarize(items)} for key, items in sorted(buckets.items(), key=lambda kv: kv[0] or "")
    ]


def _key(survey: Survey, by: str) -> str | None:
    if by in DIMENSIONS:
        value: str | None = getattr(survey, DIMENSIONS[by].key)
        return value
    answered = survey.answered_at
    assert answered is not None
    return period_key(answered, by)


def period_key(moment: datetime, period: str) -> str:
    """The period a moment falls in: 2026-03-02 (day), 2026-W10 (ISO week), 2026-03 (month)."""
    if period == "day":
        return moment.date().isoformat()
    if period == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{moment.year}-{moment.month:02d}"
