"""The customer read model: events in, stale ones dropped, requester matching, merges re-point tickets."""

from __future__ import annotations

import sqlalchemy as sa

from crmkit.db import transaction
from service_desk.customers import service as customers
from service_desk.customers.models import CustomerAccount


def test_updates_apply_in_sequence_and_stale_ones_are_dropped(deliver, account_payload, database) -> None:
    deliver("customer.account.created", account_payload("acc-1", tier="standard", version=1))
    deliver("customer.account.updated", account_payload("acc-1", tier="key", owner_id="am-2", version=3))
    deliver("customer.account.updated", account_payload("acc-1", tier="low", version=2))  # late, older
    with transaction(database) as session:
        account = session.get(CustomerAccount, "acc-1")
        assert account is not None
        assert (account.tier, account.owner_id, account.sequence) == ("key", "am-2", 3)
        assert customers.account_tier(session, "acc-1") == "key"
        assert customers.account_manager(session, "acc-1") == "am-2"
        assert customers.account_tier(session, "unknown") == "standard"


def test_contacts_match_by_any_of_their_addresses(
    deliver, account_payload, contact_payload, database
) -> None:
    deliver("customer.account.created", account_payload("acc-1"))
    emails = [
        {"address": "Jana@Acme.example", "label": "work"},
        {"address": "jana@home.example", "label": None},
    ]
    deliver("customer.contact.created", contact_payload("con-1", "acc-1", emails=emails))
    with transaction(database) as session:
        requester = customers.match_requester(session, "jana@home.example")
        assert (requester.contact_id, requester.account_id, requester.known) == ("con-1", "acc-1", True)
        assert customers.match_requester(session, "x@nowhere.example").known is False
    deliver(
        "customer.contact.deleted",
        contact_payload("con-1", "acc-1", version=2, deleted_at="2026-03-03T00:00:00Z"),
    )
    with transaction(database) as session:
        assert customers.match_requester(session, "jana@home.example").contact_id is None


def test_a_deleted_account_is_no_longer_a_customer(deliver, account_payload, database) -> None:
    deliver("customer.account.created", account_payload("acc-1", tier="key"))
    deliver(
        "customer.account.deleted",
        account_payload("acc-1", tier="key", version=2, deleted_at="2026-03-03T00:00:00Z"),
    )
    with transaction(database) as session:
        assert customers.account_tier(session, "acc-1") == "standard"


def test_a_merge_re_points_tickets_to_the_survivor(
    deliver, account_payload, contact_payload, customer, open_ticket, client, agent, database
) -> None:
    customer("acc-loser", "con-1", "jana@acme.example")
    deliver(
        "customer.account.created",
        account_payload("acc-survivor", name="Acme Group", tier="key", domain=None),
    )
    ticket = open_ticket()
    assert ticket["account_id"] == "acc-loser"
    merged = {
        **account_payload("acc-loser", merged_into_id="acc-survivor", version=2),
        "survivor": account_payload("acc-survivor", name="Acme Group", tier="key", domain=None, version=2),
        "moved_contact_ids": ["con-1"],
        "moved_interactions": 0,
    }
    deliver("customer.account.merged", merged)
    deliver("customer.account.merged", merged)  # a redelivery changes nothing
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json["account_id"] == "acc-survivor"
    with transaction(database) as session:
        assert customers.account_tier(session, "acc-loser") == "key"  # follows the merge
        assert customers.match_requester(session, "jana@acme.example").account_id == "acc-survivor"
        count = session.scalar(sa.select(sa.func.count()).select_from(CustomerAccount))
        assert count == 2
    again = open_ticket()
    assert again["account_id"] == "acc-survivor"
