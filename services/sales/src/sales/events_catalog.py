"""Every event type the sales service publishes, with its schema and example (the events catalog).

Installed under the `crm.event_catalog` entry point, so the AsyncAPI document and the catalog test see it.
"""

from __future__ import annotations

from crmkit.events.catalog import EventRegistry
from sales.activities import events as activities
from sales.leads import events as leads
from sales.opportunities import events as opportunities
from sales.orders import events as orders
from sales.quotes import events as quotes

REGISTRY = EventRegistry("sales")

LEAD_CREATED = REGISTRY.define(
    leads.LEAD_CREATED,
    schema=leads.LeadCreatedV1,
    example=leads.EXAMPLE_CREATED,
    summary="A lead was captured (API, web form or campaign response); the payload is its state.",
)
LEAD_ASSIGNED = REGISTRY.define(
    leads.LEAD_ASSIGNED,
    schema=leads.LeadAssignedV1,
    example=leads.EXAMPLE_ASSIGNED,
    summary="A lead got a new owner (by an assignment rule or by hand); state, `changes` and `assignment`.",
)
LEAD_QUALIFIED = REGISTRY.define(
    leads.LEAD_QUALIFIED,
    schema=leads.LeadQualifiedV1,
    example=leads.EXAMPLE_QUALIFIED,
    summary="A lead was qualified (ready to convert); its new state plus `changes`.",
)
LEAD_DISQUALIFIED = REGISTRY.define(
    leads.LEAD_DISQUALIFIED,
    schema=leads.LeadDisqualifiedV1,
    example=leads.EXAMPLE_DISQUALIFIED,
    summary="A lead was disqualified with a reason; its new state plus `changes`.",
)
LEAD_CONVERTED = REGISTRY.define(
    leads.LEAD_CONVERTED,
    schema=leads.LeadConvertedV1,
    example=leads.EXAMPLE_CONVERTED,
    summary=(
        "A qualified lead was converted: an opportunity exists (`opportunity_id`). `account_id` / "
        "`contact_id` name the existing account and contact the user chose, or are null: the customer "
        "service links or creates them (once per lead) and answers with customer.lead_conversion.completed."
    ),
)
OPPORTUNITY_CREATED = REGISTRY.define(
    opportunities.OPPORTUNITY_CREATED,
    schema=opportunities.OpportunityCreatedV1,
    example=opportunities.EXAMPLE_CREATED,
    summary="An opportunity was opened (by hand or by a lead conversion); the payload is its state.",
)
OPPORTUNITY_STAGE_CHANGED = REGISTRY.define(
    opportunities.OPPORTUNITY_STAGE_CHANGED,
    schema=opportunities.OpportunityStageChangedV1,
    example=opportunities.EXAMPLE_STAGE_CHANGED,
    summary="An open opportunity moved to another open stage; state, `changes` and time in the stage it left.",
)
OPPORTUNITY_WON = REGISTRY.define(
    opportunities.OPPORTUNITY_WON,
    schema=opportunities.OpportunityWonV1,
    example=opportunities.EXAMPLE_WON,
    summary="An opportunity was won; its final state plus `changes`.",
)
OPPORTUNITY_LOST = REGISTRY.define(
    opportunities.OPPORTUNITY_LOST,
    schema=opportunities.OpportunityLostV1,
    example=opportunities.EXAMPLE_LOST,
    summary="An opportunity was lost, with a reason from the loss reason list; its final state plus `changes`.",
)
ACTIVITY_COMPLETED = REGISTRY.define(
    activities.ACTIVITY_COMPLETED,
    schema=activities.ActivityCompletedV1,
    example=activities.EXAMPLE_COMPLETED,
    summary="A call, meeting, task or visit was completed with an outcome (for the account's timeline).",
)

# --- S2 (commercial): quotes and orders -------------------------------------------------------------------
QUOTE_APPROVAL_REQUESTED = REGISTRY.define(
    quotes.QUOTE_APPROVAL_REQUESTED,
    schema=quotes.QuoteApprovalRequestedV1,
    example=quotes.EXAMPLE_APPROVAL_REQUESTED,
    summary=(
        "A quote's discount is above the preparer's threshold (by role and customer tier) and a sales "
        "manager's approval was requested; the quote version's state plus `changes`."
    ),
)
QUOTE_APPROVED = REGISTRY.define(
    quotes.QUOTE_APPROVED,
    schema=quotes.QuoteApprovedV1,
    example=quotes.EXAMPLE_APPROVED,
    summary="A sales manager (or management) approved a quote's discount; it may now be sent.",
)
QUOTE_SENT = REGISTRY.define(
    quotes.QUOTE_SENT,
    schema=quotes.QuoteSentV1,
    example=quotes.EXAMPLE_SENT,
    summary="A quote version was sent to the customer; its state (lines, exact totals) plus `changes`.",
)
QUOTE_ACCEPTED = REGISTRY.define(
    quotes.QUOTE_ACCEPTED,
    schema=quotes.QuoteAcceptedV1,
    example=quotes.EXAMPLE_ACCEPTED,
    summary="The customer accepted a quote version; `order_id` names the order confirmed with it.",
)
ORDER_CONFIRMED = REGISTRY.define(
    orders.ORDER_CONFIRMED,
    schema=orders.OrderConfirmedV1,
    example=orders.EXAMPLE_CONFIRMED,
    summary=(
        "An order was confirmed from an accepted quote: lines, totals and `total_in_base` (the total in the "
        "base currency at the day's exchange rate). Projects start a delivery project from it; the customer "
        "service counts it toward the account's value."
    ),
)
ORDER_CANCELLED = REGISTRY.define(
    orders.ORDER_CANCELLED,
    schema=orders.OrderCancelledV1,
    example=orders.EXAMPLE_CANCELLED,
    summary="A confirmed order was cancelled, with a reason; its state plus `changes`.",
)
