"""The contract with sales, service desk and projects: their published examples feed this service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from crmkit.events.catalog import load_all_registries
from crmkit.events.envelope import Event, type_for
from customer.consumers import HANDLERS

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def event(routing_key: str, data: dict[str, Any]) -> Event:
    return Event(
        id=uuid.uuid4().hex,
        source=f"/services/{routing_key.split('.', 1)[0]}",
        type=type_for(routing_key),
        subject=str(data.get("id") or uuid.uuid4().hex),
        time=AT,
        data=data,
        dataschema=f"urn:crm:{routing_key}:v1",
        sequence=1,
    )


def test_every_event_handled_here_is_in_the_catalog_and_its_example_applies(
    client, rep, deliver, create_account
) -> None:
    """The contract with sales, service desk and projects: their published examples feed this service."""
    published = {event.routing_key: event for registry in load_all_registries() for event in registry}
    assert sorted(set(HANDLERS) - set(published)) == []
    account = create_account("Example AG")
    for routing_key in sorted(set(HANDLERS) - {"sales.lead.converted"}):
        example = dict(published[routing_key].example)
        assert "account_id" in example, f"{routing_key} carries no account_id"
        deliver(event(routing_key, {**example, "account_id": account["id"]}))
    deliver(
        event(
            "sales.lead.converted", {**published["sales.lead.converted"].example, "account_id": account["id"]}
        )
    )
    timeline = client.get(f"/api/v1/accounts/{account['id']}/interactions?limit=100", headers=rep).json[
        "items"
    ]
    logged = {item["source"] for item in timeline}
    assert logged == {"sales", "servicedesk", "projects"}
