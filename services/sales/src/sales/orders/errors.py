"""Problems of orders (codes listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class OrderNotFound(crmkit.NotFound):
    code = "sales.order.not_found"


class OrderTransitionInvalid(crmkit.Conflict):
    """Only a confirmed order can be fulfilled or cancelled; `status` names the order's status."""

    title = "Order Status Conflict"
    code = "sales.order.invalid_transition"
