"""CloudEvents envelopes: round trip, attributes, and rejection of malformed bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from crmkit.events.envelope import Event, MalformedEvent, routing_key_for, type_for


def make_event(**overrides: Any) -> Event:
    values: dict[str, Any] = {
        "id": "5f0c7f8e-1d2b-4c6a-9a57-0d1e2f3a4b5c",
        "source": "/services/customer",
        "type": "crm.customer.account.created",
        "subject": "acc-1",
        "time": datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC),
        "data": {"id": "acc-1", "name": "ACME"},
        "dataschema": "urn:crm:events:customer.account.created:v1",
        "sequence": 7,
        "correlationid": "req-1",
        "causationid": "req-1",
    }
    values.update(overrides)
    return Event(**values)


def test_round_trips_through_structured_json() -> None:
    event = make_event()
    assert Event.from_json(event.to_json()) == event
    assert Event.from_json(event.to_json().encode()) == event


def test_writes_the_cloudevents_attributes_and_extensions() -> None:
    body = json.loads(make_event().to_json())
    assert body["specversion"] == "1.0"
    assert body["datacontenttype"] == "application/json"
    assert body["time"] == "2026-11-22T10:00:00.123456Z"
    assert body["sequence"] == "00000000000000000007"
    assert body["correlationid"] == body["causationid"] == "req-1"


def test_sequence_strings_order_like_the_numbers() -> None:
    rendered = [json.loads(make_event(sequence=n).to_json())["sequence"] for n in (9, 10, 123, 2)]
    assert sorted(rendered) == [
        json.loads(make_event(sequence=n).to_json())["sequence"] for n in (2, 9, 10, 123)
    ]


def test_leaves_out_absent_extensions_and_reads_them_back_as_none() -> None:
    event = make_event(correlationid=None, causationid=None)
    body = json.loads(event.to_json())
    assert "correlationid" not in body and "causationid" not in body
    assert Event.from_json(event.to_json()) == event


def test_normalises_offsets_to_utc() -> None:
    body = json.loads(make_event().to_json())
    body["time"] = "2026-11-22T12:00:00+02:00"
    event = Event.from_dict(body)
    assert event.time == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert make_event(time=datetime(2026, 1, 1, 3, tzinfo=timezone(timedelta(hours=3)))).to_dict()[
        "time"
    ] == ("2026-01-01T00:00:00.000000Z")


def test_maps_routing_keys_and_types() -> None:
    assert make_event().routing_key == "customer.account.created"
    assert routing_key_for("crm.sales.opportunity.won") == "sales.opportunity.won"
    assert type_for("sales.opportunity.won") == "crm.sales.opportunity.won"
    assert make_event().service == "customer"


def test_copies_the_main_attributes_into_ce_headers() -> None:
    headers = make_event().headers()
    assert headers["ce-id"] == "5f0c7f8e-1d2b-4c6a-9a57-0d1e2f3a4b5c"
    assert headers["ce-type"] == "crm.customer.account.created"
    assert headers["ce-subject"] == "acc-1"
    assert headers["ce-sequence"] == "00000000000000000007"
    assert headers["ce-correlationid"] == "req-1"


def _body(**changes: Any) -> bytes:
    body = make_event().to_dict()
    for name, value in changes.items():
        if value is _DROP:
            body.pop(name)
        else:
            body[name] = value
    return json.dumps(body).encode()


_DROP = object()


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (_body(specversion="0.3"), "specversion"),
        (_body(id=_DROP), "'id'"),
        (_body(subject=""), "'subject'"),
        (_body(type="customer.account.created"), "type must start"),
        (_body(time="yesterday"), "RFC 3339"),
        (_body(time="2026-11-22T10:00:00"), "no offset"),
        (_body(sequence=7), "'sequence'"),
        (_body(sequence="-7"), "decimal string"),
        (_body(sequence="1" * 21), "decimal string"),
        (_body(data=[1]), "data must be a JSON object"),
        (_body(data=_DROP), "data must be a JSON object"),
        (_body(datacontenttype="text/xml"), "datacontenttype"),
        (_body(correlationid=5), "correlationid"),
    ],
)
def test_rejects_malformed_envelopes_with_a_clear_error(raw: bytes, complaint: str) -> None:
    with pytest.raises(MalformedEvent, match=complaint):
        Event.from_json(raw)


def test_refuses_naive_times_and_negative_sequences_when_writing() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_event(time=datetime(2026, 1, 1)).to_json()
    with pytest.raises(ValueError, match="negative"):
        make_event(sequence=-1).to_json()
