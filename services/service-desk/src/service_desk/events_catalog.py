"""Every event type the service desk publishes, with its schema and example (the events catalog).

Installed under the `crm.event_catalog` entry point, so the AsyncAPI document and the catalog test see it.
Ticket and survey events carry `account_id` at the top of `data`, so they land on the account's timeline.
"""

from __future__ import annotations

from crmkit.events.catalog import EventRegistry
from service_desk.sla import events as sla
from service_desk.surveys import events as surveys
from service_desk.tickets import events as tickets

REGISTRY = EventRegistry("servicedesk")

TICKET_CREATED = REGISTRY.define(
    tickets.TICKET_CREATED,
    schema=tickets.TicketCreatedV1,
    example=tickets.EXAMPLE_CREATED,
    summary="A ticket was opened (web form, API, inbound e-mail or a logged phone call); the payload is its state.",
)
TICKET_ASSIGNED = REGISTRY.define(
    tickets.TICKET_ASSIGNED,
    schema=tickets.TicketAssignedV1,
    example=tickets.EXAMPLE_ASSIGNED,
    summary="A ticket got an agent or group (by an agent or an assignment rule); new state plus `changes`.",
)
TICKET_STATUS_CHANGED = REGISTRY.define(
    tickets.TICKET_STATUS_CHANGED,
    schema=tickets.TicketStatusChangedV1,
    example=tickets.EXAMPLE_STATUS_CHANGED,
    summary="A ticket moved between states (new, open, pending, resolved, closed); new state plus `changes`.",
)
TICKET_RESOLVED = REGISTRY.define(
    tickets.TICKET_RESOLVED,
    schema=tickets.TicketResolvedV1,
    example=tickets.EXAMPLE_RESOLVED,
    summary="A ticket was resolved (a satisfaction survey goes to the requester); new state plus `changes`.",
)
TICKET_REOPENED = REGISTRY.define(
    tickets.TICKET_REOPENED,
    schema=tickets.TicketReopenedV1,
    example=tickets.EXAMPLE_REOPENED,
    summary="A resolved or closed ticket was reopened (by an agent, a requester's reply or a low rating).",
)
COMPLAINT_RAISED = REGISTRY.define(
    tickets.COMPLAINT_RAISED,
    schema=tickets.ComplaintRaisedV1,
    example=tickets.EXAMPLE_COMPLAINT,
    summary="A complaint was raised (a ticket of type complaint was opened or reclassified as one).",
)

# --- SLA engine (helper D2) ---------------------------------------------------------------------------
TICKET_SLA_WARNING = REGISTRY.define(
    sla.TICKET_SLA_WARNING,
    schema=sla.TicketSlaWarningV1,
    example=sla.EXAMPLE_WARNING,
    summary=(
        "A ticket's SLA clock (first response, next response or resolution) reached its policy's warning "
        "share of the target in business time; once per clock."
    ),
)
TICKET_SLA_BREACHED = REGISTRY.define(
    sla.TICKET_SLA_BREACHED,
    schema=sla.TicketSlaBreachedV1,
    example=sla.EXAMPLE_BREACHED,
    summary="A ticket's SLA clock passed its target in business time (`due_at`); once per clock.",
)
TICKET_ESCALATED = REGISTRY.define(
    sla.TICKET_ESCALATED,
    schema=sla.TicketEscalatedV1,
    example=sla.EXAMPLE_ESCALATED,
    summary=(
        "An escalation rule reacted to an SLA warning or breach: reassigned the ticket, raised its priority "
        "and/or notified the account manager (`notify`); `changes` holds what changed on the ticket."
    ),
)
SURVEY_ANSWERED = REGISTRY.define(
    surveys.SURVEY_ANSWERED,
    schema=surveys.SurveyAnsweredV1,
    example=surveys.EXAMPLE_ANSWERED,
    summary="A requester rated a resolved ticket (1-5, with a comment); a low rating reopened or flagged it.",
)
