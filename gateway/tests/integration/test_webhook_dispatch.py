"""The webhook dispatcher on a real database with an explicit clock: order, backoff, give-up and pause,
signatures, masking, restarts; plus the pooled sender against a real HTTP server."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response, request

from crmkit.events.envelope import Event
from crmkit.events.outbox import outbox_table
from crmkit.types import utcnow
from gateway.access.apikeys import ApiKey
from gateway.audit.models import AuditEntry
from gateway.identity.models import User
from gateway.integrations import signing
from gateway.integrations.dispatch import Answer, Attempt, WebhookSender, dispatch_due
from gateway.integrations.eventlog import purge_expired, store_event
from gateway.integrations.models import Delivery, LoggedEvent, Webhook
from gateway.integrations.settings import IntegrationSettings

SETTINGS = IntegrationSettings(backoff_base_seconds=10, backoff_max_seconds=600, retry_hours=24)


class FakeReceiver:
    """Answers each POST from a script of statuses (default 200) and remembers what arrived."""

    def __init__(self) -> None:
        self.received: list[Attempt] = []
        self.failing_subjects: set[str] = set()
        self.down = False

    def __call__(self, attempts: Sequence[Attempt]) -> dict[int, Answer]:
        answers = {}
        for attempt in attempts:
            subject = json.loads(attempt.body)["subject"]
            if self.down:
                answers[attempt.delivery_id] = Answer(None, "ConnectionRefused")
            elif subject in self.failing_subjects:
                answers[attempt.delivery_id] = Answer(503, "HTTP 503")
            else:
                self.received.append(attempt)
                answers[attempt.delivery_id] = Answer(204)
        return answers

    def subjects(self) -> list[tuple[str, int]]:
        bodies = [json.loads(attempt.body) for attempt in self.received]
        return [(body["subject"], int(body["sequence"])) for body in bodies]


@pytest.fixture
def database(app):
    return app.extensions["crm"].database


@pytest.fixture
def receiver() -> FakeReceiver:
    return FakeReceiver()


@pytest.fixture
def admin_id(database) -> str:
    """The first admin the app made on start (a webhook's owner must exist and may receive events)."""
    with database.uow() as uow:
        return uow.session.scalars(sa.select(User.id).where(User.username == "admin")).one()


@pytest.fixture
def api_key(database) -> Callable[..., ApiKey]:
    def api_key(*event_types: str, revoked: bool = False) -> ApiKey:
        with database.uow() as uow:
            key = ApiKey(
                name="erp",
                prefix=uuid.uuid4().hex[:12],
                key_hash=uuid.uuid4().hex,
                resources=[],
                event_types=list(event_types),
                field_groups=[],
                revoked_at=utcnow() if revoked else None,
            )
            uow.session.add(key)
            uow.commit()
        return key

    return api_key


@pytest.fixture
def hook(database, admin_id) -> Callable[..., Webhook]:
    def hook(**changes: Any) -> Webhook:
        values = {
            "url": "http://receiver.test/hook",
            "event_types": ["#"],
            "payload_filter": {},
            "secret": "whsec_test",
            "owner_id": admin_id,
            "owner_kind": "user",
            "owner_roles": ["admin"],
            "owner_scopes": [],
        }
        with database.uow() as uow:
            webhook = Webhook(**(values | changes))
            uow.session.add(webhook)
            uow.commit()
        return webhook

    return hook


@pytest.fixture
def publish(database) -> Callable[..., Event]:
    def publish(
        subject: str, sequence: int, routing_key: str = "sales.opportunity.updated", **data: Any
    ) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            source="/services/sales",
            type=f"crm.{routing_key}",
            subject=subject,
            time=utcnow(),
            data={"id": subject, **data},
            dataschema=f"urn:crm:events:{routing_key}:v1",
            sequence=sequence,
        )
        with database.uow() as uow:
            store_event(uow.session, event)
            uow.commit()
        return event

    return publish


def run_round(database, receiver, now) -> int:
    with database.uow() as uow:
        attempted = dispatch_due(uow.session, now, send=receiver, settings=SETTINGS, rng=random.Random(1))
        uow.commit()
    return attempted


def deliveries(database) -> list[Delivery]:
    with database.uow() as uow:
        return list(uow.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def test_delivers_signed_cloudevents_with_the_delivery_headers(database, hook, publish, receiver):
    hook()
    event = publish("o1", 1, amount="10.00")
    now = utcnow()
    assert run_round(database, receiver, now) == 1
    (attempt,) = receiver.received
    body = json.loads(attempt.body)
    assert (body["id"], body["type"], body["data"]["amount"]) == (event.id, event.type, "10.00")
    assert attempt.headers["Content-Type"] == "application/cloudevents+json"
    assert attempt.headers["X-CRM-Event-Id"] == event.id
    assert attempt.headers["X-CRM-Event-Type"] == "crm.sales.opportunity.updated"
    assert signing.verify(attempt.headers["X-CRM-Signature"], "whsec_test", attempt.body, now=now.timestamp())
    (delivery,) = deliveries(database)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)


def test_a_later_event_of_a_subject_never_overtakes_an_earlier_one(database, hook, publish, receiver):
    hook()
    for sequence in (1, 2, 3):
        publish("o1", sequence)
        publish("o2", sequence)
    receiver.failing_subjects = {"o1"}
    now = utcnow()
    run_round(database, receiver, now)
    assert receiver.subjects() == [("o2", 1), ("o2", 2), ("o2", 3)]  # o2 drains; o1 waits behind its head
    receiver.failing_subjects = set()
    run_round(database, receiver, now + timedelta(seconds=5))
    assert receiver.subjects()[3:] == []  # o1's head is backing off (at least 5 s after the first failure)
    run_round(database, receiver, now + timedelta(seconds=11))
    assert receiver.subjects()[3:] == [("o1", 1), ("o1", 2), ("o1", 3)]


def test_failures_back_off_exponentially_and_survive_a_restart(database, hook, publish, receiver):
    hook()
    publish("o1", 1)
    receiver.down = True
    now = utcnow()
    waits = []
    for _ in range(5):
        run_round(database, receiver, now)
        (delivery,) = deliveries(database)
        waits.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    for wait, ceiling in zip(waits, (10, 20, 40, 80, 160), strict=True):
        assert ceiling / 2 <= wait <= ceiling
    # "Restart": nothing is held in memory; a new round (a new process) finds the delivery in the database.
    receiver.down = False
    assert run_round(database, FakeReceiver(), now - timedelta(seconds=1)) == 0  # not due yet
    fresh = FakeReceiver()
    assert run_round(database, fresh, now) == 1
    assert fresh.subjects() == [("o1", 1)]
    (delivery,) = deliveries(database)
    assert (delivery.status, delivery.attempts) == ("delivered", 6)


def test_after_the_retry_window_the_delivery_is_given_up_and_the_webhook_paused_with_a_notice(
    database, hook, publish, receiver
):
    webhook = hook()
    publish("o1", 1)
    publish("o1", 2)
    receiver.down = True
    start = utcnow()
    run_round(database, receiver, start)
    run_round(database, receiver, start + timedelta(hours=23, minutes=59))
    assert [d.status for d in deliveries(database)] == ["pending", "pending"]
    run_round(database, receiver, start + timedelta(hours=24))
    first, second = deliveries(database)
    assert (first.status, second.status) == ("failed", "pending")
    with database.uow() as uow:
        paused = uow.session.get(Webhook, webhook.id)
        notices = uow.session.execute(sa.select(outbox_table.c.routing_key, outbox_table.c.body)).all()
    assert paused.status == "paused"
    assert "kept failing for 24 h" in paused.paused_reason
    ((routing_key, body),) = notices
    assert routing_key == "gateway.webhook.paused"
    with database.uow() as uow:
        entry = uow.session.scalars(sa.select(AuditEntry).where(AuditEntry.target_id == webhook.id)).one()
    assert (entry.action, entry.outcome, entry.actor_kind) == (
        "integrations.webhook_paused",
        "failure",
        "system",
    )
    assert json.loads(body)["data"]["delivery_id"] == str(first.id)
    # Paused: nothing more is sent, but events keep queueing.
    receiver.down = False
    publish("o1", 3)
    assert run_round(database, receiver, start + timedelta(hours=25)) == 0
    assert len(deliveries(database)) == 3


def test_resuming_a_paused_webhook_delivers_what_queued_in_order(
    app, database, hook, publish, receiver, admin_headers
):
    webhook = hook(status="paused", paused_reason="paused by its owner")
    for sequence in (1, 2, 3):
        publish("o1", sequence)
    now = utcnow()
    assert run_round(database, receiver, now) == 0
    response = app.test_client().patch(
        f"/api/v1/webhooks/{webhook.id}",
        json={"status": "active"},
        headers=admin_headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200
    run_round(database, receiver, utcnow())
    assert receiver.subjects() == [("o1", 1), ("o1", 2), ("o1", 3)]


def test_payloads_are_masked_for_the_owners_api_key(database, hook, api_key, publish, receiver):
    key = api_key("sales.#")
    hook(owner_id=key.id, owner_kind="api_key", owner_roles=["integrator"], owner_scopes=key.scopes)
    publish("o1", 1, discount_percent="15", amount="90.00")
    run_round(database, receiver, utcnow())
    data = json.loads(receiver.received[0].body)["data"]
    assert "discount_percent" not in data and data["amount"] == "90.00"


def test_a_revoked_api_key_gets_nothing_more_and_its_webhook_is_paused(
    database, hook, api_key, publish, receiver
):
    key = api_key("sales.#")
    webhook = hook(owner_id=key.id, owner_kind="api_key", owner_roles=["integrator"], owner_scopes=key.scopes)
    publish("o1", 1)
    with database.uow() as uow:
        uow.session.get(ApiKey, key.id).revoked_at = utcnow()
        uow.commit()
    assert run_round(database, receiver, utcnow()) == 0
    assert receiver.received == []
    with database.uow() as uow:
        paused = uow.session.get(Webhook, webhook.id)
    assert paused.status == "paused" and "API key revoked" in paused.paused_reason
    publish("o1", 2)  # no longer queued for it
    assert len(deliveries(database)) == 1


def test_a_deactivated_owner_gets_nothing(database, hook, publish, receiver, admin_id):
    with database.uow() as uow:
        other = User(username="second-admin", password_hash="x", active=False)
        other.set_roles(["admin"])
        uow.session.add(other)
        uow.commit()
    hook(owner_id=other.id)
    publish("o1", 1)
    assert deliveries(database) == []


def test_during_a_rotation_both_secrets_sign(database, hook, publish, receiver):
    now = utcnow()
    hook(secret="whsec_new", previous_secret="whsec_old", previous_secret_expires_at=now + timedelta(hours=1))
    publish("o1", 1)
    now = utcnow()
    run_round(database, receiver, now)
    attempt = receiver.received[0]
    header = attempt.headers["X-CRM-Signature"]
    assert signing.verify(header, "whsec_old", attempt.body, now=now.timestamp())
    assert signing.verify(header, "whsec_new", attempt.body, now=now.timestamp())


def test_the_sender_posts_over_http_and_reports_statuses_and_errors(serve_wsgi):
    seen: list[dict[str, Any]] = []
    receiver = Flask("receiver")

    @receiver.post("/ok")
    def ok() -> Response:
        seen.append({"body": request.get_data(), "signature": request.headers["X-CRM-Signature"]})
        return Response(status=204)

    @receiver.post("/broken")
    def broken() -> Response:
        return Response("database down", status=500)

    base = serve_wsgi(receiver)
    sender = WebhookSender(IntegrationSettings(connect_timeout=1, read_timeout=1))
    try:
        headers = {"Content-Type": "application/json", "X-CRM-Signature": "t=1,v1=00"}
        answers = sender.send_all(
            [
                Attempt(1, f"{base}/ok", headers, b"{}"),
                Attempt(2, f"{base}/broken", headers, b"{}"),
                Attempt(3, "http://127.0.0.1:9/closed", headers, b"{}"),
            ]
        )
    finally:
        sender.close()
    assert answers[1] == Answer(204)
    assert (answers[2].status, answers[2].ok) == (500, False)
    assert "database down" in (answers[2].error or "")
    assert answers[3].status is None and answers[3].error
    assert seen == [{"body": b"{}", "signature": "t=1,v1=00"}]


def test_events_a_webhook_still_owes_outlive_the_retention_until_it_stayed_paused_past_it(
    database, hook, publish, receiver
):
    active = hook()
    paused = hook(status="paused", paused_reason="paused by its owner")
    publish("o1", 1)
    receiver.down = True
    run_round(database, receiver, utcnow())  # the active webhook's delivery now backs off: still owed
    later = utcnow() + timedelta(days=31)
    with database.uow() as uow:
        assert purge_expired(uow.session, later, retention=timedelta(days=30)) == 0  # owed to `active`
        uow.commit()
    # The paused webhook gave its delivery up (and the finished delivery went); the active one still owes it.
    states = {delivery.webhook_id: delivery.status for delivery in deliveries(database)}
    assert states == {active.id: "pending"}
    with database.uow() as uow:
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(LoggedEvent)) == 1
    assert paused.id not in states
