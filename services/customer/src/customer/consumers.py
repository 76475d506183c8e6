"""Events from other services this service handles: routing key -> handler.

A handler is `handler(session, event)` and runs in the consumer's transaction, which crmkit commits together
with the inbox row. `sales.lead.converted` links or creates the lead's account and contact. The business
events in `customer.insights.feeds.FEEDS` keep the customer 360 view current and land on the account's
timeline as interactions with `source` = the publishing service and `external_ref` = `event:<event id>`,
whose unique pair makes a replay harmless.
"""

from __future__ import annotations

from crmkit.events.consumer import Handler
from customer.conversions.service import on_lead_converted
from customer.insights.feeds import FEEDS
from customer.insights.service import on_event

QUEUE = "customer.events"

HANDLERS: dict[str, Handler] = {"sales.lead.converted": on_lead_converted, **dict.fromkeys(FEEDS, on_event)}
