"""Groups (queues) and assignment within them: manual, round-robin, least-busy."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def make_group(client, manager):
    def create(name: str, assignment: str, members: list[str]) -> dict[str, Any]:
        response = client.post(
            "/api/v1/ticket-groups",
            json={"name": name, "assignment": assignment, "members": members},
            headers=manager,
        )
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


def test_round_robin_takes_turns(make_group, open_ticket, outbox) -> None:
    group = make_group("Support", "round_robin", ["b-agent", "a-agent", "c-agent"])
    assert group["members"] == ["a-agent", "b-agent", "c-agent"]
    assignees = [open_ticket(group_id=group["id"])["assignee_id"] for _ in range(4)]
    assert assignees == ["a-agent", "b-agent", "c-agent", "a-agent"]
    events = outbox("servicedesk.ticket.assigned")
    assert [e.data["assigned_by"] for e in events] == ["rule"] * 4
    assert events[0].data["changes"] == {"assignee_id": {"before": None, "after": "a-agent"}}


def test_least_busy_picks_the_agent_with_fewest_open_tickets(make_group, open_ticket, set_status) -> None:
    group = make_group("Billing", "least_busy", ["a-agent", "b-agent"])
    first = open_ticket(group_id=group["id"])
    second = open_ticket(group_id=group["id"])
    assert (first["assignee_id"], second["assignee_id"]) == ("a-agent", "b-agent")
    set_status(first["id"], "resolved")  # a-agent has nothing open now
    assert open_ticket(group_id=group["id"])["assignee_id"] == "a-agent"
    open_ticket(assignee_id="b-agent")  # b-agent gets busier outside the group
    assert open_ticket(group_id=group["id"])["assignee_id"] == "a-agent"


def test_manual_groups_leave_tickets_unassigned(make_group, open_ticket, client, agent) -> None:
    group = make_group("Triage", "manual", ["a-agent"])
    ticket = open_ticket(group_id=group["id"])
    assert ticket["assignee_id"] is None
    queue = client.get(f"/api/v1/tickets?group_id={group['id']}&unassigned=true", headers=agent).json["items"]
    assert [t["id"] for t in queue] == [ticket["id"]]


def test_moving_a_ticket_to_a_group_assigns_by_its_rule(
    make_group, open_ticket, patch_json, agent, outbox
) -> None:
    group = make_group("Second line", "round_robin", ["z-agent"])
    ticket = open_ticket()
    moved = patch_json(f"/api/v1/tickets/{ticket['id']}", {"group_id": group["id"]}, agent, 1)
    assert moved.status_code == 200, moved.json
    assert (moved.json["group_id"], moved.json["assignee_id"]) == (group["id"], "z-agent")
    by_agent, by_rule = outbox("servicedesk.ticket.assigned")
    assert (by_agent.data["assigned_by"], by_rule.data["assigned_by"]) == ("agent", "rule")
    assert by_agent.data["changes"] == {"group_id": {"before": None, "after": group["id"]}}


def test_an_agent_assigns_by_hand(open_ticket, patch_json, agent, outbox) -> None:
    ticket = open_ticket()
    response = patch_json(f"/api/v1/tickets/{ticket['id']}", {"assignee_id": "agent-9"}, agent, 1)
    assert response.json["assignee_id"] == "agent-9"
    [event] = outbox("servicedesk.ticket.assigned")
    assert event.data["changes"] == {"assignee_id": {"before": None, "after": "agent-9"}}


def test_groups_are_managed_by_service_managers(client, manager, agent, make_group) -> None:
    body = {"name": "Nope", "assignment": "manual"}
    assert client.post("/api/v1/ticket-groups", json=body, headers=agent).status_code == 403
    group = make_group("Support", "manual", [])
    assert client.post("/api/v1/ticket-groups", json={"name": "Support"}, headers=manager).status_code == 409
    bad = client.post("/api/v1/ticket-groups", json={"name": "X", "assignment": "random"}, headers=manager)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "assignment"
    changed = client.patch(
        f"/api/v1/ticket-groups/{group['id']}",
        json={"members": ["x", "y"], "assignment": "least_busy"},
        headers={**manager, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["members"], changed.json["assignment"]) == (["x", "y"], "least_busy")
    listed = client.get("/api/v1/ticket-groups", headers=agent).json["items"]
    assert [g["name"] for g in listed] == ["Support"]
    assert client.get("/api/v1/ticket-groups/nope", headers=agent).status_code == 404
