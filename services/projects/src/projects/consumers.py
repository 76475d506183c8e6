"""Events from other services this service handles: routing key -> handler.

A handler is `handler(session, event)` and runs in the consumer's transaction, which crmkit commits together
with the inbox row, so a redelivered event changes nothing. The order handler is idempotent by order id too.
"""

from __future__ import annotations

from crmkit.events.consumer import Handler
from projects.accounts.service import on_account_changed, on_account_merged
from projects.projects.orders import on_order_confirmed

QUEUE = "projects.events"

HANDLERS: dict[str, Handler] = {
    "sales.order.confirmed": on_order_confirmed,
    "customer.account.created": on_account_changed,
    "customer.account.updated": on_account_changed,
    "customer.account.deleted": on_account_changed,
    "customer.account.merged": on_account_merged,
}
