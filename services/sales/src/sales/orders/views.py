"""HTTP resources of orders: /api/v1/orders, one order, fulfil and cancel."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.http import etag
from sales.orders import service
from sales.orders.schemas import OrderCancelSchema, OrderQuerySchema, OrderSchema
from sales.roles import SELLERS

blp = crmkit.Blueprint(
    "orders", __name__, url_prefix="/api/v1/orders", description="Orders from accepted quotes."
)


@blp.route("")
class Orders(MethodView):
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(OrderSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the orders you may see, newest first (filters: status, account_id, opportunity_id, owner)."""
        return service.list_orders(uow=current_uow(), query=query, actor=crmkit.current_principal())


@blp.route("/<order_id>")
class OrderById(MethodView):
    @blp.response(200, OrderSchema)
    def get(self, order_id: str) -> Any:
        """Read an order with its lines."""
        order = service.get_order(uow=current_uow(), order_id=order_id, actor=crmkit.current_principal())
        return order, etag(order.version)


@blp.route("/<order_id>/fulfil")
class OrderFulfil(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(200, OrderSchema)
    def post(self, order_id: str) -> Any:
        """Mark a confirmed order fulfilled."""
        order = service.fulfil_order(uow=current_uow(), order_id=order_id, actor=crmkit.current_principal())
        return order, etag(order.version)


@blp.route("/<order_id>/cancel")
class OrderCancel(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(OrderCancelSchema)
    @blp.response(200, OrderSchema)
    def post(self, data: dict[str, Any], order_id: str) -> Any:
        """Cancel a confirmed order, with a reason (emits sales.order.cancelled)."""
        order = service.cancel_order(
            uow=current_uow(), order_id=order_id, reason=data.get("reason"), actor=crmkit.current_principal()
        )
        return order, etag(order.version)
