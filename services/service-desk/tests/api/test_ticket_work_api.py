"""Work on tickets: time spent, links, merging duplicates, canned responses."""

from __future__ import annotations


def test_time_spent_adds_up(client, agent, open_ticket) -> None:
    ticket = open_ticket()
    for minutes in (15, 30):
        response = client.post(
            f"/api/v1/tickets/{ticket['id']}/time-entries", json={"minutes": minutes}, headers=agent
        )
        assert response.status_code == 201, response.json
    listed = client.get(f"/api/v1/tickets/{ticket['id']}/time-entries", headers=agent).json
    assert (listed["total_minutes"], len(listed["items"])) == (45, 2)
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json["time_spent_minutes"] == 45
    for bad in ({"minutes": 0}, {"minutes": 2000}, {}):
        assert (
            client.post(f"/api/v1/tickets/{ticket['id']}/time-entries", json=bad, headers=agent).status_code
            == 422
        )


def test_links_show_on_both_tickets(client, agent, open_ticket) -> None:
    parent, child = open_ticket(), open_ticket()
    response = client.post(
        f"/api/v1/tickets/{parent['id']}/links",
        json={"other_ticket_id": child["id"], "kind": "parent"},
        headers=agent,
    )
    assert response.status_code == 201, response.json
    other_side = client.get(f"/api/v1/tickets/{child['id']}/links", headers=agent).json["items"]
    assert [(link["other_ticket_id"], link["kind"]) for link in other_side] == [(parent["id"], "child")]
    assert (
        client.delete(f"/api/v1/tickets/{child['id']}/links/{parent['id']}", headers=agent).status_code == 204
    )
    assert client.get(f"/api/v1/tickets/{parent['id']}/links", headers=agent).json["items"] == []
    assert (
        client.delete(f"/api/v1/tickets/{child['id']}/links/{parent['id']}", headers=agent).status_code == 404
    )
    for body in (
        {"other_ticket_id": parent["id"]},
        {"other_ticket_id": "nope"},
        {"other_ticket_id": child["id"], "kind": "x"},
    ):
        assert (
            client.post(f"/api/v1/tickets/{parent['id']}/links", json=body, headers=agent).status_code == 422
        )


def test_merging_moves_the_conversation_and_closes_the_duplicate(
    client, agent, open_ticket, clock, outbox
) -> None:
    target, duplicate = open_ticket(), open_ticket(subject="Same problem again")
    clock.advance(minutes=5)
    client.post(
        f"/api/v1/tickets/{duplicate['id']}/comments", json={"body": "Reply on the duplicate"}, headers=agent
    )
    client.post(f"/api/v1/tickets/{duplicate['id']}/time-entries", json={"minutes": 10}, headers=agent)
    response = client.post(
        f"/api/v1/tickets/{target['id']}/merge", json={"source_ticket_id": duplicate["id"]}, headers=agent
    )
    assert response.status_code == 200, response.json
    assert response.json["time_spent_minutes"] == 10
    bodies = [
        c["body"] for c in client.get(f"/api/v1/tickets/{target['id']}/comments", headers=agent).json["items"]
    ]
    assert "Reply on the duplicate" in bodies
    merged = client.get(f"/api/v1/tickets/{duplicate['id']}", headers=agent).json
    assert (merged["status"], merged["merged_into_id"]) == ("closed", target["id"])
    links = client.get(f"/api/v1/tickets/{target['id']}/links", headers=agent).json["items"]
    assert [(link["other_ticket_id"], link["kind"]) for link in links] == [(duplicate["id"], "duplicate")]
    again = client.post(f"/api/v1/tickets/{duplicate['id']}/comments", json={"body": "x"}, headers=agent)
    assert again.status_code == 409 and again.json["merged_into"] == target["id"]
    assert (
        client.post(
            f"/api/v1/tickets/{target['id']}/merge", json={"source_ticket_id": target["id"]}, headers=agent
        ).status_code
        == 422
    )
    assert not any("survey-responses" in b for b in bodies)  # a merged duplicate is not surveyed


def test_canned_responses_fill_a_reply(client, manager, agent, open_ticket) -> None:
    canned = client.post(
        "/api/v1/canned-responses",
        json={
            "title": "Looking into it",
            "body": "Hello {{requester.name}}, we are on {{ticket.reference}}.",
        },
        headers=manager,
    )
    assert canned.status_code == 201, canned.json
    ticket = open_ticket(requester_name="Jana")
    reply = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments",
        json={"canned_response_id": canned.json["id"]},
        headers=agent,
    )
    assert reply.status_code == 201, reply.json
    assert reply.json["body"] == f"Hello Jana, we are on {ticket['reference']}."
    missing = client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"kind": "public"}, headers=agent)
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "body"
    assert (
        client.post(
            "/api/v1/canned-responses", json={"title": "Looking into it", "body": "x"}, headers=manager
        ).status_code
        == 409
    )
    assert (
        client.post("/api/v1/canned-responses", json={"title": "x", "body": "y"}, headers=agent).status_code
        == 403
    )
    changed = client.patch(
        f"/api/v1/canned-responses/{canned.json['id']}",
        json={"body": "Hi"},
        headers={**manager, "If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json["body"] == "Hi"
    listed = client.get("/api/v1/canned-responses", headers=agent).json["items"]
    assert [c["title"] for c in listed] == ["Looking into it"]
    gone = client.delete(
        f"/api/v1/canned-responses/{canned.json['id']}", headers={**manager, "If-Match": '"2"'}
    )
    assert gone.status_code == 204
    assert client.get(f"/api/v1/canned-responses/{canned.json['id']}", headers=agent).status_code == 404
