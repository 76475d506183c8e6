"""The events catalog and the payload builders (plain objects, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from crmkit.changes import diff
from crmkit.events.catalog import load_all_registries
from customer.accounts.events import account_state
from customer.accounts.models import Account
from customer.contacts.events import contact_state
from customer.contacts.models import CONSENT_PURPOSES, Contact
from customer.contacts.schemas import ConsentAnswersSchema
from customer.events_catalog import REGISTRY

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_the_catalog_lists_every_customer_event_with_a_valid_example() -> None:
    assert sorted(event.routing_key for event in REGISTRY) == [
        "customer.account.created",
        "customer.account.deleted",
        "customer.account.merged",
        "customer.account.updated",
        "customer.contact.created",
        "customer.contact.deleted",
        "customer.contact.updated",
        "customer.interaction.logged",
        "customer.lead_conversion.completed",
    ]
    assert all(event.problems(event.example) == [] for event in REGISTRY)


def test_the_registry_is_installed_under_the_catalog_entry_point() -> None:
    assert any(registry is REGISTRY for registry in load_all_registries())


def test_account_payload_matches_the_created_and_updated_schemas() -> None:
    account = Account.new(name="Acme GmbH", created_by="u-1", now=NOW, tags=["emea"], website="acme.example")
    account.version = 1
    state = account_state(account)
    assert REGISTRY.get("customer.account.created").problems(state) == []
    assert state["created_at"] == "2026-03-01T09:30:00.000000Z" and state["domain"] == "acme.example"
    changed = {**state, "tier": "key", "changes": diff(state, {**state, "tier": "key"})}
    assert REGISTRY.get("customer.account.updated").problems(changed) == []


def test_contact_payload_matches_its_schema_with_consents() -> None:
    contact = Contact.new(
        account_id="a1",
        created_by="u-1",
        now=NOW,
        fields={
            "name": "Jana",
            "emails": [{"address": "jana@acme.example", "label": None}],
            "consents": {"marketing_email": {"granted": True, "method": "web_form", "recorded_at": None}},
        },
    )
    contact.version = 1
    assert REGISTRY.get("customer.contact.created").problems(contact_state(contact)) == []


def test_the_consent_schema_offers_exactly_the_consent_purposes() -> None:
    assert set(ConsentAnswersSchema().fields) == set(CONSENT_PURPOSES)


def test_diff_lists_changed_fields_with_before_and_after_and_ignores_bookkeeping() -> None:
    before = {"name": "A", "tags": ["x"], "version": 1, "updated_at": "t1"}
    after = {"name": "B", "tags": ["x"], "version": 2, "updated_at": "t2"}
    assert diff(before, after) == {"name": {"before": "A", "after": "B"}}
    assert diff(before, before) == {}
