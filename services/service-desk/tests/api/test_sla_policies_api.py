"""/api/v1/sla-policies: ordered policies, first match wins; validation; the policy a ticket gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Factory = Callable[..., dict[str, Any]]


def names(client: FlaskClient, headers: Headers) -> list[str]:
    return [item["name"] for item in client.get("/api/v1/sla-policies", headers=headers).json["items"]]


def test_policies_are_listed_in_checking_order_and_insert_at_a_position(
    client: FlaskClient, agent: Headers, create_policy: Factory
) -> None:
    create_policy("Standard")
    create_policy("Low")
    key = create_policy("Key accounts", position=1, conditions={"tiers": ["key"]})
    assert key["position"] == 1
    assert key["conditions"] == {"tiers": ["key"], "priorities": [], "types": [], "channels": []}
    assert key["targets"] == {"first_response": 4 * 3600, "next_response": None, "resolution": 16 * 3600}
    assert names(client, agent) == ["Key accounts", "Standard", "Low"]


def test_moving_a_policy_renumbers_the_others(
    client: FlaskClient, manager: Headers, create_policy: Factory, patch_json: Callable[..., Any]
) -> None:
    create_policy("A")
    create_policy("B")
    last = create_policy("C")
    moved = patch_json(f"/api/v1/sla-policies/{last['id']}", {"position": 1}, manager, last["version"])
    assert moved.status_code == 200, moved.json
    assert names(client, manager) == ["C", "A", "B"]
    positions = [
        item["position"] for item in client.get("/api/v1/sla-policies", headers=manager).json["items"]
    ]
    assert positions == [1, 2, 3]


def test_refuses_bad_policies_naming_the_field(client: FlaskClient, manager: Headers) -> None:
    cases = [
        (
            {"first_response_seconds": None, "resolution_seconds": None},
            "first_response_seconds",
            "validation_failed",
        ),
        ({"first_response_seconds": 10}, "first_response_seconds", "validation_failed"),
        ({"conditions": {"tiers": ["gold"]}}, "conditions.tiers.0", "validation_failed"),
        ({"conditions": {"priorities": ["asap"]}}, "conditions.priorities.0", "validation_failed"),
        ({"warning_share": 1.5}, "warning_share", "validation_failed"),
        ({"calendar_id": "nope"}, "calendar_id", "servicedesk.sla_policy.invalid"),
    ]
    for change, field, code in cases:
        body = {"name": "Bad", "first_response_seconds": 3600, **change}
        response = client.post("/api/v1/sla-policies", json=body, headers=manager)
        assert response.status_code == 422, (change, response.json)
        assert response.json["code"] == code
        assert field in [error["field"] for error in response.json["errors"]], response.json
    assert names(client, manager) == []


def test_names_are_unique_and_unknown_policies_are_404(
    client: FlaskClient, manager: Headers, create_policy: Factory
) -> None:
    create_policy("Standard")
    taken = client.post(
        "/api/v1/sla-policies", json={"name": "Standard", "resolution_seconds": 3600}, headers=manager
    )
    assert taken.status_code == 409
    assert taken.json["code"] == "servicedesk.sla_policy.name_taken"
    missing = client.get("/api/v1/sla-policies/nope", headers=manager)
    assert missing.status_code == 404
    assert missing.json["code"] == "servicedesk.sla_policy.not_found"


def test_only_managers_change_policies(client: FlaskClient, agent: Headers) -> None:
    response = client.post(
        "/api/v1/sla-policies", json={"name": "X", "resolution_seconds": 3600}, headers=agent
    )
    assert response.status_code == 403


def test_key_customer_gets_the_stricter_policy_first_match_wins(
    customer: Callable[..., None],
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[[str], dict[str, Any]],
) -> None:
    create_policy("Urgent anyone", conditions={"priorities": ["urgent"]}, first_response_seconds=1800)
    key = create_policy("Key accounts", conditions={"tiers": ["key"]}, first_response_seconds=3600)
    create_policy("Everyone else", first_response_seconds=8 * 3600)
    customer("acc-key", "con-key", email="cfo@bank.example", tier="key", domain="bank.example")
    customer("acc-std", "con-std", email="it@shop.example", tier="standard", domain="shop.example")

    vip = ticket_sla(open_ticket(requester_email="cfo@bank.example")["id"])
    assert vip["policy"]["id"] == key["id"]
    assert vip["policy"]["chosen_by"] == {
        "tier": "key",
        "priority": "normal",
        "type": "question",
        "channel": "api",
    }
    first = next(clock for clock in vip["clocks"] if clock["kind"] == "first_response")
    assert first["due_at"] == "2026-03-02T10:00:00.000000Z"

    other = ticket_sla(open_ticket(requester_email="it@shop.example")["id"])
    assert other["policy"]["name"] == "Everyone else"
    urgent = ticket_sla(open_ticket(requester_email="cfo@bank.example", priority="urgent")["id"])
    assert urgent["policy"]["name"] == "Urgent anyone"


def test_no_matching_policy_means_no_clocks(
    create_policy: Factory, open_ticket: Factory, ticket_sla: Callable[[str], dict[str, Any]]
) -> None:
    create_policy("Incidents only", conditions={"types": ["incident"]})
    view = ticket_sla(open_ticket(type="question")["id"])
    assert view["policy"] is None
    assert view["clocks"] == []


def test_inactive_policies_are_skipped(
    create_policy: Factory, open_ticket: Factory, ticket_sla: Callable[[str], dict[str, Any]]
) -> None:
    create_policy("Paused", active=False)
    create_policy("Live")
    assert ticket_sla(open_ticket()["id"])["policy"]["name"] == "Live"


def test_a_tier_change_applies_to_new_tickets_only(
    customer: Callable[..., None],
    deliver: Callable[..., None],
    account_payload: Callable[..., dict[str, Any]],
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[[str], dict[str, Any]],
) -> None:
    create_policy("Key accounts", conditions={"tiers": ["key"]}, first_response_seconds=3600)
    create_policy("Everyone else")
    customer()
    before = open_ticket()
    assert ticket_sla(before["id"])["policy"]["name"] == "Everyone else"
    deliver("customer.account.updated", account_payload("acc-1", tier="key", version=2))
    after = open_ticket()
    assert ticket_sla(after["id"])["policy"]["name"] == "Key accounts"
    assert ticket_sla(before["id"])["policy"]["name"] == "Everyone else"


def test_sla_of_an_unknown_ticket_is_404(client: FlaskClient, agent: Headers) -> None:
    response = client.get("/api/v1/tickets/nope/sla", headers=agent)
    assert response.status_code == 404
    assert response.json["code"] == "servicedesk.ticket.not_found"
