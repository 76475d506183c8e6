"""The issue's "Done when", end to end: a new user on a fresh machine runs `make up`, gets a token, creates
an account and a contact through the gateway and sees the events on the bus; then the same steps on
RabbitMQ and PostgreSQL, where every message is checked against the CloudEvents envelope and the catalog."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from kombu.message import Message

from crmkit.asyncapi import envelope_schema
from crmkit.events.catalog import EventType, load_all_registries
from crmkit.events.envelope import CONTENT_TYPE, format_sequence, type_for

pytestmark = pytest.mark.e2e

RandomRef = Callable[[str], str]
ENVELOPE = Draft202012Validator(envelope_schema())
CATALOG: dict[str, EventType] = {t.dataschema: t for registry in load_all_registries() for t in registry}


@dataclasses.dataclass(frozen=True)
class Expected:
    """An event a write must cause: its routing key, subject, sequence and the request that caused it."""

    routing_key: str
    subject: str
    sequence: int
    request_id: str


@dataclasses.dataclass(frozen=True)
class Story:
    """What `first_steps` did: the account and contact as last answered, and the events they must cause."""

    account: dict[str, Any]
    contact: dict[str, Any]
    expected: list[Expected]


def first_steps(stack: Any, random_ref: RandomRef) -> Story:
    """Get a token, create an account and a contact, read both back, change the account with If-Match.

    Every write goes through the gateway with an X-Request-ID of our own, which its answer repeats.
    """
    gateway = stack.client()
    token = gateway.sign_in(stack.platform.admin_username, stack.platform.admin_password).body
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0

    def write(method: str, path: str, body: Any, **headers: str) -> tuple[Any, str]:
        request_id = random_ref("e2e-request")
        reply = gateway.request(method, path, body, headers={"X-Request-ID": request_id, **headers})
        assert reply.headers["X-Request-ID"] == request_id
        return reply, request_id

    created, account_request = write("POST", "/accounts", {"name": random_ref("Acme"), "tier": "key"})
    assert created.status == 201 and created.etag == '"1"', created
    account = created.body
    contact_body = {"name": "Jana Novak", "emails": [{"address": f"{random_ref('jana')}@acme.example"}]}
    added, contact_request = write("POST", f"/accounts/{account['id']}/contacts", contact_body)
    assert added.status == 201 and added.etag == '"1"', added
    contact = added.body

    account_read = gateway.get(f"/accounts/{account['id']}")
    contact_read = gateway.get(f"/contacts/{contact['id']}")
    assert (account_read.status, account_read.etag, account_read.body) == (200, '"1"', account)
    assert (contact_read.status, contact_read.etag, contact_read.body) == (200, '"1"', contact)

    if_match = {"If-Match": account_read.etag}
    changed, change_request = write(
        "PATCH", f"/accounts/{account['id']}", {"lifecycle_stage": "active"}, **if_match
    )
    assert changed.status == 200 and changed.etag == '"2"', changed
    assert (changed.body["lifecycle_stage"], changed.body["version"]) == ("active", 2)
    expected = [
        Expected("customer.account.created", account["id"], 1, account_request),
        Expected("customer.contact.created", contact["id"], 1, contact_request),
        Expected("customer.account.updated", account["id"], 2, change_request),
    ]
    return Story(account=changed.body, contact=contact, expected=expected)


def test_a_new_user_creates_an_account_and_a_contact_through_the_gateway_and_sees_their_events_on_the_tail(
    embedded_stack: Any, random_ref: RandomRef
) -> None:
    with embedded_stack.watch("customer.#") as tail:
        story = first_steps(embedded_stack, random_ref)
        created, contact_created, updated = (tail.wait_for(e.routing_key, e.subject) for e in story.expected)

    expected_seen = [(type_for(e.routing_key), e.subject) for e in story.expected]
    assert Counter(tail.seen()) == Counter(expected_seen)  # each once, and nothing else meanwhile
    assert [created["sequence"], contact_created["sequence"], updated["sequence"]] == [1, 1, 2]
    assert (created["data"]["name"], created["data"]["tier"]) == (story.account["name"], "key")
    assert contact_created["data"]["account_id"] == story.account["id"]
    assert contact_created["data"]["emails"] == story.contact["emails"]
    assert updated["data"]["lifecycle_stage"] == "active"
    assert updated["data"]["changes"]["lifecycle_stage"] == {"before": "prospect", "after": "active"}


def test_the_tail_shows_the_request_id_that_caused_each_event(
    embedded_stack: Any, random_ref: RandomRef
) -> None:
    with embedded_stack.watch("customer.#") as tail:
        story = first_steps(embedded_stack, random_ref)
        events = [tail.wait_for(e.routing_key, e.subject) for e in story.expected]

    assert [event.get("correlationid") for event in events] == [e.request_id for e in story.expected]


@pytest.mark.rabbitmq
@pytest.mark.postgres
def test_on_rabbitmq_and_postgresql_the_same_steps_publish_valid_cloudevents_carrying_their_request_ids(
    rabbitmq_stack: Any, random_ref: RandomRef
) -> None:
    with rabbitmq_stack.watch("customer.#") as bus:
        story = first_steps(rabbitmq_stack, random_ref)
        events = [bus.wait_for(e.routing_key, e.subject) for e in story.expected]

    for event, expected in zip(events, story.expected, strict=True):
        assert_valid_cloudevent(event, expected)
        assert_message_mirrors_envelope(bus.messages[event["id"]], event, expected.routing_key)
    assert len({event["id"] for event in events}) == 3
    assert events[0]["data"]["name"] == story.account["name"]
    assert events[2]["data"]["changes"]["lifecycle_stage"] == {"before": "prospect", "after": "active"}


def assert_valid_cloudevent(event: dict[str, Any], expected: Expected) -> None:
    """The body is a CloudEvents 1.0 envelope about the expected change, its data valid per the catalog."""
    assert [error.message for error in ENVELOPE.iter_errors(event)] == []
    assert event["type"] == type_for(expected.routing_key) and event["source"] == "/services/customer"
    assert event["subject"] == expected.subject
    assert event["sequence"] == format_sequence(expected.sequence)
    assert event["correlationid"] == expected.request_id
    assert event.get("datacontenttype", "application/json") == "application/json"
    assert uuid.UUID(event["id"]) and event["time"].endswith("Z") and datetime.fromisoformat(event["time"])
    event_type = CATALOG[event["dataschema"]]
    assert event_type.routing_key == expected.routing_key
    assert event_type.problems(event["data"]) == []


def assert_message_mirrors_envelope(message: Message, event: dict[str, Any], routing_key: str) -> None:
    """AMQP properties and ce-* headers repeat the envelope, so tools need not parse bodies."""
    properties = message.properties
    assert message.delivery_info["routing_key"] == routing_key
    assert message.content_type == CONTENT_TYPE and properties["delivery_mode"] == 2
    mirrored = (
        properties["message_id"],
        properties["type"],
        properties["correlation_id"],
        properties["app_id"],
    )
    assert mirrored == (event["id"], event["type"], event["correlationid"], "customer")
    for name in ("id", "type", "source", "subject", "sequence", "correlationid"):
        assert message.headers[f"ce-{name}"] == event[name]
