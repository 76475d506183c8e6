"""Events from other services this service handles: routing key -> handler.

The desk keeps a read model of the customer service's accounts and contacts (customers.handlers); a
handler is `handler(session, event)` and runs in the consumer's transaction together with the inbox row.
"""

from __future__ import annotations

from crmkit.events.consumer import Handler
from service_desk.customers.handlers import HANDLERS as CUSTOMER_HANDLERS

QUEUE = "servicedesk.events"

HANDLERS: dict[str, Handler] = {**CUSTOMER_HANDLERS}
