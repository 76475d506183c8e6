"""Tickets through the API: opening from each channel, requester matching, states, replies and notes."""

from __future__ import annotations

from typing import Any


def test_a_web_ticket_matches_its_requester_to_a_known_contact(client, agent, customer, outbox) -> None:
    customer(tier="key")
    response = client.post(
        "/api/v1/tickets",
        json={"subject": "Export fails", "requester_email": "JANA@acme.example", "channel": "web"},
        headers=agent,
    )
    assert response.status_code == 201, response.json
    ticket = response.json
    assert ticket["reference"] == f"T-{ticket['number']}"
    assert (ticket["status"], ticket["channel"]) == ("new", "web")
    assert (ticket["account_id"], ticket["contact_id"], ticket["requester_known"]) == ("acc-1", "con-1", True)
    assert response.headers["ETag"] == '"1"'
    [created] = outbox("servicedesk.ticket.created")
    assert created.data["account_id"] == "acc-1"
    assert created.subject == ticket["id"]


def test_an_unknown_requester_is_recorded_as_unknown(open_ticket) -> None:
    ticket = open_ticket(requester_email="someone@elsewhere.example")
    assert (ticket["account_id"], ticket["contact_id"], ticket["requester_known"]) == (None, None, False)
    assert ticket["requester_email"] == "someone@elsewhere.example"


def test_a_requester_at_a_known_domain_gets_the_account(customer, open_ticket) -> None:
    customer()
    ticket = open_ticket(requester_email="new.person@acme.example")
    assert (ticket["account_id"], ticket["contact_id"], ticket["requester_known"]) == ("acc-1", None, True)


def test_only_agents_log_phone_calls(client, rep, agent) -> None:
    body = {"subject": "Caller asks about invoices", "requester_email": "a@b.example", "channel": "phone"}
    assert client.post("/api/v1/tickets", json=body, headers=rep).status_code == 403
    response = client.post("/api/v1/tickets", json=body, headers=agent)
    assert response.status_code == 201
    assert response.json["channel"] == "phone"


def test_bad_input_names_the_field_and_writes_nothing(client, agent, outbox) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"subject": "", "requester_email": "a@b.example"}, "subject"),
        ({"subject": "x", "requester_email": "not-an-address"}, "requester_email"),
        ({"subject": "x"}, "requester_email"),
        ({"subject": "x", "requester_email": "a@b.example", "priority": "asap"}, "priority"),
        ({"subject": "x", "requester_email": "a@b.example", "channel": "email"}, "channel"),
        ({"subject": "x", "requester_email": "a@b.example", "group_id": "nope"}, "group_id"),
        ({"subject": "x", "requester_email": "a@b.example", "contact_id": "nope"}, "contact_id"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/tickets", json=body, headers=agent)
        assert response.status_code == 422, (body, response.json)
        assert field in {error["field"] for error in response.json["errors"]}, response.json
    assert outbox() == []
    assert client.get("/api/v1/tickets", headers=agent).json["items"] == []


def test_states_move_along_the_machine_and_refuse_bad_moves(
    client, agent, open_ticket, set_status, outbox
) -> None:
    ticket = open_ticket()
    for status in ("open", "pending", "open", "resolved", "closed"):
        ticket = set_status(ticket["id"], status)
    assert ticket["status"] == "closed" and ticket["closed_at"] is not None
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/status", json={"status": "pending"}, headers=agent
    )
    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.ticket.transition_not_allowed"
    assert response.json["allowed"] == ["open"]
    reopened = set_status(ticket["id"], "open")
    assert (reopened["reopen_count"], reopened["resolved_at"], reopened["closed_at"]) == (1, None, None)
    changes = [event.data["to_status"] for event in outbox("servicedesk.ticket.status_changed")]
    assert changes == ["open", "pending", "open", "resolved", "closed", "open"]
    assert len(outbox("servicedesk.ticket.resolved")) == 1
    [event] = outbox("servicedesk.ticket.reopened")
    assert event.data["changes"]["status"] == {"before": "closed", "after": "open"}


def test_a_public_reply_is_the_first_response_and_opens_a_new_ticket(
    client, agent, reader, open_ticket, clock
) -> None:
    ticket = open_ticket()
    moment = clock.advance(minutes=30)
    reply = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "Looking into it."}, headers=agent
    )
    assert reply.status_code == 201, reply.json
    clock.advance(minutes=1)
    note = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments",
        json={"kind": "internal", "body": "Probably the VAT bug."},
        headers=agent,
    )
    assert note.status_code == 201
    ticket = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert ticket["status"] == "open"
    assert ticket["first_responded_at"] == moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seen_by_agent = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    assert [c["kind"] for c in seen_by_agent] == ["public", "internal"]
    seen_by_others = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=reader).json["items"]
    assert [c["kind"] for c in seen_by_others] == ["public"]


def test_a_complaint_raises_its_own_event(open_ticket, customer, outbox) -> None:
    customer(tier="key")
    ticket = open_ticket(type="complaint")
    [event] = outbox("servicedesk.complaint.raised")
    assert (event.data["id"], event.data["account_id"], event.data["account_tier"]) == (
        ticket["id"],
        "acc-1",
        "key",
    )


def test_reclassifying_as_complaint_raises_it_once(client, agent, open_ticket, patch_json, outbox) -> None:
    ticket = open_ticket()
    response = patch_json(
        f"/api/v1/tickets/{ticket['id']}", {"type": "complaint", "priority": "high"}, agent, 1
    )
    assert response.status_code == 200, response.json
    again = patch_json(
        f"/api/v1/tickets/{ticket['id']}", {"subject": "Still broken"}, agent, response.json["version"]
    )
    assert again.status_code == 200
    assert len(outbox("servicedesk.complaint.raised")) == 1


def test_updates_need_the_current_version(client, agent, open_ticket, patch_json) -> None:
    ticket = open_ticket()
    assert (
        client.patch(f"/api/v1/tickets/{ticket['id']}", json={"priority": "high"}, headers=agent).status_code
        == 428
    )
    assert patch_json(f"/api/v1/tickets/{ticket['id']}", {"priority": "high"}, agent, 7).status_code == 412


def test_list_filters_and_pages(client, agent, open_ticket) -> None:
    first = open_ticket(priority="urgent")
    open_ticket(priority="low")
    urgent = client.get("/api/v1/tickets?priority=urgent", headers=agent).json["items"]
    assert [t["id"] for t in urgent] == [first["id"]]
    page = client.get("/api/v1/tickets?limit=1", headers=agent).json
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert client.get("/api/v1/tickets?sort=bogus", headers=agent).status_code == 422


def test_unknown_ticket_is_404(client, agent) -> None:
    response = client.get("/api/v1/tickets/nope", headers=agent)
    assert response.status_code == 404
    assert response.json["code"] == "servicedesk.ticket.not_found"


def test_a_reply_that_resolves_comes_before_the_survey_link(client, agent, open_ticket) -> None:
    ticket = open_ticket()
    body = {"body": "Fixed in release 4.2.", "status": "resolved"}
    assert (
        client.post(f"/api/v1/tickets/{ticket['id']}/comments", json=body, headers=agent).status_code == 201
    )
    comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    assert [c["author_kind"] for c in comments] == ["agent", "system"]
    assert "survey-responses/" in comments[1]["body"]
    ticket = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (ticket["status"], ticket["first_responded_at"] is not None) == ("resolved", True)


def test_an_idempotency_key_opens_one_ticket(client, agent, outbox) -> None:
    body = {"subject": "Export fails", "requester_email": "jana@acme.example"}
    headers = {**agent, "Idempotency-Key": "form-submit-1"}
    first = client.post("/api/v1/tickets", json=body, headers=headers)
    again = client.post("/api/v1/tickets", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json["id"] == again.json["id"]
    assert len(outbox("servicedesk.ticket.created")) == 1


def test_pointing_a_ticket_at_a_contact_takes_its_account(
    open_ticket, customer, patch_json, agent, outbox
) -> None:
    ticket = open_ticket(requester_email="unknown@elsewhere.example")
    customer(tier="key")
    unknown = patch_json(f"/api/v1/tickets/{ticket['id']}", {"contact_id": "nope"}, agent, 1)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "contact_id"
    response = patch_json(f"/api/v1/tickets/{ticket['id']}", {"contact_id": "con-1"}, agent, 1)
    assert response.status_code == 200, response.json
    assert (response.json["contact_id"], response.json["account_id"], response.json["requester_known"]) == (
        "con-1",
        "acc-1",
        True,
    )


def test_search_by_reference_or_subject_text(client, agent, open_ticket) -> None:
    export = open_ticket(subject="Invoice EXPORT fails with 100% CPU")
    open_ticket(subject="Password reset")
    found = client.get(f"/api/v1/tickets?q={export['reference']}", headers=agent).json["items"]
    assert [t["id"] for t in found] == [export["id"]]
    assert [t["id"] for t in client.get("/api/v1/tickets?q=export", headers=agent).json["items"]] == [
        export["id"]
    ]
    assert [t["id"] for t in client.get("/api/v1/tickets?q=100%25", headers=agent).json["items"]] == [
        export["id"]
    ]
    assert client.get("/api/v1/tickets?q=1%25C", headers=agent).json["items"] == []
