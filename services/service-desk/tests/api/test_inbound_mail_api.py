"""Inbound mail through the API: mailbox secrets, new threads, replies, attachments, malformed mail."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

MAIL = "/api/v1/inbound-mail"


@pytest.fixture
def mailbox(client, manager) -> dict[str, Any]:
    response = client.post(f"{MAIL}/mailboxes", json={"address": "support@crm.example"}, headers=manager)
    assert response.status_code == 201, response.json
    return dict(response.json)


@pytest.fixture
def send(client, mailbox):
    """POST a raw message with the mailbox's secret (or another)."""

    def post(raw: str | bytes, secret: str | None = None, content_type: str = "message/rfc822") -> Any:
        body = raw.encode() if isinstance(raw, str) else raw
        headers = {"Content-Type": content_type, "X-Inbound-Secret": secret or mailbox["secret"]}
        return client.post(MAIL, data=body, headers=headers)

    return post


def message(
    *,
    sender: str = "Jana Novak <jana@acme.example>",
    subject: str = "Export fails",
    message_id: str = "<m1@acme.example>",
    body: str = "The invoice export fails with error 500.",
    extra: str = "",
) -> str:
    return (
        f"From: {sender}\r\nTo: support@crm.example\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"Date: Mon, 2 Mar 2026 09:00:00 +0000\r\n{extra}MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )


def with_attachment(
    filename: str, content_type: str, content: bytes, message_id: str = "<m-att@acme.example>"
) -> str:
    encoded = base64.b64encode(content).decode()
    return (
        "From: jana@acme.example\r\nTo: support@crm.example\r\nSubject: Screenshot\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        "--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached file.\r\n"
        f'--XYZ\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename="{filename}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--XYZ--\r\n"
    )


def test_a_new_thread_opens_a_ticket_for_the_right_account(send, client, agent, customer, outbox) -> None:
    customer(tier="key")
    response = send(message())
    assert response.status_code == 201, response.json
    assert response.json["action"] == "created"
    ticket = client.get(f"/api/v1/tickets/{response.json['ticket_id']}", headers=agent).json
    assert (ticket["channel"], ticket["subject"], ticket["description"]) == (
        "email",
        "Export fails",
        "The invoice export fails with error 500.",
    )
    assert (ticket["account_id"], ticket["contact_id"], ticket["requester_name"]) == (
        "acc-1",
        "con-1",
        "Jana Novak",
    )
    [event] = outbox("servicedesk.ticket.created")
    assert event.data["account_id"] == "acc-1"


def test_a_reply_threads_by_in_reply_to_onto_the_same_ticket(send, client, agent, set_status) -> None:
    first = send(message()).json
    set_status(first["ticket_id"], "pending")
    reply = send(
        message(
            subject="Re: Export fails",
            message_id="<m2@acme.example>",
            extra="In-Reply-To: <m1@acme.example>\r\nReferences: <m1@acme.example>\r\n",
            body="Here is more detail.\r\n\r\nOn Mon, 2 Mar 2026 Jana wrote:\r\n> The invoice export fails",
        )
    )
    assert reply.status_code == 201, reply.json
    assert (reply.json["action"], reply.json["ticket_id"]) == ("replied", first["ticket_id"])
    comments = client.get(f"/api/v1/tickets/{first['ticket_id']}/comments", headers=agent).json["items"]
    assert [(c["kind"], c["author_kind"], c["body"]) for c in comments] == [
        ("public", "requester", "Here is more detail.")
    ]
    ticket = client.get(f"/api/v1/tickets/{first['ticket_id']}", headers=agent).json
    assert ticket["status"] == "open"  # the requester answered: pending -> open


def test_a_reply_threads_by_references_to_a_later_message(send) -> None:
    first = send(message()).json
    send(message(message_id="<m2@acme.example>", extra="In-Reply-To: <m1@acme.example>\r\n"))
    third = send(
        message(message_id="<m3@acme.example>", extra="References: <unknown@x.example> <m2@acme.example>\r\n")
    ).json
    assert (third["action"], third["ticket_id"]) == ("replied", first["ticket_id"])


def test_a_ticket_token_in_the_subject_threads_a_reply_from_the_requester(send) -> None:
    first = send(message()).json
    reply = send(
        message(subject=f"Re: [#{first['reference']}] Export fails", message_id="<new@acme.example>")
    ).json
    assert (reply["action"], reply["ticket_id"]) == ("replied", first["ticket_id"])


def test_a_ticket_token_from_a_stranger_opens_a_new_ticket(send) -> None:
    first = send(message()).json
    other = send(
        message(
            sender="mallory@evil.example",
            subject=f"[#{first['reference']}] hi",
            message_id="<e@evil.example>",
        )
    ).json
    assert other["action"] == "created" and other["ticket_id"] != first["ticket_id"]


def test_a_reply_to_a_resolved_ticket_reopens_it(send, set_status, client, agent, outbox) -> None:
    first = send(message()).json
    set_status(first["ticket_id"], "resolved")
    send(message(message_id="<m2@acme.example>", extra="In-Reply-To: <m1@acme.example>\r\n"))
    ticket = client.get(f"/api/v1/tickets/{first['ticket_id']}", headers=agent).json
    assert (ticket["status"], ticket["reopen_count"]) == ("open", 1)
    [event] = outbox("servicedesk.ticket.reopened")
    assert event.data["reason"] == "The requester replied."


def test_the_same_message_twice_is_taken_once(send, client, agent) -> None:
    first = send(message())
    again = send(message())
    assert again.status_code == 200
    assert (again.json["action"], again.json["ticket_id"]) == ("duplicate", first.json["ticket_id"])
    assert len(client.get("/api/v1/tickets", headers=agent).json["items"]) == 1


def test_attachments_are_kept_under_the_data_dir(send, client, agent, settings) -> None:
    response = send(with_attachment("shot.png", "image/png", b"\x89PNG fake image"))
    assert response.status_code == 201, response.json
    [attachment] = response.json["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "shot.png",
        "image/png",
        15,
    )
    listed = client.get(f"/api/v1/tickets/{response.json['ticket_id']}/attachments", headers=agent).json[
        "items"
    ]
    assert [item["id"] for item in listed] == [attachment["id"]]
    content = client.get(
        f"/api/v1/tickets/{response.json['ticket_id']}/attachments/{attachment['id']}/content", headers=agent
    )
    assert content.status_code == 200 and content.data == b"\x89PNG fake image"
    assert content.mimetype == "image/png"
    assert (Path(settings.data_dir) / "attachments" / response.json["ticket_id"] / attachment["id"]).is_file()


def test_a_rejected_attachment_writes_nothing(send, client, agent, settings, outbox, monkeypatch) -> None:
    response = send(with_attachment("run.exe", "application/x-msdownload", b"MZ..."))
    assert response.status_code == 422
    assert response.json["code"] == "servicedesk.mail.attachment_rejected"
    assert response.json["errors"][0]["field"] == "attachments.0"
    monkeypatch.setenv("MAIL_MAX_ATTACHMENT_BYTES", "10")
    too_big = send(with_attachment("big.pdf", "application/pdf", b"x" * 11, message_id="<big@acme.example>"))
    assert too_big.status_code == 422
    assert "more than the 10 allowed" in too_big.json["errors"][0]["message"]
    assert client.get("/api/v1/tickets", headers=agent).json["items"] == []
    assert outbox() == []
    assert not (Path(settings.data_dir) / "attachments").exists() or not any(
        (Path(settings.data_dir) / "attachments").rglob("*")
    )


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"", 400, "servicedesk.mail.malformed"),
        (b"   \r\n", 400, "servicedesk.mail.malformed"),
        (b"just some text without headers", 400, "servicedesk.mail.malformed"),
        (b"\x00\xff\xfe binary junk", 400, "servicedesk.mail.malformed"),
        (b"Subject: hi\r\nMessage-ID: <a@b>\r\n\r\nno sender", 422, "servicedesk.mail.invalid"),
        (b"From: not an address\r\nSubject: hi\r\n\r\nbody", 422, "servicedesk.mail.invalid"),
        (b"From: <@>\r\nSubject: hi\r\n\r\nbody", 422, "servicedesk.mail.invalid"),
    ],
)
def test_malformed_mail_gets_a_clear_problem_and_writes_nothing(
    send, client, agent, outbox, raw, status, code
) -> None:
    response = send(raw)
    assert response.status_code == status, response.json
    assert response.json["code"] == code
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/tickets", headers=agent).json["items"] == []
    assert outbox() == []


def test_the_mailbox_secret_is_required(send, client, mailbox) -> None:
    assert send(message(), secret="wrong").status_code == 401
    response = client.post(MAIL, data=message().encode(), headers={"Content-Type": "message/rfc822"})
    assert response.status_code == 401
    assert response.json["code"] == "servicedesk.mail.secret_invalid"


def test_only_raw_mail_is_accepted(send) -> None:
    assert send(message(), content_type="application/json").status_code == 415


def test_mailboxes_keep_only_a_hash_and_rotate(client, manager, agent, mailbox, send) -> None:
    listed = client.get(f"{MAIL}/mailboxes", headers=manager).json["items"]
    assert "secret" not in listed[0] and "secret_hash" not in listed[0]
    assert client.get(f"{MAIL}/mailboxes", headers=agent).status_code == 403
    rotated = client.post(f"{MAIL}/mailboxes/{mailbox['id']}/secret", headers=manager).json
    assert send(message()).status_code == 401
    assert send(message(), secret=rotated["secret"]).status_code == 201
    taken = client.post(f"{MAIL}/mailboxes", json={"address": "support@crm.example"}, headers=manager)
    assert taken.status_code == 409


def test_an_inactive_mailbox_is_refused(client, manager, mailbox, send) -> None:
    response = client.patch(
        f"{MAIL}/mailboxes/{mailbox['id']}", json={"active": False}, headers={**manager, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.json
    assert send(message()).status_code == 401


def test_a_mailbox_routes_new_tickets_to_its_group(client, manager, send, agent) -> None:
    group = client.post(
        "/api/v1/ticket-groups",
        json={"name": "Billing", "assignment": "round_robin", "members": ["a-1"]},
        headers=manager,
    ).json
    box = client.post(
        f"{MAIL}/mailboxes",
        json={"address": "billing@crm.example", "group_id": group["id"], "default_priority": "high"},
        headers=manager,
    ).json
    created = send(message(), secret=box["secret"]).json
    ticket = client.get(f"/api/v1/tickets/{created['ticket_id']}", headers=agent).json
    assert (ticket["group_id"], ticket["assignee_id"], ticket["priority"]) == (group["id"], "a-1", "high")


@pytest.mark.parametrize(
    "extra",
    ["Auto-Submitted: auto-replied\r\n", "Precedence: bulk\r\n", "X-Autoreply: yes\r\n"],
)
def test_auto_replies_never_open_or_reopen_tickets(send, set_status, client, agent, extra) -> None:
    first = send(message()).json
    set_status(first["ticket_id"], "resolved")
    out_of_office = send(
        message(
            subject="Out of office",
            message_id="<ooo@acme.example>",
            extra=f"In-Reply-To: <m1@acme.example>\r\n{extra}",
        )
    )
    assert out_of_office.status_code == 200
    assert (out_of_office.json["action"], out_of_office.json["ticket_id"]) == ("ignored", None)
    assert client.get(f"/api/v1/tickets/{first['ticket_id']}", headers=agent).json["status"] == "resolved"
    bounce = send(message(sender="MAILER-DAEMON@acme.example", message_id="<bounce@acme.example>"))
    assert bounce.json["action"] == "ignored"
    assert len(client.get("/api/v1/tickets", headers=agent).json["items"]) == 1


def test_mail_larger_than_a_json_body_is_taken(send, client, agent) -> None:
    """A 3 MiB attachment (4 MiB encoded) is over the kit's 2 MiB JSON cap, but mail may be larger."""
    response = send(with_attachment("manual.pdf", "application/pdf", b"x" * (3 * 1024 * 1024)))
    assert response.status_code == 201, response.json
    assert response.json["attachments"][0]["size"] == 3 * 1024 * 1024


def test_a_message_over_the_size_limit_is_refused_whole(send, client, agent, outbox, monkeypatch) -> None:
    monkeypatch.setenv("MAIL_MAX_MESSAGE_BYTES", str(2 * 1024 * 1024))
    response = send(with_attachment("huge.pdf", "application/pdf", b"x" * (3 * 1024 * 1024)))
    assert response.status_code == 413
    assert client.get("/api/v1/tickets", headers=agent).json["items"] == []
    assert outbox() == []
