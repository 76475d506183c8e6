"""The issue's "Done when" as one story, through the API: a key customer's e-mail becomes a ticket for the
right account under the stricter policy, a reply mail threads onto it, the clock stops while pending, a
warning then a breach fire on business-hours time and escalate, the ticket is resolved, the survey is
answered through the public link, and the matching knowledge article is suggested."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def clock_of(view: dict[str, Any], kind: str) -> dict[str, Any]:
    [found] = [item for item in view["clocks"] if item["kind"] == kind]
    return found


def mail(message_id: str, subject: str, body: str, extra: str = "") -> bytes:
    return (
        f"From: Jana Novak <jana@acme.example>\r\nTo: support@crm.example\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n{extra}\r\n{body}\r\n"
    ).encode()


def test_the_whole_story(
    client,
    manager,
    agent,
    clock,
    customer,
    create_calendar,
    create_policy,
    sweep,
    outbox,
    ticket_sla,
    set_status,
) -> None:
    # The desk: office hours, a stricter policy for key customers before the standard one, an escalation
    # rule for breaches, a mailbox, and a published knowledge article.
    customer(tier="key", owner_id="am-7")
    hours = create_calendar()
    create_policy(
        "Key customers", conditions={"tiers": ["key"]}, calendar_id=hours["id"], first_response_seconds=HOUR
    )
    create_policy("Standard", calendar_id=hours["id"], first_response_seconds=8 * HOUR)
    seniors = client.post(
        "/api/v1/ticket-groups",
        json={"name": "Escalations", "assignment": "round_robin", "members": ["senior-1"]},
        headers=manager,
    ).json
    rule = {"name": "Key breaches", "trigger": "breach", "tiers": ["key"], "assign_group_id": seniors["id"]}
    assert client.post("/api/v1/escalation-rules", json=rule, headers=manager).status_code == 201
    box = client.post(
        "/api/v1/inbound-mail/mailboxes", json={"address": "support@crm.example"}, headers=manager
    ).json
    article = client.post(
        "/api/v1/kb/articles",
        json={
            "title": "Invoice export fails",
            "body": "If the invoice export fails, recreate the export folder.",
        },
        headers=agent,
    ).json
    assert (
        client.post(f"/api/v1/kb/articles/{article['id']}/publish", json={}, headers=manager).status_code
        == 200
    )
    send = {"Content-Type": "message/rfc822", "X-Inbound-Secret": box["secret"]}

    # Monday 16:30: the mail comes in; the ticket is the key account's, under the key policy.
    clock.set(at(2, 16, 30))
    created = client.post(
        "/api/v1/inbound-mail",
        data=mail("<m1@acme.example>", "Invoice export fails", "Error 500"),
        headers=send,
    )
    assert created.status_code == 201, created.json
    ticket_id = created.json["ticket_id"]
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json
    assert (ticket["account_id"], ticket["contact_id"]) == ("acc-1", "con-1")
    assert ticket_sla(ticket_id)["policy"]["name"] == "Key customers"

    # A reply by mail lands on the same ticket.
    clock.set(at(2, 16, 40))
    reply = client.post(
        "/api/v1/inbound-mail",
        data=mail(
            "<m2@acme.example>",
            "Re: Invoice export fails",
            "Also on the March run.",
            "In-Reply-To: <m1@acme.example>\r\n",
        ),
        headers=send,
    )
    assert (reply.json["action"], reply.json["ticket_id"]) == ("replied", ticket_id)

    # Warning at 80 % of the business hour (Tuesday 09:18: 30 min Monday + 18 min Tuesday), breach at
    # 09:30; the breach escalates to the escalation desk.
    assert sweep(at(3, 9, 10)) == 0
    assert sweep(at(3, 9, 20)) == 1
    assert sweep(at(3, 9, 31)) >= 1
    assert [e.data["clock"] for e in outbox("servicedesk.ticket.sla_warning")] == ["first_response"]
    assert [e.data["clock"] for e in outbox("servicedesk.ticket.sla_breached")] == ["first_response"]
    escalated = client.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json
    assert (escalated["group_id"], escalated["assignee_id"]) == (seniors["id"], "senior-1")

    # The agent answers and waits for the customer: the resolution clock stops while pending.
    clock.set(at(3, 10))
    answer = {"body": "Please recreate the export folder and retry.", "status": "pending"}
    assert client.post(f"/api/v1/tickets/{ticket_id}/comments", json=answer, headers=agent).status_code == 201
    clock.set(at(3, 15))
    resolution = clock_of(ticket_sla(ticket_id), "resolution")
    assert resolution["status"] == "paused"
    assert resolution["elapsed_business_seconds"] == int(1.5 * HOUR)  # Mon 16:30-17:00 + Tue 09:00-10:00

    # The matching article is suggested; the ticket is resolved; the requester rates it without login.
    suggested = client.get(f"/api/v1/tickets/{ticket_id}/suggested-articles", headers=agent).json["items"]
    assert suggested[0]["article"]["id"] == article["id"]
    set_status(ticket_id, "resolved")
    comments = client.get(f"/api/v1/tickets/{ticket_id}/comments", headers=agent).json["items"]
    [token] = [m.group(1) for c in comments if (m := re.search(r"survey-responses/(\S+)", c["body"]))]
    assert (
        client.post(f"/api/v1/survey-responses/{token}", json={"rating": 5, "comment": "Thanks"}).status_code
        == 201
    )
    [answered] = outbox("servicedesk.survey.answered")
    assert (answered.data["account_id"], answered.data["rating"]) == ("acc-1", 5)
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json["status"] == "resolved"
