"""Every event type the customer service publishes, with its schema and example (the events catalog).

Installed under the `crm.event_catalog` entry point, so the AsyncAPI document and the catalog test see it.
"""

from __future__ import annotations

from crmkit.events.catalog import EventRegistry
from customer.accounts import events as accounts
from customer.contacts import events as contacts
from customer.conversions import events as conversions
from customer.interactions import events as interactions

REGISTRY = EventRegistry("customer")

ACCOUNT_CREATED = REGISTRY.define(
    accounts.ACCOUNT_CREATED,
    schema=accounts.AccountCreatedV1,
    example=accounts.EXAMPLE_CREATED,
    summary="An account (company) was created; the payload is its state.",
)
ACCOUNT_UPDATED = REGISTRY.define(
    accounts.ACCOUNT_UPDATED,
    schema=accounts.AccountUpdatedV1,
    example=accounts.EXAMPLE_UPDATED,
    summary="An account changed; the payload is its new state plus `changes` (before/after per field).",
)
ACCOUNT_MERGED = REGISTRY.define(
    accounts.ACCOUNT_MERGED,
    schema=accounts.AccountMergedV1,
    example=accounts.EXAMPLE_MERGED,
    summary=(
        "A duplicate account was merged into `merged_into_id` (subject: the merged account). Re-point every "
        "reference to the merged account at the survivor; its contacts and interactions moved there."
    ),
)
ACCOUNT_DELETED = REGISTRY.define(
    accounts.ACCOUNT_DELETED,
    schema=accounts.AccountDeletedV1,
    example=accounts.EXAMPLE_DELETED,
    summary="An account was deleted (soft: it is no longer listed or readable); the payload is its last state.",
)
CONTACT_CREATED = REGISTRY.define(
    contacts.CONTACT_CREATED,
    schema=contacts.ContactCreatedV1,
    example=contacts.EXAMPLE_CREATED,
    summary="A contact (person at an account) was created; the payload is its state.",
)
CONTACT_UPDATED = REGISTRY.define(
    contacts.CONTACT_UPDATED,
    schema=contacts.ContactUpdatedV1,
    example=contacts.EXAMPLE_UPDATED,
    summary="A contact changed (also when a merge moved it to another account); new state plus `changes`.",
)
CONTACT_DELETED = REGISTRY.define(
    contacts.CONTACT_DELETED,
    schema=contacts.ContactDeletedV1,
    example=contacts.EXAMPLE_DELETED,
    summary="A contact was deleted (also when its account was); the payload is its last state.",
)
INTERACTION_LOGGED = REGISTRY.define(
    interactions.INTERACTION_LOGGED,
    schema=interactions.InteractionLoggedV1,
    example=interactions.EXAMPLE_LOGGED,
    summary="An interaction (call, e-mail, meeting, visit, note) was logged on an account's timeline.",
)
LEAD_CONVERSION_COMPLETED = REGISTRY.define(
    conversions.LEAD_CONVERSION_COMPLETED,
    schema=conversions.LeadConversionCompletedV1,
    example=conversions.EXAMPLE_COMPLETED,
    summary=(
        "A converted sales lead (subject: the lead id) now has its account and contact: an existing one the rep "
        "chose or the duplicate check found, or new ones (`account_created`, `contact_created`). Sent once per lead."
    ),
)
