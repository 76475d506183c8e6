"""Events from other services this service handles: routing key -> handler (none subscribed yet).

A handler is `handler(session, event)` and runs in the consumer's transaction, which crmkit commits together
with the inbox row. Events that belong on an account's timeline become interactions with `source` = the
publishing service and `external_ref` = the event's subject, whose unique pair makes a redelivery harmless.
"""

from __future__ import annotations

from crmkit.events.consumer import Handler

QUEUE = "customer.events"

HANDLERS: dict[str, Handler] = {}
