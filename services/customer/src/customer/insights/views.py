"""HTTP resource of the customer 360 view: /api/v1/accounts/<id>/360."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from customer.insights import service
from customer.insights.schemas import Account360Schema

blp = crmkit.Blueprint(
    "insights",
    __name__,
    url_prefix="/api/v1/accounts",
    description="The customer 360 view, kept current from the other services' events.",
)


@blp.route("/<account_id>/360")
class Account360(MethodView):
    @blp.response(200, Account360Schema)
    def get(self, account_id: str) -> Any:
        """Read an account's 360 view: lifetime value, deals, tickets, projects and latest interactions."""
        return service.account_360(uow=current_uow(), account_id=account_id)
