"""Projects from confirmed orders and the account read model, through the consumer's handlers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

import crmkit
from crmkit.events.envelope import Event, type_for
from projects.consumers import HANDLERS

Headers = dict[str, str]


def event(routing_key: str, data: dict[str, Any], sequence: int = 1) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source=f"/services/{routing_key.split('.')[0]}",
        type=type_for(routing_key),
        subject=data["id"],
        time=datetime.now(UTC),
        data=data,
        dataschema=f"urn:crm:events:{routing_key}:v1",
        sequence=sequence,
    )


def handle(database: crmkit.Database, message: Event) -> None:
    with database.uow() as uow:
        HANDLERS[message.routing_key](uow.session, message)
        uow.commit()


def order(account_id: str = "acc-1", **fields: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "number": "SO-2026-0042",
        "account_id": account_id,
        "opportunity_id": "opp-1",
        "quote_id": "q-1",
        "owner_id": "rep-1",
        "currency": "EUR",
        "lines": [
            {
                "line_no": 1,
                "product_id": "p1",
                "sku": "CONSULT",
                "name": "Consulting",
                "kind": "service",
                "unit": "day",
                "quantity": "10",
                "unit_price": "1000.00",
                "discount_percent": "10",
                "net_amount": "9000.00",
                "tax_amount": "1710.00",
                "total": "10710.00",
            },
            {
                "line_no": 2,
                "product_id": "p2",
                "sku": "LIC",
                "name": "Licence",
                "kind": "product",
                "unit": "each",
                "quantity": "5",
                "unit_price": "200.00",
                "discount_percent": "0",
                "net_amount": "1000.00",
                "tax_amount": "190.00",
                "total": "1190.00",
            },
            {
                "line_no": 3,
                "product_id": "p3",
                "sku": "TRAVEL",
                "name": "Travel flat fee",
                "kind": "other",
                "unit": "each",
                "quantity": "1",
                "unit_price": "500.00",
                "discount_percent": "0",
                "net_amount": "500.00",
                "tax_amount": "95.00",
                "total": "595.00",
            },
        ],
        "subtotal": "10500.00",
        "discount_total": "1000.00",
        "tax_total": "1995.00",
        "total": "12495.00",
        "base_currency": "EUR",
        "total_in_base": "12495.00",
        "confirmed_at": "2026-03-04T10:00:00Z",
        "status": "confirmed",
        **fields,
    }


def account(account_id: str, name: str, version: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": account_id,
        "name": name,
        "tier": "key",
        "merged_into_id": None,
        "deleted_at": None,
        "version": version,
        **fields,
    }


def test_a_confirmed_order_becomes_one_project_with_scope_tasks_and_a_baseline(
    client: FlaskClient, database: crmkit.Database, reader: Headers, outbox: Callable[..., list[Any]]
) -> None:
    handle(database, event("customer.account.created", account("acc-1", "Acme GmbH", 1)))
    confirmed = event("sales.order.confirmed", order())
    handle(database, confirmed)
    handle(database, event("sales.order.confirmed", confirmed.data))  # sent again: still one project
    page = client.get(f"/api/v1/projects?order={confirmed.data['id']}", headers=reader).json
    (project,) = page["items"]
    assert project["name"] == "Acme GmbH: order SO-2026-0042" and project["account_name"] == "Acme GmbH"
    assert (project["budget_amount"], project["currency"], project["source"]) == ("10500.00", "EUR", "order")
    assert project["start_date"] == "2026-03-04"
    scope = client.get(f"/api/v1/projects/{project['id']}/scope", headers=reader).json["items"]
    assert [(item["category"], item["amount"]) for item in scope] == [
        ("labour", "9000.00"),
        ("material", "1000.00"),
        ("other", "500.00"),
    ]
    tasks = client.get(f"/api/v1/projects/{project['id']}/tasks", headers=reader).json["items"]
    assert [(t["name"], t["effort_hours"], t["duration_days"], t["budget_amount"]) for t in tasks] == [
        ("Consulting", "80.00", 10, "9000.00")
    ]
    assert scope[0]["unit_price"] == "900.00"  # sold at 10 % off the 1000.00 list price
    (baseline,) = client.get(f"/api/v1/projects/{project['id']}/baselines", headers=reader).json["items"]
    assert baseline["budget_amount"] == "10500.00" and baseline["name"] == "Initial: order SO-2026-0042"
    assert {line["category"] for line in baseline["budget_lines"]} == {"labour", "material", "other"}
    (created,) = outbox("projects.project.created")
    assert created.data["account_id"] == "acc-1" and len(created.data["scope_items"]) == 3


def test_an_order_for_a_merged_account_goes_to_the_survivor_and_merges_move_projects(
    client: FlaskClient, database: crmkit.Database, reader: Headers
) -> None:
    handle(database, event("sales.order.confirmed", order(account_id="loser")))
    merged = account("loser", "ACME", 3, merged_into_id="winner", survivor=account("winner", "Acme GmbH", 7))
    handle(database, event("customer.account.merged", merged, sequence=3))
    projects = client.get("/api/v1/projects?account=winner", headers=reader).json["items"]
    assert len(projects) == 1 and projects[0]["account_name"] == "Acme GmbH"
    handle(database, event("sales.order.confirmed", order(account_id="loser")))
    assert len(client.get("/api/v1/projects?account=winner", headers=reader).json["items"]) == 2
    assert client.get("/api/v1/projects?account=loser", headers=reader).json["items"] == []


def test_stale_account_updates_are_ignored(
    client: FlaskClient, database: crmkit.Database, reader: Headers
) -> None:
    handle(database, event("sales.order.confirmed", order(account_id="acc-7")))
    handle(database, event("customer.account.updated", account("acc-7", "New Name", 5), sequence=5))
    handle(database, event("customer.account.updated", account("acc-7", "Old Name", 4), sequence=4))
    (project,) = client.get("/api/v1/projects?account=acc-7", headers=reader).json["items"]
    assert project["account_name"] == "New Name"
