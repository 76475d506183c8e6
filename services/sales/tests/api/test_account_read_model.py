"""The customer read model fed by customer.account.* / customer.contact.* events, and merge re-pointing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

import crmkit
from sales.accounts.models import AccountView, ContactEmailView, ContactView
from sales.accounts.service import account_tier
from sales.db import Base
from sales.models import import_all

Headers = dict[str, str]


def view(database: crmkit.Database, account_id: str) -> AccountView | None:
    with database.uow() as uow:
        return uow.session.get(AccountView, account_id)


def test_account_events_keep_the_view_and_drop_stale_ones(
    database: crmkit.Database, deliver: Callable[..., Any], account_event: Callable[..., Any]
) -> None:
    deliver("customer.account.created", account_event("acc-1", name="Acme", tags=["emea"]), sequence=1)
    deliver(
        "customer.account.updated", account_event("acc-1", name="Acme AG", tier="key", version=3), sequence=3
    )
    deliver("customer.account.updated", account_event("acc-1", name="Old name", version=2), sequence=2)
    stored = view(database, "acc-1")
    assert stored is not None
    assert (stored.name, stored.tier, stored.region, stored.country, stored.tags) == (
        "Acme AG",
        "key",
        "Bavaria",
        "DE",
        [],
    )
    with database.uow() as uow:
        assert account_tier(uow.session, "acc-1") == "key"
        assert account_tier(uow.session, "unknown") == "standard"
        assert account_tier(uow.session, None) == "standard"
    deliver(
        "customer.account.deleted",
        account_event("acc-1", deleted_at="2026-04-01T08:00:00Z", version=4),
        sequence=4,
    )
    stored = view(database, "acc-1")
    assert stored is not None and stored.deleted and not stored.is_live


def test_merge_repoints_every_account_id_column(
    client: FlaskClient,
    rep: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    database: crmkit.Database,
    deliver: Callable[..., Any],
    account_event: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    deliver("customer.account.created", account_event("loser"), sequence=1)
    deliver("customer.account.created", account_event("winner", tier="key"), sequence=1)
    body = {"name": "Deal", "amount": "10", "currency": "EUR", "account_id": "loser"}
    opportunity = client.post("/api/v1/opportunities", json=body, headers=rep).json
    activity = client.post(
        "/api/v1/activities",
        json={"kind": "call", "subject": "Intro", "due_at": "2026-05-04T09:00:00Z", "account_id": "loser"},
        headers=rep,
    ).json
    merged = {
        **account_event("loser", merged_into_id="winner", version=2),
        "survivor": account_event("winner", tier="key", version=2),
        "moved_contact_ids": [],
        "moved_interactions": 0,
    }
    deliver("customer.account.merged", merged, sequence=2)
    assert (
        client.get(f"/api/v1/opportunities/{opportunity['id']}", headers=rep).json["account_id"] == "winner"
    )
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=rep).json["account_id"] == "winner"
    loser = view(database, "loser")
    assert loser is not None and loser.merged_into_id == "winner"
    # a later activity against the merged id lands on the survivor
    later = client.post(
        "/api/v1/activities",
        json={
            "kind": "call",
            "subject": "Follow-up",
            "due_at": "2026-05-05T09:00:00Z",
            "account_id": "loser",
        },
        headers=rep,
    ).json
    assert later["account_id"] == "winner"


def test_contacts_feed_the_email_index(
    database: crmkit.Database, deliver: Callable[..., Any], contact_event: Callable[..., Any]
) -> None:
    deliver("customer.contact.created", contact_event("c-1", "acc-1", "Jana@Acme.example"), sequence=1)
    updated = contact_event("c-1", "acc-1", "jana.novak@acme.example", version=2)
    deliver("customer.contact.updated", updated, sequence=2)
    with database.uow() as uow:
        emails = [row.email for row in uow.session.query(ContactEmailView).all()]
        assert emails == ["jana.novak@acme.example"]
    deliver("customer.contact.deleted", {**updated, "version": 3}, sequence=3)
    with database.uow() as uow:
        contact = uow.session.get(ContactView, "c-1")
        assert contact is not None and contact.deleted
        assert uow.session.query(ContactEmailView).count() == 0


def test_merge_scan_covers_the_commercial_tables_too() -> None:
    import_all()
    tables = {table.name for table in Base.metadata.sorted_tables if "account_id" in table.c}
    assert {"leads", "opportunities", "activities"} <= tables
    assert len(tables) > 3  # quotes, orders, campaign members ... (the commercial part)
