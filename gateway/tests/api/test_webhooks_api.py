"""/api/v1/webhooks: subscriptions, the secret shown once, rotation, pause/resume, delivery log, redelivery."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from crmkit.events.envelope import Event
from crmkit.types import utcnow
from gateway.audit.models import AuditEntry
from gateway.integrations.eventlog import store_event

HOOK = {"url": "https://erp.example.com/hooks/crm", "event_types": ["sales.opportunity.*"]}


@pytest.fixture
def integrator_headers(client, admin_headers) -> Callable[..., dict[str, str]]:
    """Headers of a new integrator API key whose event types are `patterns` (made through the API)."""

    def integrator_headers(*patterns: str, resources: tuple[str, ...] = ()) -> dict[str, str]:
        body = {"name": "erp", "event_types": list(patterns), "resources": list(resources)}
        response = client.post("/api/v1/api-keys", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"ApiKey {response.get_json()['key']}"}

    return integrator_headers


@pytest.fixture
def log_event(app) -> Callable[..., Event]:
    def log_event(routing_key: str, subject: str = "o1", **data: Any) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            source="/services/sales",
            type=f"crm.{routing_key}",
            subject=subject,
            time=utcnow(),
            data={"id": subject, **data},
            dataschema=f"urn:crm:events:{routing_key}:v1",
            sequence=1,
        )
        with app.app_context(), app.extensions["crm"].database.uow() as uow:
            store_event(uow.session, event)
            uow.commit()
        return event

    return log_event


def create(client, headers, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/webhooks", json=HOOK | changes, headers=headers)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_creating_a_webhook_answers_the_secret_once(client, admin_headers):
    response = client.post("/api/v1/webhooks", json=HOOK, headers=admin_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["secret"].startswith("whsec_")
    assert (body["status"], body["event_types"], body["payload_filter"]) == (
        "active",
        ["sales.opportunity.*"],
        {},
    )
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/webhooks/{body['id']}")
    read = client.get(f"/api/v1/webhooks/{body['id']}", headers=admin_headers)
    assert read.status_code == 200
    assert "secret" not in read.get_json()
    listed = client.get("/api/v1/webhooks", headers=admin_headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert "secret" not in listed["items"][0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://erp.example.com/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["sales..won"]}, "event_types"),
        ({"payload_filter": {"a": [1]}}, "payload_filter"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, admin_headers, change, field):
    response = client.post("/api/v1/webhooks", json=HOOK | change, headers=admin_headers)
    assert response.status_code == 422
    assert field in {error["field"] for error in response.get_json()["errors"]}


def test_an_api_key_sees_only_its_own_webhooks_and_needs_an_events_scope(
    client, admin_headers, integrator_headers
):
    mine = integrator_headers("sales.#")
    theirs = integrator_headers("#")
    own = create(client, mine)
    create(client, theirs)
    assert [item["id"] for item in client.get("/api/v1/webhooks", headers=mine).get_json()["items"]] == [
        own["id"]
    ]
    assert client.get(f"/api/v1/webhooks/{own['id']}", headers=theirs).status_code == 404
    assert len(client.get("/api/v1/webhooks", headers=admin_headers).get_json()["items"]) == 2
    refused = client.post("/api/v1/webhooks", json=HOOK, headers=integrator_headers(resources=("accounts",)))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "gateway.events.type_not_allowed")


def test_users_without_admin_or_integrator_role_are_refused(client, make_user, headers_for):
    headers = headers_for(make_user("sales_manager"))
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
    assert client.post("/api/v1/webhooks", json=HOOK, headers=headers).status_code == 403


def test_patch_needs_if_match_and_can_pause_and_resume(client, admin_headers):
    hook = create(client, admin_headers)
    url = f"/api/v1/webhooks/{hook['id']}"
    assert client.patch(url, json={"status": "paused"}, headers=admin_headers).status_code == 428
    stale = client.patch(url, json={"status": "paused"}, headers=admin_headers | {"If-Match": '"9"'})
    assert stale.status_code == 412
    paused = client.patch(url, json={"status": "paused"}, headers=admin_headers | {"If-Match": '"1"'})
    assert paused.status_code == 200
    assert (paused.get_json()["status"], paused.get_json()["paused_reason"]) == (
        "paused",
        "paused by its owner",
    )
    resumed = client.patch(
        url,
        json={"status": "active", "event_types": ["sales.#"]},
        headers=admin_headers | {"If-Match": '"2"'},
    )
    assert resumed.get_json()["status"] == "active"
    assert resumed.get_json()["paused_reason"] is None
    assert resumed.get_json()["event_types"] == ["sales.#"]
    empty = client.patch(url, json={}, headers=admin_headers | {"If-Match": '"3"'})
    assert empty.status_code == 422


def test_rotating_the_secret_keeps_the_old_one_for_the_grace_period(client, admin_headers):
    hook = create(client, admin_headers)
    response = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": 3600}, headers=admin_headers
    )
    assert response.status_code == 200
    rotated = response.get_json()
    assert rotated["secret"] != hook["secret"]
    assert rotated["previous_secret_expires_at"] is not None
    too_long = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": 10**9}, headers=admin_headers
    )
    assert too_long.status_code == 422


def test_matching_events_are_queued_and_listed_in_the_delivery_log(client, admin_headers, log_event):
    hook = create(client, admin_headers, payload_filter={"account_id": "a1"})
    won = log_event("sales.opportunity.won", "o1", account_id="a1")
    log_event("sales.opportunity.won", "o2", account_id="a2")  # filtered out
    log_event("sales.quote.sent", "q1", account_id="a1")  # another type
    response = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=admin_headers)
    assert response.status_code == 200
    (delivery,) = response.get_json()["items"]
    assert (delivery["status"], delivery["attempts"], delivery["subject"]) == ("pending", 0, "o1")
    events = client.get("/api/v1/events", headers=admin_headers).get_json()["items"]
    assert delivery["event_cursor"] == next(item["cursor"] for item in events if item["id"] == won.id)


def test_an_api_keys_webhook_gets_only_the_types_its_scopes_allow(client, integrator_headers, log_event):
    headers = integrator_headers("sales.quote.*")
    hook = create(client, headers, event_types=["sales.#"])
    log_event("sales.opportunity.won", "o1")
    log_event("sales.quote.sent", "q1")
    items = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).get_json()["items"]
    assert [item["subject"] for item in items] == ["q1"]


def test_a_delivery_can_be_sent_again(client, admin_headers, log_event):
    hook = create(client, admin_headers)
    log_event("sales.opportunity.won", "o1")
    deliveries = f"/api/v1/webhooks/{hook['id']}/deliveries"
    (original,) = client.get(deliveries, headers=admin_headers).get_json()["items"]
    response = client.post(f"{deliveries}/{original['id']}/redeliver", headers=admin_headers)
    assert response.status_code == 202
    copy = response.get_json()
    assert (copy["status"], copy["redelivery_of"], copy["event_cursor"]) == (
        "pending",
        original["id"],
        original["event_cursor"],
    )
    assert client.post(f"{deliveries}/999999/redeliver", headers=admin_headers).status_code == 404
    assert client.post(f"{deliveries}/{2**64}/redeliver", headers=admin_headers).status_code == 404
    listed = client.get(deliveries, query_string={"status": "pending"}, headers=admin_headers).get_json()
    assert [item["id"] for item in listed["items"]] == [copy["id"], original["id"]]


def test_changes_to_webhooks_are_audited(app, client, admin_headers):
    hook = create(client, admin_headers)
    client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={}, headers=admin_headers)
    client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin_headers | {"If-Match": '"2"'})
    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        entries = uow.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.target_id == hook["id"]).order_by(AuditEntry.id)
        ).all()
    assert [entry.action for entry in entries] == [
        "integrations.webhook_created",
        "integrations.webhook_secret_rotated",
        "integrations.webhook_deleted",
    ]
    assert {entry.actor_name for entry in entries} == {"admin"}


def test_deleting_a_webhook_removes_it_and_its_log(client, admin_headers, log_event):
    hook = create(client, admin_headers)
    log_event("sales.opportunity.won")
    url = f"/api/v1/webhooks/{hook['id']}"
    assert client.delete(url, headers=admin_headers | {"If-Match": '"1"'}).status_code == 204
    assert client.get(url, headers=admin_headers).get_json()["code"] == "gateway.webhook.not_found"


def stored_idempotency_answers(app) -> list[tuple[Any, Any]]:
    with app.app_context(), app.extensions["crm"].database.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT status_code, response_body FROM idempotency_keys"))
        return [tuple(row) for row in rows]


def test_a_repeated_idempotency_key_never_shows_or_stores_the_secret_again(
    app, client, integrator_headers
) -> None:
    headers = integrator_headers("sales.*") | {"Idempotency-Key": "hook-1"}
    first = client.post("/api/v1/webhooks", json=HOOK, headers=headers)
    assert first.status_code == 201 and first.get_json()["secret"]
    again = client.post("/api/v1/webhooks", json=HOOK, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["code"] == "idempotency_key.completed"
    listed = client.get("/api/v1/webhooks", headers=headers).get_json()["items"]
    assert len(listed) == 1
    assert stored_idempotency_answers(app) == [(None, None)]  # the answer (and its secret) is not kept


def test_an_api_key_answer_is_not_stored_for_replay_either(app, client, admin_headers) -> None:
    headers = admin_headers | {"Idempotency-Key": "key-1"}
    body = {"name": "erp", "event_types": ["sales.*"], "resources": []}
    first = client.post("/api/v1/api-keys", json=body, headers=headers)
    assert first.status_code == 201
    assert client.post("/api/v1/api-keys", json=body, headers=headers).status_code == 409
    answers = stored_idempotency_answers(app)
    assert answers == [(None, None)]
    refused = client.post(
        "/api/v1/api-keys", json={"name": ""}, headers=admin_headers | {"Idempotency-Key": "k2"}
    )
    assert refused.status_code == 422
    assert stored_idempotency_answers(app) == answers  # a refused request frees its key for a corrected retry
