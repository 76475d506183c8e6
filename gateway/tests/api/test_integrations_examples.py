"""The curl examples of docs/integrations.md (the overview's are in integration/test_account_overview.py),
with a real integrator API key (`Authorization: ApiKey <key>`)."""

from __future__ import annotations

import uuid

import pytest

from crmkit.events.envelope import Event
from crmkit.types import utcnow
from gateway.integrations.eventlog import store_event


@pytest.fixture
def api_key_headers(client, admin_headers) -> dict[str, str]:
    response = client.post(
        "/api/v1/api-keys",
        json={"name": "erp", "event_types": ["sales.opportunity.*", "customer.#"]},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"ApiKey {response.get_json()['key']}"}


def log(app, routing_key: str, subject: str, **data) -> Event:
    event = Event(
        id=str(uuid.uuid4()),
        source=f"/services/{routing_key.split('.')[0]}",
        type=f"crm.{routing_key}",
        subject=subject,
        time=utcnow(),
        data={"id": subject, **data},
        dataschema=f"urn:crm:events:{routing_key}:v1",
        sequence=3,
    )
    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        store_event(uow.session, event)
        uow.commit()
    return event


def test_replay_feed_examples(app, client, api_key_headers):
    """curl -s "localhost:8080/api/v1/events?limit=100" ...; ...?after=1140&type=sales.opportunity.*"""
    won = log(app, "sales.opportunity.won", "o1", discount_percent="5")
    account = log(app, "customer.account.created", "a1")
    log(app, "projects.project.created", "p1")  # outside the key's scopes
    everything = client.get("/api/v1/events?limit=100", headers=api_key_headers).get_json()
    assert [item["id"] for item in everything["items"]] == [won.id, account.id]
    assert everything["items"][0]["sequence"] == "00000000000000000003"
    assert "discount_percent" not in everything["items"][0]["data"]
    after = everything["items"][0]["cursor"]
    later = log(app, "sales.opportunity.lost", "o2")
    resumed = client.get(f"/api/v1/events?after={after}&type=sales.opportunity.*", headers=api_key_headers)
    assert [item["id"] for item in resumed.get_json()["items"]] == [later.id]


def test_webhook_examples(app, client, api_key_headers):
    """POST /api/v1/webhooks, the delivery log, redeliver, rotate-secret, PATCH status with If-Match."""
    json_headers = api_key_headers | {"Content-Type": "application/json"}
    created = client.post(
        "/api/v1/webhooks",
        data='{"url": "https://erp.example.com/crm-hooks", "event_types": ["sales.opportunity.*"],'
        ' "payload_filter": {"owner_id": "u-42"}}',
        headers=json_headers,
    )
    assert created.status_code == 201
    hook = created.get_json()
    assert (hook["status"], hook["secret"][:6]) == ("active", "whsec_")
    log(app, "sales.opportunity.won", "o1", owner_id="u-42")
    log(app, "sales.opportunity.won", "o2", owner_id="u-7")
    deliveries = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=api_key_headers).get_json()
    (delivery,) = deliveries["items"]
    failed = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries?status=failed", headers=api_key_headers)
    assert failed.get_json()["items"] == []
    again = client.post(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver", headers=api_key_headers
    )
    assert again.status_code == 202
    rotated = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret", data='{"grace_seconds": 86400}', headers=json_headers
    )
    assert rotated.status_code == 200 and rotated.get_json()["secret"] != hook["secret"]
    paused = client.patch(
        f"/api/v1/webhooks/{hook['id']}",
        data='{"status": "paused"}',
        headers=json_headers | {"If-Match": '"2"'},
    )
    assert paused.status_code == 200
    resumed = client.patch(
        f"/api/v1/webhooks/{hook['id']}",
        data='{"status": "active"}',
        headers=json_headers | {"If-Match": '"3"'},
    )
    assert resumed.get_json()["status"] == "active"
