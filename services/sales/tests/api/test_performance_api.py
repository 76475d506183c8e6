"""Performance per rep and team through HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

import crmkit
from crmkit.db import transaction
from sales.activities.models import Activity
from sales.leads.models import Lead
from sales.opportunities.models import LossReason, Opportunity
from sales.opportunities.service import mark_lost, mark_won

Headers = dict[str, str]
NOW = datetime.now(UTC)
PERIOD = f"from={(NOW - timedelta(days=1)).date()}&to={(NOW + timedelta(days=1)).date()}"


def _seed(database: crmkit.Database, seed_opportunity: Callable[..., str]) -> None:
    """rep-1 wins 10000 EUR and USD 1000, loses one; rep-3 (south) wins 4000; leads and activities."""
    won = [seed_opportunity(amount="10000"), seed_opportunity(amount="1000", currency="USD")]
    lost = seed_opportunity(amount="500")
    south = seed_opportunity(owner=("rep-3", "south"), amount="4000")
    with transaction(database) as session:
        for opportunity_id in (*won, south):
            opportunity = session.get_one(Opportunity, opportunity_id)
            opportunity.created_at = NOW - timedelta(days=10)
            mark_won(session, opportunity, "test")
        reason = LossReason(name="Performance test reason", created_at=NOW)
        session.add(reason)
        session.flush()
        mark_lost(session, session.get_one(Opportunity, lost), "test", loss_reason_id=reason.id)
        for status in ("converted", "working", "new", "converted"):
            session.add(
                Lead(
                    status=status,
                    owner_id="rep-1",
                    owner_team="north",
                    source="api",
                    last_name="L",
                    tier="standard",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        for kind in ("call", "call", "visit"):
            session.add(
                Activity(
                    kind=kind,
                    subject="x",
                    owner_id="rep-1",
                    owner_team="north",
                    status="completed",
                    due_at=NOW,
                    completed_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                    created_by="rep-1",
                )
            )
        session.add(
            Activity(
                kind="call",
                subject="x",
                owner_id="rep-1",
                owner_team="north",
                status="planned",
                due_at=NOW,
                created_at=NOW,
                updated_at=NOW,
                created_by="rep-1",
            )
        )


def test_reports_each_reps_period(
    client: FlaskClient,
    management: Headers,
    database: crmkit.Database,
    seed_opportunity: Callable[..., str],
    price_book: Any,
) -> None:
    _seed(database, seed_opportunity)
    body = client.get(f"/api/v1/sales-performance?{PERIOD}", headers=management).json
    rows = {row["owner_id"]: row for row in body["rows"]}
    rep1 = rows["rep-1"]
    assert (rep1["won_amount"], rep1["won_deals"], rep1["lost_deals"]) == ("10900.00", 2, 1)
    assert rep1["win_rate_percent"] == "66.67"
    assert (rep1["leads"], rep1["converted_leads"], rep1["lead_conversion_percent"]) == (4, 2, "50.00")
    assert rep1["average_cycle_days"] == "10.0"
    assert rep1["activities"] == {"call": 2, "meeting": 0, "task": 0, "visit": 1, "total": 3}
    assert rows["rep-3"]["won_amount"] == "4000.00" and rows["rep-3"]["win_rate_percent"] == "100.00"


def test_groups_by_team_and_narrows_to_what_the_caller_sees(
    client: FlaskClient,
    management: Headers,
    rep: Headers,
    database: crmkit.Database,
    seed_opportunity: Callable[..., str],
    price_book: Any,
) -> None:
    _seed(database, seed_opportunity)
    teams = client.get(f"/api/v1/sales-performance?{PERIOD}&group_by=team", headers=management).json["rows"]
    assert [(row["owner_team"], row["won_amount"]) for row in teams] == [
        ("north", "10900.00"),
        ("south", "4000.00"),
    ]
    mine = client.get(f"/api/v1/sales-performance?{PERIOD}", headers=rep).json["rows"]
    assert [row["owner_id"] for row in mine] == ["rep-1"]


def test_bad_period_is_named(client: FlaskClient, rep: Headers) -> None:
    response = client.get("/api/v1/sales-performance?from=2026-02-01&to=2026-01-01", headers=rep)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "to"
    wrong = client.get(f"/api/v1/sales-performance?{PERIOD}&group_by=region", headers=rep)
    assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "group_by"
