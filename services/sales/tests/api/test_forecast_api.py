"""Forecast, quotas and snapshots through HTTP, plus the weekly snapshot job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

import crmkit
from crmkit.db import transaction
from sales.forecast.models import ForecastSnapshot, SnapshotImmutable
from sales.forecast.period import quarter_of
from sales.forecast.snapshots import weekly_snapshot
from sales.opportunities.models import LossReason, Opportunity
from sales.opportunities.service import mark_lost, mark_won

Headers = dict[str, str]
TODAY = datetime.now(UTC).date()
START, END = quarter_of(TODAY)
PERIOD = f"from={START.isoformat()}&to={END.isoformat()}"


@pytest.fixture
def close(database: crmkit.Database) -> Callable[[str, str], None]:
    """close(opportunity_id, "won" | "lost"): decide a deal now, as S1's use cases do."""

    def decide(opportunity_id: str, outcome: str) -> None:
        with transaction(database) as session:
            opportunity = session.get_one(Opportunity, opportunity_id)
            if outcome == "won":
                mark_won(session, opportunity, "test")
            else:
                reason = LossReason(name=f"Price {opportunity_id}", created_at=datetime.now(UTC))
                session.add(reason)
                session.flush()
                mark_lost(session, opportunity, "test", loss_reason_id=reason.id)

    return decide


@pytest.fixture
def pipeline(
    seed_opportunity: Callable[..., str], close: Callable[[str, str], None], price_book: Any
) -> dict[str, str]:
    """rep-1: 10000 pipeline @10 %, USD 1000 best case @60 %, a lost 7777; rep-2: 5000 commit @90 %;
    rep-3 (south): 4000 won today."""
    ids = {
        "pipeline": seed_opportunity(
            amount="10000", probability=10, forecast_category="pipeline", close=START
        ),
        "best_case": seed_opportunity(
            amount="1000", currency="USD", probability=60, forecast_category="best_case", close=END
        ),
        "lost": seed_opportunity(amount="7777", probability=50, close=START),
        "commit": seed_opportunity(
            owner=("rep-2", "north"), amount="5000", probability=90, forecast_category="commit", close=START
        ),
        "won": seed_opportunity(owner=("rep-3", "south"), amount="4000", close=TODAY),
    }
    close(ids["lost"], "lost")
    close(ids["won"], "won")
    return ids


def test_forecast_sums_categories_in_the_base_currency(
    client: FlaskClient, management: Headers, pipeline: dict[str, str]
) -> None:
    body = client.get(f"/api/v1/forecast?{PERIOD}&group_by=owner", headers=management).json
    assert body["base_currency"] == "EUR"
    assert body["totals"] == {
        "pipeline": "10000.00",
        "best_case": "900.00",  # USD 1000 at 0.9
        "commit": "5000.00",
        "closed_won": "4000.00",
        "weighted": "10040.00",  # 1000 + 540 + 4500 + 4000; the lost deal never counts
        "deals": 4,
    }
    by_owner = {row["owner_id"]: row for row in body["rows"]}
    assert set(by_owner) == {"rep-1", "rep-2", "rep-3"}
    assert by_owner["rep-1"]["weighted"] == "1540.00"


def test_a_rep_sees_their_own_forecast_and_a_manager_their_team(
    client: FlaskClient, rep: Headers, manager: Headers, pipeline: dict[str, str]
) -> None:
    mine = client.get(f"/api/v1/forecast?{PERIOD}&group_by=owner", headers=rep).json
    assert [row["owner_id"] for row in mine["rows"]] == ["rep-1"]
    team = client.get(f"/api/v1/forecast?{PERIOD}&group_by=team", headers=manager).json
    assert [(row["owner_team"], row["commit"]) for row in team["rows"]] == [("north", "5000.00")]


def test_forecast_groups_by_month_and_team(
    client: FlaskClient, management: Headers, pipeline: dict[str, str]
) -> None:
    body = client.get(f"/api/v1/forecast?{PERIOD}&group_by=month,team", headers=management).json
    keys = {(row["close_month"], row["owner_team"]) for row in body["rows"]}
    assert (f"{END:%Y-%m}", "north") in keys and (f"{TODAY:%Y-%m}", "south") in keys


def test_bad_forecast_queries_are_named(client: FlaskClient, rep: Headers) -> None:
    backwards = client.get("/api/v1/forecast?from=2026-03-01&to=2026-01-01", headers=rep)
    assert backwards.status_code == 422 and backwards.json["code"] == "sales.forecast.period_invalid"
    assert backwards.json["errors"][0]["field"] == "to"
    unknown = client.get(f"/api/v1/forecast?{PERIOD}&group_by=planet", headers=rep)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "group_by"
    missing = client.get("/api/v1/forecast", headers=rep)
    assert {error["field"] for error in missing.json["errors"]} == {"from", "to"}


def test_quota_attainment_counts_won_deals_in_the_period(
    client: FlaskClient,
    manager: Headers,
    rep: Headers,
    south_rep: Headers,
    seed_opportunity: Callable[..., str],
    close: Callable[[str, str], None],
    patch_json: Any,
) -> None:
    body = {
        "owner_id": "rep-1",
        "owner_team": "north",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "amount": "20000",
    }
    quota = client.post("/api/v1/quotas", json=body, headers=manager)
    assert quota.status_code == 201, quota.json
    assert (quota.json["won_amount"], quota.json["attainment_percent"]) == ("0.00", "0.00")
    assert client.post("/api/v1/quotas", json=body, headers=manager).json["code"] == "sales.quota.exists"
    close(seed_opportunity(amount="5000"), "won")
    mine = client.get("/api/v1/quotas", headers=rep).json["items"]
    assert [(item["won_amount"], item["attainment_percent"]) for item in mine] == [("5000.00", "25.00")]
    assert client.get("/api/v1/quotas", headers=south_rep).json["items"] == []
    changed = patch_json(
        f"/api/v1/quotas/{quota.json['id']}", {"amount": "10000"}, manager, quota.json["version"]
    )
    assert changed.json["attainment_percent"] == "50.00"
    south = {**body, "owner_id": "rep-3", "owner_team": "south"}
    assert client.post("/api/v1/quotas", json=south, headers=manager).status_code == 403


def test_on_demand_snapshot_and_its_accuracy(
    client: FlaskClient,
    manager: Headers,
    management: Headers,
    rep: Headers,
    pipeline: dict[str, str],
    close: Callable[[str, str], None],
) -> None:
    assert client.post("/api/v1/forecast-snapshots", json={}, headers=rep).status_code == 403
    taken = client.post("/api/v1/forecast-snapshots", json={}, headers=management)
    assert taken.status_code == 201, taken.json
    snapshot = taken.json
    assert snapshot["kind"] == "on_demand" and snapshot["totals"]["weighted"] == "10040.00"
    close(pipeline["commit"], "won")  # rep-2 wins the 5000 commit deal after the snapshot
    accuracy = client.get(f"/api/v1/forecast-snapshots/{snapshot['id']}/accuracy", headers=management).json
    assert accuracy["totals"]["actual_won"] == "9000.00"
    assert accuracy["totals"]["forecast_commit"] == "9000.00"
    assert accuracy["totals"]["accuracy_commit_percent"] == "100.00"
    assert accuracy["totals"]["forecast_weighted"] == "10040.00"
    rep2 = next(row for row in accuracy["owners"] if row["owner_id"] == "rep-2")
    assert (rep2["forecast_weighted"], rep2["actual_won"], rep2["accuracy_weighted_percent"]) == (
        "4500.00",
        "5000.00",
        "90.00",
    )
    again = client.get(f"/api/v1/forecast-snapshots/{snapshot['id']}", headers=management).json
    assert again["totals"] == snapshot["totals"]  # the snapshot did not move
    narrowed = client.get(f"/api/v1/forecast-snapshots/{snapshot['id']}", headers=rep).json
    assert {line["owner_id"] for line in narrowed["lines"]} == {"rep-1"}
    assert (
        client.patch(f"/api/v1/forecast-snapshots/{snapshot['id']}", json={}, headers=management).status_code
        == 405
    )


def test_weekly_job_takes_one_snapshot_per_week_and_snapshots_never_change(
    database: crmkit.Database, client: FlaskClient, management: Headers, pipeline: dict[str, str]
) -> None:
    monday = datetime.combine(TODAY - timedelta(days=TODAY.weekday()), datetime.min.time(), UTC)
    with transaction(database) as session:
        assert weekly_snapshot(session, monday + timedelta(hours=6)) == 1
    with transaction(database) as session:
        assert weekly_snapshot(session, monday + timedelta(days=2)) == 0
    with transaction(database) as session:
        assert weekly_snapshot(session, monday + timedelta(days=7)) == 1
    listed = client.get("/api/v1/forecast-snapshots?kind=weekly", headers=management).json["items"]
    assert [item["week_start"] for item in listed] == [
        (monday + timedelta(days=7)).date().isoformat(),
        monday.date().isoformat(),
    ]
    with pytest.raises(SnapshotImmutable), transaction(database) as session:
        row = session.scalars(sa.select(ForecastSnapshot)).first()
        assert row is not None
        row.weighted = row.weighted + 1
        session.flush()


def test_jobs_are_registered() -> None:
    from sales.jobs import JOBS

    assert {"forecast-weekly-snapshot", "quotes-expire"} <= {job.name for job in JOBS}
    assert date.today() >= START


def test_snapshot_and_quota_periods_are_checked(client: FlaskClient, manager: Headers) -> None:
    body = {"period_start": "2026-03-01", "period_end": "2026-01-01"}
    snapshot = client.post("/api/v1/forecast-snapshots", json=body, headers=manager)
    assert snapshot.status_code == 422 and snapshot.json["errors"][0] == {
        "field": "period_end",
        "message": "must not be before period_start",
        "in": "json",
    }
    quota = client.post("/api/v1/quotas", json={**body, "owner_id": "rep-1", "amount": "1"}, headers=manager)
    assert quota.status_code == 422 and quota.json["code"] == "sales.forecast.period_invalid"
    missing = client.get("/api/v1/forecast-snapshots/nope/accuracy", headers=manager)
    assert missing.status_code == 404 and missing.json["code"] == "sales.forecast_snapshot.not_found"
