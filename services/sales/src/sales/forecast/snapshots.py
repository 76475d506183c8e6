"""Immutable forecast snapshots: taken weekly by a job and on demand by a manager; never updated.

Forecast accuracy compares a snapshot with what was actually won in its period since.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales import access
from sales.catalog.fields import base_currency
from sales.forecast.errors import SnapshotNotFound
from sales.forecast.maths import Bucket, accuracy, close_month, summarise, total
from sales.forecast.models import ForecastSnapshot, SnapshotLine
from sales.forecast.period import check_period, quarter_of, utc_bounds, week_start
from sales.forecast.service import counted_opportunities, load_deals
from sales.opportunities.models import Opportunity
from sales.quotes.pricing import ZERO
from sales.roles import OPPORTUNITY_READERS

FIGURES = ("pipeline", "best_case", "commit", "closed_won", "weighted", "deals")


def take_snapshot(
    session: Session, *, now: datetime, kind: str, taken_by: str | None, start: date, end: date
) -> ForecastSnapshot:
    """Write the forecast of every owner, per close month, as it stands at `now` (the caller commits)."""
    deals = load_deals(session, counted_opportunities(start, end))
    buckets = summarise(deals, lambda deal: (deal.owner_id, close_month(deal.close_date), deal.owner_team))
    snapshot = ForecastSnapshot(
        kind=kind,
        weekly_key=week_start(now.date()) if kind == "weekly" else None,
        week_start=week_start(now.date()),
        taken_at=now,
        taken_by=taken_by,
        period_start=start,
        period_end=end,
        base_currency=base_currency(),
        **_figures(total(deals)),
        lines=[
            SnapshotLine(owner_id=owner, close_month=month, owner_team=team, **_figures(bucket))
            for (owner, month, team), bucket in _keyed(buckets)
        ],
    )
    session.add(snapshot)
    return snapshot


def _keyed(buckets: Mapping[Any, Bucket]) -> list[tuple[tuple[str, str, str | None], Bucket]]:
    return [(key, bucket) for key, bucket in buckets.items()]


def _figures(bucket: Bucket) -> dict[str, Any]:
    return {name: getattr(bucket, name) for name in FIGURES}


def weekly_snapshot(session: Session, now: datetime) -> int:
    """The periodic job: snapshot the current quarter once per ISO week; return 1 when taken, 0 when the
    week has one already."""
    monday = week_start(now.date())
    if session.scalar(sa.select(ForecastSnapshot.id).where(ForecastSnapshot.weekly_key == monday)):
        return 0
    start, end = quarter_of(now.date())
    take_snapshot(session, now=now, kind="weekly", taken_by=None, start=start, end=end)
    session.flush()
    return 1


def create_snapshot(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> ForecastSnapshot:
    """Take a snapshot now (a manager, on demand); the period defaults to the current quarter."""
    now = utcnow()
    default_start, default_end = quarter_of(now.date())
    start, end = data.get("period_start") or default_start, data.get("period_end") or default_end
    check_period(start, end, start_field="period_start", end_field="period_end", location="json")
    with uow:
        snapshot = take_snapshot(
            uow.session, now=now, kind="on_demand", taken_by=actor.subject, start=start, end=end
        )
        uow.commit()
    return snapshot


def load_snapshot(session: Session, snapshot_id: str) -> ForecastSnapshot:
    snapshot = session.get(ForecastSnapshot, snapshot_id)
    if snapshot is None:
        raise SnapshotNotFound(f"There is no forecast snapshot {snapshot_id}.")
    return snapshot


def visible_lines(snapshot: ForecastSnapshot, actor: crmkit.Principal) -> list[SnapshotLine]:
    return [
        line
        for line in snapshot.lines
        if access.can_view(actor, line.owner_id, line.owner_team, OPPORTUNITY_READERS)
    ]


def snapshot_view(snapshot: ForecastSnapshot, actor: crmkit.Principal) -> dict[str, Any]:
    """The snapshot with the lines the caller may see and their totals."""
    lines = visible_lines(snapshot, actor)
    return {
        **{column: getattr(snapshot, column) for column in _HEADER},
        "totals": _sum_lines(lines),
        "lines": lines,
    }


_HEADER = ("id", "kind", "week_start", "taken_at", "taken_by", "period_start", "period_end", "base_currency")


def _sum_lines(lines: Iterable[SnapshotLine]) -> dict[str, Any]:
    sums: dict[str, Any] = {name: ZERO for name in FIGURES}
    sums["deals"] = 0
    for line in lines:
        for name in FIGURES:
            sums[name] += getattr(line, name)
    return sums


def get_snapshot(*, uow: crmkit.UnitOfWork, snapshot_id: str, actor: crmkit.Principal) -> dict[str, Any]:
    """Read a snapshot (lines narrowed to the owners the caller may see)."""
    with uow:
        return snapshot_view(load_snapshot(uow.session, snapshot_id), actor)


def list_snapshots(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    """Page through snapshots, newest first."""
    stmt = sa.select(ForecastSnapshot)
    if query.get("kind"):
        stmt = stmt.where(ForecastSnapshot.kind == query["kind"])
    sort = crmkit.parse_sort(
        query.get("sort"), {"taken_at": ForecastSnapshot.taken_at}, "-taken_at", ForecastSnapshot.id
    )
    with uow:
        page = crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])
        return crmkit.Page([snapshot_view(item, actor) for item in page.items], page.next_cursor)


def snapshot_accuracy(*, uow: crmkit.UnitOfWork, snapshot_id: str, actor: crmkit.Principal) -> dict[str, Any]:
    """Compare a snapshot with what was actually won in its period (by now), overall and per owner.

    Two forecasts are measured: `weighted` (the weighted pipeline) and `commit` (commit + closed won at the
    time of the snapshot). accuracy = 100 - |actual - forecast| / actual * 100, at least 0.
    """
    with uow:
        snapshot = load_snapshot(uow.session, snapshot_id)
        lines = visible_lines(snapshot, actor)
        low, high = utc_bounds(snapshot.period_start, snapshot.period_end)
        won = access.visible(
            sa.select(Opportunity).where(
                Opportunity.status == "won", Opportunity.closed_at >= low, Opportunity.closed_at < high
            ),
            actor,
            Opportunity.owner_id,
            Opportunity.owner_team,
            OPPORTUNITY_READERS,
        )
        deals = load_deals(uow.session, won)
    actual_by_owner: dict[str, Decimal] = {}
    for deal in deals:
        actual_by_owner[deal.owner_id] = actual_by_owner.get(deal.owner_id, ZERO) + deal.amount
    owners = sorted({line.owner_id for line in lines} | set(actual_by_owner))
    rows = [
        _accuracy_row([line for line in lines if line.owner_id == owner], actual_by_owner.get(owner, ZERO))
        | {"owner_id": owner}
        for owner in owners
    ]
    return {
        "snapshot_id": snapshot.id,
        "taken_at": snapshot.taken_at,
        "period_start": snapshot.period_start,
        "period_end": snapshot.period_end,
        "base_currency": snapshot.base_currency,
        "totals": _accuracy_row(lines, sum(actual_by_owner.values(), ZERO)),
        "owners": rows,
    }


def _accuracy_row(lines: list[SnapshotLine], actual: Decimal) -> dict[str, Any]:
    sums = _sum_lines(lines)
    commit = sums["commit"] + sums["closed_won"]
    return {
        "forecast_weighted": sums["weighted"],
        "forecast_commit": commit,
        "actual_won": actual,
        "accuracy_weighted_percent": accuracy(sums["weighted"], actual),
        "accuracy_commit_percent": accuracy(commit, actual),
    }
