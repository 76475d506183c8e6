"""The event catalog: definitions, payload validation, and registries found through entry points."""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from crmkit.events import catalog
from crmkit.events.catalog import (
    EventCatalogError,
    EventPayloadInvalid,
    EventRegistry,
    load_all_registries,
    validate_payload,
)

SCHEMA = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string", "minLength": 1}},
}
REGISTRY = EventRegistry("customer")
ACCOUNT_CREATED = REGISTRY.define(
    "customer.account.created", schema=SCHEMA, example={"id": "a-1", "name": "ACME"}, summary="Created."
)


def test_names_the_type_and_the_dataschema_from_key_and_version() -> None:
    registry = EventRegistry("customer")
    v2 = registry.define(
        "customer.account.created", version=2, schema=SCHEMA, example={"id": "a", "name": "b"}, summary="x"
    )
    assert v2.type == "crm.customer.account.created"
    assert v2.dataschema == "urn:crm:events:customer.account.created:v2"
    assert v2.service == "customer"
    assert list(registry) == [v2] and len(registry) == 1
    assert registry.get("customer.account.created", 2) is v2


def test_accepts_a_payload_that_matches_the_schema() -> None:
    validate_payload(ACCOUNT_CREATED, {"id": "a-1", "name": "ACME"})


def test_rejects_a_payload_naming_each_bad_field() -> None:
    with pytest.raises(EventPayloadInvalid) as caught:
        validate_payload(ACCOUNT_CREATED, {"id": 5, "name": ""})
    assert caught.value.dataschema == "urn:crm:events:customer.account.created:v1"
    assert caught.value.problems == ["id: 5 is not of type 'string'", "name: '' should be non-empty"]


@pytest.mark.parametrize(
    ("routing_key", "changes", "complaint"),
    [
        ("Customer.Account.Created", {}, "routing key"),
        ("customer.created", {}, "routing key"),
        ("customer.account.created", {"example": {"id": "a"}}, "example does not match"),
        ("customer.account.created", {"schema": {"type": "no-such-type"}}, "invalid JSON Schema"),
        ("customer.account.created", {"version": 0}, "version"),
    ],
)
def test_refuses_bad_definitions(routing_key: str, changes: dict[str, Any], complaint: str) -> None:
    definition: dict[str, Any] = {"schema": SCHEMA, "example": {"id": "a", "name": "b"}, "summary": "s"}
    with pytest.raises(EventCatalogError, match=complaint):
        EventRegistry("customer").define(routing_key, **(definition | changes))


def test_refuses_a_second_definition_of_the_same_version() -> None:
    registry = EventRegistry("customer")
    registry.define("customer.account.created", schema=SCHEMA, example={"id": "a", "name": "b"}, summary="s")
    with pytest.raises(EventCatalogError, match="already defined"):
        registry.define(
            "customer.account.created", schema=SCHEMA, example={"id": "a", "name": "b"}, summary="s"
        )


def test_loads_registries_from_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules[__name__].__name__
    points = [EntryPoint("customer", f"{module}:REGISTRY", catalog.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(
        catalog, "entry_points", lambda group: points if group == catalog.ENTRY_POINT_GROUP else []
    )
    assert load_all_registries() == [REGISTRY]


def test_refuses_an_entry_point_that_is_not_a_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [EntryPoint("bad", "crmkit.events.topology:EVENTS_EXCHANGE", catalog.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(catalog, "entry_points", lambda group: points)
    with pytest.raises(EventCatalogError, match="not an EventRegistry"):
        load_all_registries()
