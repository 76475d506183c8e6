"""Budget lines, timesheets, expenses, actual cost and earned value through the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def dev(as_role: Callable[..., Headers]) -> Headers:
    return as_role("delivery_member", sub="dev-1")


@pytest.fixture
def project(
    create_project: Callable[..., dict[str, Any]], db_team_member: Callable[..., None]
) -> dict[str, Any]:
    """A project managed by pm-1 with dev-1 on the team."""
    created = create_project()
    db_team_member(created["id"], "dev-1", "team_member")
    return created


def url(project: dict[str, Any], path: str) -> str:
    return f"/api/v1/projects/{project['id']}/{path}"


def add_line(client: FlaskClient, project: dict[str, Any], pm: Headers, **body: Any) -> dict[str, Any]:
    body = {"category": "labour", "role": "Consultant", "quantity": "100", "unit_rate": "60", **body}
    response = client.post(url(project, "budget-lines"), json=body, headers=pm)
    assert response.status_code == 201, response.json
    return dict(response.json)


def submit(client: FlaskClient, project: dict[str, Any], headers: Headers, *entries: tuple[str, str]) -> Any:
    body = {"entries": [{"work_date": day, "hours": hours, "role": "Consultant"} for day, hours in entries]}
    return client.post(url(project, "timesheets"), json=body, headers=headers)


def test_labour_line_costs_role_hours_times_rate_and_material_quantity_times_unit_cost(
    client: FlaskClient, project: dict[str, Any], pm: Headers
) -> None:
    labour = add_line(client, project, pm, quantity="120.5", unit_rate="85")
    material = add_line(
        client,
        project,
        pm,
        category="material",
        role=None,
        description="Server rack",
        quantity="2",
        unit_rate="1499.99",
    )

    assert (labour["amount"], labour["unit"], labour["currency"]) == ("10242.50", "hour", "EUR")
    assert (material["amount"], material["unit"]) == ("2999.98", "each")
    summary = client.get(url(project, "costs"), headers=pm).json
    assert summary["budget_total"] == "13242.48"
    assert summary["budget_by_category"] == [
        {"category": "labour", "amount": "10242.50"},
        {"category": "material", "amount": "2999.98"},
    ]


def test_labour_line_without_role_names_the_field(
    client: FlaskClient, project: dict[str, Any], pm: Headers
) -> None:
    body = {"category": "labour", "quantity": "10", "unit_rate": "50"}

    response = client.post(url(project, "budget-lines"), json=body, headers=pm)

    assert response.status_code == 422
    assert any(error["field"] == "role" for error in response.json["errors"])


def test_budget_line_patch_reprices_and_needs_if_match(
    client: FlaskClient, project: dict[str, Any], pm: Headers, patch_json: Callable[..., Any]
) -> None:
    line = add_line(client, project, pm)
    line_url = url(project, f"budget-lines/{line['id']}")

    assert client.patch(line_url, json={"quantity": "10"}, headers=pm).status_code == 428
    response = patch_json(line_url, {"quantity": "10"}, pm, line["version"])

    assert response.status_code == 200, response.json
    assert response.json["amount"] == "600.00"
    assert client.delete(line_url, headers={**pm, "If-Match": response.headers["ETag"]}).status_code == 204


def test_team_member_cannot_add_budget_lines(
    client: FlaskClient, project: dict[str, Any], dev: Headers
) -> None:
    body = {"category": "labour", "role": "Consultant", "quantity": "1", "unit_rate": "1"}

    response = client.post(url(project, "budget-lines"), json=body, headers=dev)

    assert response.status_code == 403
    assert response.json["code"] == "projects.project_role_required"


def test_approved_timesheet_becomes_actual_cost_and_emits_event(
    client: FlaskClient,
    project: dict[str, Any],
    pm: Headers,
    dev: Headers,
    outbox: Callable[..., list[Any]],
) -> None:
    add_line(client, project, pm, unit_rate="62.5")
    sheet = submit(client, project, dev, ("2026-03-02", "8"), ("2026-03-03", "4.5")).json
    assert (sheet["status"], sheet["total_hours"], sheet["user_id"]) == ("submitted", "12.50", "dev-1")
    assert client.get(url(project, "costs"), headers=pm).json["pending_hours"] == "12.50"

    response = client.post(url(project, f"timesheets/{sheet['id']}/approve"), json={}, headers=pm)

    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["cost_amount"]) == ("approved", "781.25")
    assert [entry["cost"] for entry in response.json["entries"]] == ["500.00", "281.25"]
    summary = client.get(url(project, "costs"), headers=pm).json
    assert (summary["approved_hours"], summary["labour_cost"], summary["actual_cost"]) == (
        "12.50",
        "781.25",
        "781.25",
    )
    assert summary["pending_hours"] == "0.00"
    [event] = outbox("projects.timesheet.approved")
    assert event.subject == sheet["id"]
    assert event.data["project_id"] == project["id"]
    assert (event.data["cost_amount"], event.data["currency"], event.data["decided_by"]) == (
        "781.25",
        "EUR",
        "pm-1",
    )


def test_rejected_timesheet_never_counts_and_needs_a_reason(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    add_line(client, project, pm)
    sheet = submit(client, project, dev, ("2026-03-02", "8")).json
    reject_url = url(project, f"timesheets/{sheet['id']}/reject")

    assert client.post(reject_url, json={}, headers=pm).status_code == 422
    response = client.post(reject_url, json={"comment": "Wrong project"}, headers=pm)

    assert (response.status_code, response.json["status"]) == (200, "rejected")
    assert client.get(url(project, "costs"), headers=pm).json["actual_cost"] == "0.00"
    again = client.post(url(project, f"timesheets/{sheet['id']}/approve"), json={}, headers=pm)
    assert (again.status_code, again.json["code"]) == (409, "projects.timesheet.already_decided")


def test_only_the_project_manager_approves_and_never_their_own_time(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    add_line(client, project, pm)
    dev_sheet = submit(client, project, dev, ("2026-03-02", "8")).json
    pm_sheet = submit(client, project, pm, ("2026-03-02", "2")).json

    by_member = client.post(url(project, f"timesheets/{dev_sheet['id']}/approve"), json={}, headers=dev)
    own = client.post(url(project, f"timesheets/{pm_sheet['id']}/approve"), json={}, headers=pm)

    assert (by_member.status_code, by_member.json["code"]) == (403, "projects.project_role_required")
    assert (own.status_code, own.json["code"]) == (403, "projects.timesheet.self_approval")


def test_timesheet_on_a_completed_project_is_refused_and_nothing_is_written(
    client: FlaskClient,
    project: dict[str, Any],
    pm: Headers,
    dev: Headers,
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    add_line(client, project, pm)
    project_url = f"/api/v1/projects/{project['id']}"
    active = patch_json(project_url, {"status": "active"}, pm, project["version"])
    assert active.status_code == 200, active.json
    completed = patch_json(project_url, {"status": "completed"}, pm, active.json["version"])
    assert completed.status_code == 200, completed.json
    events_before = len(outbox())

    response = submit(client, project, dev, ("2026-03-02", "8"))

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "projects.timesheet.project_closed"
    assert response.json["project_status"] == "completed"
    assert client.get(url(project, "timesheets"), headers=pm).json["items"] == []
    assert len(outbox()) == events_before


def test_timesheet_role_without_a_labour_rate_names_the_entry(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    response = submit(client, project, dev, ("2026-03-02", "8"))

    assert response.status_code == 422
    assert response.json["code"] == "projects.timesheet.invalid"
    assert response.json["errors"][0]["field"] == "entries.0.role"


def test_timesheet_hours_must_be_positive_and_at_most_a_day(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    add_line(client, project, pm)

    response = submit(client, project, dev, ("2026-03-02", "25"))

    assert response.status_code == 422
    assert "entries" in response.json["errors"][0]["field"]


def test_outsider_cannot_book_time(
    client: FlaskClient, project: dict[str, Any], pm: Headers, as_role: Any
) -> None:
    add_line(client, project, pm)

    response = submit(client, project, as_role("delivery_member", sub="stranger"), ("2026-03-02", "8"))

    assert response.status_code == 403


def test_expense_approval_flow_and_currency_check(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    body = {
        "category": "travel",
        "description": "Train to site",
        "spent_on": "2026-03-04",
        "amount": "120.40",
    }

    wrong = client.post(url(project, "expenses"), json={**body, "currency": "USD"}, headers=dev)
    expense = client.post(url(project, "expenses"), json={**body, "currency": "EUR"}, headers=dev).json
    approved = client.post(url(project, f"expenses/{expense['id']}/approve"), json={}, headers=pm)

    assert (wrong.status_code, wrong.json["errors"][0]["field"]) == (422, "currency")
    assert (approved.status_code, approved.json["status"]) == (200, "approved")
    summary = client.get(url(project, "costs"), headers=pm).json
    assert (summary["expense_cost"], summary["actual_cost"]) == ("120.40", "120.40")
    listed = client.get(url(project, "expenses?status=approved"), headers=pm).json["items"]
    assert [item["id"] for item in listed] == [expense["id"]]


def test_earned_value_through_the_api_matches_the_hand_worked_example(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers, db_task: Callable[..., str]
) -> None:
    """The example of tests/unit/test_earned_value.py (and docs/earned-value.md), booked through the API:
    BAC 6,000, PV 1,800, EV 2,100, AC 2,400 -> CPI 0.875, SPI 1.1667, EAC 6,857.14, VAC -857.14."""
    db_task(project["id"], "A", "2026-03-02", "2026-03-06", budget="1000", progress_percent=100)
    db_task(project["id"], "B", "2026-03-09", "2026-03-20", budget="2000", progress_percent=40)
    db_task(project["id"], "C", "2026-03-16", "2026-03-27", budget="3000", progress_percent=10)
    add_line(client, project, pm, unit_rate="60")
    sheet = submit(client, project, dev, ("2026-03-05", "20"), ("2026-03-11", "10"), ("2026-03-13", "8")).json
    client.post(url(project, f"timesheets/{sheet['id']}/approve"), json={}, headers=pm)
    expense = {
        "category": "material",
        "description": "Cables",
        "spent_on": "2026-03-10",
        "amount": "600",
        "currency": "EUR",
    }
    expense_id = client.post(url(project, "expenses"), json=expense, headers=dev).json["id"]
    client.post(url(project, f"expenses/{expense_id}/approve"), json={}, headers=pm)

    response = client.get(url(project, "earned-value?as_of=2026-03-12"), headers=dev)

    assert response.status_code == 200, response.json
    figures = response.json
    assert (figures["basis"], figures["budget_source"], figures["currency"]) == ("plan", "tasks", "EUR")
    assert {key: figures[key] for key in ("bac", "pv", "ev", "ac", "cv", "sv", "eac", "etc", "vac")} == {
        "bac": "6000.00",
        "pv": "1800.00",
        "ev": "2100.00",
        "ac": "2400.00",
        "cv": "-300.00",
        "sv": "300.00",
        "eac": "6857.14",
        "etc": "4457.14",
        "vac": "-857.14",
    }
    assert (figures["cpi"], figures["spi"], figures["tcpi"]) == ("0.8750", "1.1667", "1.0833")
    assert figures["eac_alternatives"] == {
        "ac_plus_remaining_budget": "6300.00",
        "ac_plus_remaining_by_cpi_spi": "6220.41",
    }
    assert "tasks" not in figures
    per_task = client.get(url(project, "earned-value?as_of=2026-03-12&by_task=true"), headers=dev).json[
        "tasks"
    ]
    assert sorted((task["budget"], task["pv"], task["ev"], task["sv"]) for task in per_task) == [
        ("1000.00", "1000.00", "1000.00", "0.00"),
        ("2000.00", "800.00", "800.00", "0.00"),
        ("3000.00", "0.00", "300.00", "300.00"),
    ]


def test_earned_value_spreads_the_budget_lines_when_tasks_carry_no_budget(
    client: FlaskClient, project: dict[str, Any], pm: Headers, db_task: Callable[..., str]
) -> None:
    """Two 5-day tasks without budgets, 1,000 of budget lines: 500 each by working days; as of the end of
    the first task PV = 500, and with the first task done EV = 500."""
    db_task(project["id"], "A", "2026-03-02", "2026-03-06", progress_percent=100)
    db_task(project["id"], "B", "2026-03-09", "2026-03-13")
    add_line(client, project, pm, quantity="10", unit_rate="100")

    figures = client.get(url(project, "earned-value?as_of=2026-03-06"), headers=pm).json

    assert (figures["budget_source"], figures["bac"], figures["pv"], figures["ev"]) == (
        "budget_lines",
        "1000.00",
        "500.00",
        "500.00",
    )
    assert (figures["cpi"], figures["eac"]) == (None, "1000.00")


def test_earned_value_of_unknown_project_is_404(client: FlaskClient, pm: Headers) -> None:
    response = client.get("/api/v1/projects/nope/earned-value", headers=pm)

    assert (response.status_code, response.json["code"]) == (404, "projects.project.not_found")


def test_project_from_an_order_takes_labour_rates_and_budget_from_its_sold_scope(
    client: FlaskClient, database: Any, pm: Headers, dev: Headers, db_team_member: Callable[..., None]
) -> None:
    """An order line "Consulting" sold as 5 days at 960.00 gives 120.00 an hour; 10 h approved cost 1,200."""
    from projects.projects.orders import start_project_from_order

    lines = [
        {
            "line_no": 1,
            "name": "Consulting",
            "kind": "service",
            "unit": "day",
            "quantity": "5",
            "unit_price": "960.00",
        },
        {
            "line_no": 2,
            "name": "Scanner",
            "kind": "product",
            "unit": "each",
            "quantity": "2",
            "unit_price": "300.00",
        },
    ]
    order = {"id": "order-1", "number": "SO-1", "account_id": None, "currency": "EUR", "lines": lines}
    with database.uow() as uow:
        project = {"id": start_project_from_order(uow.session, order).id}
        uow.commit()
    db_team_member(project["id"], "pm-1", "project_manager")
    db_team_member(project["id"], "dev-1", "team_member")
    body = {"entries": [{"work_date": "2026-03-02", "hours": "10", "role": "consulting"}]}
    sheet = client.post(url(project, "timesheets"), json=body, headers=dev)
    assert sheet.status_code == 201, sheet.json

    approved = client.post(url(project, f"timesheets/{sheet.json['id']}/approve"), json={}, headers=pm).json

    assert (approved["entries"][0]["rate"], approved["cost_amount"]) == ("120.0000", "1200.00")
    summary = client.get(url(project, "costs"), headers=pm).json
    assert (summary["budget_source"], summary["budget_total"], summary["actual_cost"]) == (
        "scope",
        "5400.00",
        "1200.00",
    )
    assert summary["budget_by_category"] == [
        {"category": "labour", "amount": "4800.00"},
        {"category": "material", "amount": "600.00"},
    ]


def test_resubmitting_with_the_same_idempotency_key_books_the_time_once(
    client: FlaskClient, project: dict[str, Any], pm: Headers, dev: Headers
) -> None:
    add_line(client, project, pm)
    body = {"entries": [{"work_date": "2026-03-02", "hours": "8", "role": "Consultant"}]}
    headers = {**dev, "Idempotency-Key": "sheet-2026-03-02"}

    first = client.post(url(project, "timesheets"), json=body, headers=headers)
    again = client.post(url(project, "timesheets"), json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json["id"] == again.json["id"]
    assert len(client.get(url(project, "timesheets"), headers=pm).json["items"]) == 1
