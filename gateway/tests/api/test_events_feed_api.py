"""GET /api/v1/events: the replay feed, in order, from any retained cursor; 410 for a purged one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from crmkit.events.envelope import Event
from crmkit.types import utcnow
from gateway.context import gateway
from gateway.integrations.eventlog import purge_expired, store_event

LogEvent = Callable[..., Event]


@pytest.fixture
def log_event(app) -> LogEvent:
    """Store an event in the gateway's log as the worker's consumer does."""

    def log_event(routing_key: str, subject: str = "s1", sequence: int = 1, **data: Any) -> Event:
        event = Event(
            id=str(uuid.uuid4()),
            source=f"/services/{routing_key.split('.')[0]}",
            type=f"crm.{routing_key}",
            subject=subject,
            time=utcnow(),
            data={"id": subject, **data},
            dataschema=f"urn:crm:events:{routing_key}:v1",
            sequence=sequence,
        )
        with app.app_context(), app.extensions["crm"].database.uow() as uow:
            store_event(uow.session, event)
            uow.commit()
        return event

    return log_event


@pytest.fixture
def integrator_headers(app) -> Callable[..., dict[str, str]]:
    """Headers of an API key's exchanged token (kind api_key, role integrator) holding `scopes`."""

    def integrator_headers(*scopes: str) -> dict[str, str]:
        token = gateway(app).tokens.integrator_token(key_id="k1", name="erp", scopes=list(scopes), ttl=300)
        return {"Authorization": f"Bearer {token}"}

    return integrator_headers


def feed(client, headers, **query: Any):
    response = client.get("/api/v1/events", query_string=query, headers=headers)
    return response, response.get_json()


def test_lists_every_event_in_the_order_it_was_logged_with_cursors(client, admin_headers, log_event):
    events = [log_event("customer.account.created", f"a{index}") for index in range(3)]
    response, body = feed(client, admin_headers)
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == [event.id for event in events]
    cursors = [int(item["cursor"]) for item in body["items"]]
    assert cursors == sorted(cursors)
    assert body["next_cursor"] == str(cursors[-1])
    first = body["items"][0]
    assert first["specversion"] == "1.0"
    assert (first["type"], first["subject"], first["data"]["id"]) == (
        "crm.customer.account.created",
        "a0",
        "a0",
    )


def test_resumes_after_any_cursor_and_pages_with_limit(client, admin_headers, log_event):
    events = [log_event("customer.account.updated", "a1", sequence) for sequence in range(1, 6)]
    _, first_page = feed(client, admin_headers, limit=2)
    assert [item["id"] for item in first_page["items"]] == [events[0].id, events[1].id]
    _, second_page = feed(client, admin_headers, after=first_page["next_cursor"], limit=2)
    assert [item["id"] for item in second_page["items"]] == [events[2].id, events[3].id]
    _, from_old = feed(client, admin_headers, after=first_page["items"][0]["cursor"])
    assert [item["id"] for item in from_old["items"]] == [event.id for event in events[1:]]


def test_at_the_end_the_feed_is_empty_and_hands_back_the_cursor_to_poll_with(
    client, admin_headers, log_event
):
    log_event("customer.account.created")
    _, body = feed(client, admin_headers)
    _, end = feed(client, admin_headers, after=body["next_cursor"])
    assert end == {"items": [], "next_cursor": body["next_cursor"]}


def test_filters_by_type_patterns(client, admin_headers, log_event):
    won = log_event("sales.opportunity.won", "o1")
    log_event("customer.account.created", "a1")
    lost = log_event("sales.opportunity.lost", "o2")
    quote = log_event("sales.quote.sent", "q1")
    _, body = feed(client, admin_headers, type="sales.opportunity.*")
    assert [item["id"] for item in body["items"]] == [won.id, lost.id]
    _, both = feed(client, admin_headers, type="crm.sales.quote.*,sales.opportunity.lost")
    assert [item["id"] for item in both["items"]] == [lost.id, quote.id]


def test_a_bad_pattern_or_cursor_is_a_422_naming_the_parameter(client, admin_headers):
    response, body = feed(client, admin_headers, type="sales..won")
    assert response.status_code == 422
    assert body["code"] == "gateway.events.invalid_pattern"
    assert body["errors"][0]["field"] == "type"
    for after in ("yesterday", "-1", str(2**63)):
        response, body = feed(client, admin_headers, after=after)
        assert response.status_code == 422
        assert body["errors"][0]["field"] == "after"


def test_a_cursor_older_than_the_retention_is_410_gone(app, client, admin_headers, log_event):
    for index in range(4):
        log_event("customer.account.created", f"a{index}")
    _, body = feed(client, admin_headers)
    oldest_cursor, newest_cursor = body["items"][0]["cursor"], body["items"][-1]["cursor"]
    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        removed = purge_expired(uow.session, utcnow() + timedelta(days=31), retention=timedelta(days=30))
        uow.commit()
    assert removed == 4
    response, problem = feed(client, admin_headers, after=oldest_cursor)
    assert response.status_code == 410
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == "gateway.events.cursor_expired"
    assert problem["oldest_cursor"] == newest_cursor
    newer = log_event("customer.account.created", "a10")
    _, fresh = feed(client, admin_headers, after=problem["oldest_cursor"])
    assert [item["id"] for item in fresh["items"]] == [newer.id]
    assert int(fresh["items"][0]["cursor"]) > int(newest_cursor)  # a purged cursor is never reused


def test_the_purge_keeps_events_within_the_retention(app, client, admin_headers, log_event):
    event = log_event("customer.account.created")
    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        assert purge_expired(uow.session, utcnow() + timedelta(days=29), retention=timedelta(days=30)) == 0
        uow.commit()
    _, body = feed(client, admin_headers, after=0)
    assert [item["id"] for item in body["items"]] == [event.id]


def test_an_api_key_reads_only_the_types_its_scopes_name(client, log_event, integrator_headers):
    won = log_event("sales.opportunity.won", "o1")
    log_event("customer.account.created", "a1")
    headers = integrator_headers("events:sales.opportunity.*")
    response, body = feed(client, headers)
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == [won.id]
    _, narrowed = feed(client, headers, type="customer.#")
    assert narrowed["items"] == []


def test_payloads_are_masked_for_an_api_key_without_the_fields_scope(client, log_event, integrator_headers):
    log_event("sales.opportunity.won", "o1", discount_percent="10", amount="100.00")
    _, masked = feed(client, integrator_headers("events:#"))
    assert "discount_percent" not in masked["items"][0]["data"]
    assert masked["items"][0]["data"]["amount"] == "100.00"
    _, full = feed(client, integrator_headers("events:#", "fields:commercial_terms"))
    assert full["items"][0]["data"]["discount_percent"] == "10"


def test_only_admins_and_api_keys_with_event_scopes_may_read(
    client, make_user, headers_for, integrator_headers
):
    response, body = feed(client, headers_for(make_user("sales_manager")))
    assert response.status_code == 403
    response, body = feed(client, integrator_headers("read:accounts"))
    assert (response.status_code, body["code"]) == (403, "gateway.events.type_not_allowed")
    assert client.get("/api/v1/events").status_code == 401
