"""Service reports: backlog, business-time response and resolution, SLA attainment, CSAT, complaints."""

from __future__ import annotations

from datetime import UTC, datetime

PERIOD = "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z"


def test_backlog_by_state_group_and_priority(client, manager, agent, open_ticket, set_status) -> None:
    group = client.post("/api/v1/ticket-groups", json={"name": "Billing"}, headers=manager).json
    first = open_ticket(priority="high", group_id=group["id"])
    set_status(first["id"], "pending")
    open_ticket(priority="low")
    done = open_ticket()
    set_status(done["id"], "resolved")
    report = client.get("/api/v1/service-reports/backlog", headers=manager).json
    assert report["total"] == 2
    assert report["by_status"] == {"new": 1, "open": 0, "pending": 1}
    assert (report["by_priority"]["high"], report["by_priority"]["low"], report["by_priority"]["normal"]) == (
        1,
        1,
        0,
    )
    assert report["by_group"] == [
        {"group_id": group["id"], "name": "Billing", "count": 1},
        {"group_id": None, "name": None, "count": 1},
    ]
    assert client.get("/api/v1/service-reports/backlog", headers=agent).status_code == 200
    assert client.get("/api/v1/service-reports/backlog").status_code == 401


def test_response_and_resolution_times_are_business_time(
    client, manager, agent, clock, open_ticket, set_status, create_calendar, create_policy
) -> None:
    calendar = create_calendar()
    create_policy(calendar_id=calendar["id"])
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # Monday 16:00; office hours 09-17
    ticket = open_ticket()
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))  # Tuesday 10:00: 2 business hours later
    client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "On it."}, headers=agent)
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    set_status(ticket["id"], "resolved")
    open_ticket()  # not answered yet
    report = client.get(f"/api/v1/service-reports/response-times?{PERIOD}", headers=manager).json
    assert report["first_response"]["average_business_seconds"] == 2 * 3600
    assert (report["first_response"]["tickets"], report["first_response"]["unanswered"]) == (2, 1)
    assert report["resolution"]["median_business_seconds"] == 4 * 3600
    on_calendar = f"/api/v1/service-reports/response-times?{PERIOD}&calendar_id={calendar['id']}"
    assert client.get(on_calendar, headers=manager).json["resolution"]["median_business_seconds"] == 4 * 3600
    unknown = client.get(f"/api/v1/service-reports/response-times?{PERIOD}&calendar_id=nope", headers=manager)
    assert unknown.status_code == 422
    assert unknown.json["code"] == "servicedesk.report.calendar_unknown"


def test_sla_attainment_counts_met_and_breached_clocks(
    client, manager, agent, clock, open_ticket, create_policy, sweep
) -> None:
    create_policy(first_response_seconds=3600, resolution_seconds=8 * 3600)
    met = open_ticket()
    clock.advance(minutes=30)
    client.post(f"/api/v1/tickets/{met['id']}/comments", json={"body": "On it."}, headers=agent)
    open_ticket(subject="Nobody answers this")
    clock.advance(hours=2)
    sweep(clock.now)
    report = client.get(f"/api/v1/service-reports/sla-attainment?{PERIOD}", headers=manager).json
    first = report["clocks"]["first_response"]
    assert (first["clocks"], first["met"], first["breached"], first["attainment_percent"]) == (2, 1, 1, 50.0)
    assert report["clocks"]["resolution"]["running"] == 2


def test_csat_and_complaints_for_the_period(
    client, manager, agent, open_ticket, set_status, customer
) -> None:
    customer()
    open_ticket(type="complaint", priority="high")
    complaint = open_ticket(type="complaint")
    set_status(complaint["id"], "resolved")
    open_ticket()
    complaints = client.get(f"/api/v1/service-reports/complaints?{PERIOD}", headers=manager).json
    assert (complaints["total"], complaints["open"]) == (2, 1)
    assert complaints["by_account"] == [{"account_id": "acc-1", "count": 2}]
    csat = client.get(f"/api/v1/service-reports/csat?{PERIOD}", headers=manager).json
    assert csat["responses"] == 0
    summary = client.get(f"/api/v1/service-reports/summary?{PERIOD}", headers=manager).json
    assert summary["complaints"]["total"] == 2 and summary["backlog"]["total"] == 2


def test_a_bad_period_names_the_field(client, manager) -> None:
    for query in ("", "from=2026-03-01T00:00:00Z", "from=yesterday&to=2026-03-01T00:00:00Z"):
        response = client.get(f"/api/v1/service-reports/csat?{query}", headers=manager)
        assert response.status_code == 422, query
    reversed_period = "from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z"
    response = client.get(f"/api/v1/service-reports/complaints?{reversed_period}", headers=manager)
    assert response.status_code == 422
    assert response.json["code"] == "servicedesk.report.period_invalid"
