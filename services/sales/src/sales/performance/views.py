"""HTTP resource: /api/v1/sales-performance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.performance import service
from sales.performance.schemas import PerformanceQuerySchema, PerformanceSchema

blp = crmkit.Blueprint(
    "sales_performance",
    __name__,
    url_prefix="/api/v1/sales-performance",
    description="Won amount, win rate, lead conversion, cycle time and activities per rep or team.",
)


@blp.route("")
class Performance(MethodView):
    @blp.arguments(PerformanceQuerySchema, location="query")
    @blp.response(200, PerformanceSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Report the performance of the reps (or teams) you may see for a period."""
        return service.get_performance(uow=current_uow(), query=query, actor=crmkit.current_principal())
