"""/api/v1/escalation-rules, and what the rules do when the sweep announces a warning or a breach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Factory = Callable[..., dict[str, Any]]
HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def create_group(client: FlaskClient, manager: Headers, name: str, members: list[str]) -> dict[str, Any]:
    body = {"name": name, "assignment": "round_robin", "members": members}
    response = client.post("/api/v1/ticket-groups", json=body, headers=manager)
    assert response.status_code == 201, response.json
    return dict(response.json)


def create_rule(client: FlaskClient, manager: Headers, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/escalation-rules", json={"name": "Rule", **fields}, headers=manager)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_breach_on_a_key_account_reassigns_raises_priority_and_notifies_the_account_manager(
    client: FlaskClient,
    manager: Headers,
    agent: Headers,
    clock: Any,
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    customer: Callable[..., None],
    create_policy: Factory,
    open_ticket: Factory,
) -> None:
    customer(tier="key", owner_id="am-7")
    create_policy("Key", conditions={"tiers": ["key"]}, first_response_seconds=HOUR, resolution_seconds=None)
    escalation_desk = create_group(client, manager, "Escalations", ["senior-1", "senior-2"])
    rule = create_rule(
        client,
        manager,
        name="Key accounts: breaches to the escalation desk",
        trigger="breach",
        tiers=["key"],
        assign_group_id=escalation_desk["id"],
        raise_priority=True,
        notify_account_manager=True,
    )
    ticket = open_ticket(priority="high")
    assert sweep(at(2, 10)) == 2  # warning and breach

    [escalated] = outbox("servicedesk.ticket.escalated")
    assert escalated.data["rule_id"] == rule["id"]
    assert escalated.data["trigger"] == "breach"
    assert escalated.data["account_id"] == "acc-1"
    assert escalated.data["account_manager_id"] == "am-7"
    assert escalated.data["notify"] == ["am-7"]
    assert escalated.data["actions"] == ["reassign", "raise_priority", "notify_account_manager"]
    assert escalated.data["changes"]["priority"] == {"before": "high", "after": "urgent"}
    assigned = outbox("servicedesk.ticket.assigned")
    assert assigned[-1].data["assignee_id"] == "senior-1"
    assert assigned[-1].data["assigned_by"] == "rule"

    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (after["group_id"], after["assignee_id"], after["priority"]) == (
        escalation_desk["id"],
        "senior-1",
        "urgent",
    )
    comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    [note] = [comment for comment in comments if comment["kind"] == "internal"]
    assert "Account manager am-7 notified" in note["body"]
    assert sweep(at(2, 12)) == 0  # nothing twice


def test_rules_only_react_to_their_trigger_and_tier(
    client: FlaskClient,
    manager: Headers,
    agent: Headers,
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    customer: Callable[..., None],
    create_policy: Factory,
    open_ticket: Factory,
) -> None:
    customer(tier="standard")
    create_policy(first_response_seconds=HOUR, resolution_seconds=None)
    create_rule(client, manager, name="Key only", trigger="breach", tiers=["key"], raise_priority=True)
    create_rule(client, manager, name="Warn agent", trigger="warning", assign_agent_id="lead-1")
    ticket = open_ticket()
    assert sweep(at(2, 9, 48)) == 1
    [escalated] = outbox("servicedesk.ticket.escalated")
    assert escalated.data["rule_name"] == "Warn agent"
    assert escalated.data["notify"] == []
    assert sweep(at(2, 10)) == 1
    assert len(outbox("servicedesk.ticket.escalated")) == 1
    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (after["assignee_id"], after["priority"]) == ("lead-1", "normal")


def test_refuses_rules_without_action_or_with_an_unknown_group(client: FlaskClient, manager: Headers) -> None:
    no_action = client.post(
        "/api/v1/escalation-rules", json={"name": "X", "trigger": "breach"}, headers=manager
    )
    assert no_action.status_code == 422
    assert no_action.json["errors"][0]["field"] == "assign_group_id"
    bad_trigger = client.post(
        "/api/v1/escalation-rules",
        json={"name": "X", "trigger": "later", "raise_priority": True},
        headers=manager,
    )
    assert bad_trigger.status_code == 422
    assert bad_trigger.json["errors"][0]["field"] == "trigger"
    unknown = client.post(
        "/api/v1/escalation-rules",
        json={"name": "X", "trigger": "breach", "assign_group_id": "nope"},
        headers=manager,
    )
    assert unknown.status_code == 422
    assert unknown.json["code"] == "servicedesk.escalation_rule.invalid"
    assert client.get("/api/v1/escalation-rules", headers=manager).json["items"] == []


def test_rules_are_read_changed_and_deleted_with_their_version(
    client: FlaskClient, manager: Headers, agent: Headers, patch_json: Callable[..., Any]
) -> None:
    rule = create_rule(client, manager, trigger="warning", notify_account_manager=True)
    url = f"/api/v1/escalation-rules/{rule['id']}"
    assert client.get(url, headers=agent).json["trigger"] == "warning"
    assert (
        client.post(
            "/api/v1/escalation-rules",
            json={"name": "Y", "trigger": "breach", "raise_priority": True},
            headers=agent,
        ).status_code
        == 403
    )
    changed = patch_json(url, {"active": False, "clocks": ["resolution"]}, manager, rule["version"])
    assert changed.status_code == 200, changed.json
    assert (changed.json["active"], changed.json["clocks"]) == (False, ["resolution"])
    listed = client.get("/api/v1/escalation-rules?trigger=warning", headers=agent).json["items"]
    assert [item["id"] for item in listed] == [rule["id"]]
    assert client.delete(url, headers={**manager, "If-Match": '"1"'}).status_code == 412
    assert client.delete(url, headers={**manager, "If-Match": '"2"'}).status_code == 204
    gone = client.get(url, headers=agent)
    assert gone.status_code == 404
    assert gone.json["code"] == "servicedesk.escalation_rule.not_found"
