"""HTTP resources: /api/v1/forecast, /api/v1/quotas, /api/v1/forecast-snapshots (read-only once taken)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.forecast import quotas, service, snapshots
from sales.forecast.schemas import (
    AccuracySchema,
    ForecastQuerySchema,
    ForecastSchema,
    QuotaCreateSchema,
    QuotaQuerySchema,
    QuotaSchema,
    QuotaUpdateSchema,
    SnapshotCreateSchema,
    SnapshotQuerySchema,
    SnapshotSchema,
)
from sales.http import created, etag
from sales.roles import MANAGERS

forecast = crmkit.Blueprint(
    "forecast",
    __name__,
    url_prefix="/api/v1/forecast",
    description="Weighted pipeline by close month, owner and team, per forecast category, in the base currency.",
)
quota_blp = crmkit.Blueprint(
    "quotas", __name__, url_prefix="/api/v1/quotas", description="Quotas per rep and period, with attainment."
)
snapshot_blp = crmkit.Blueprint(
    "forecast_snapshots",
    __name__,
    url_prefix="/api/v1/forecast-snapshots",
    description="Immutable forecast snapshots (weekly and on demand) and forecast accuracy.",
)


@forecast.route("")
class Forecast(MethodView):
    @forecast.arguments(ForecastQuerySchema, location="query")
    @forecast.response(200, ForecastSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Sum the deals you may see closing between `from` and `to`, grouped by month, owner and/or team."""
        return service.get_forecast(uow=current_uow(), query=query, actor=crmkit.current_principal())


@quota_blp.route("")
class Quotas(MethodView):
    @quota_blp.arguments(QuotaQuerySchema, location="query")
    @quota_blp.response(200, crmkit.page_schema(QuotaSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List quotas you may see, with attainment (filters: owner, team, from, to)."""
        return quotas.list_quotas(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @quota_blp.arguments(QuotaCreateSchema)
    @quota_blp.response(201, QuotaSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Set a rep's quota for a period (base currency)."""
        quota = quotas.create_quota(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return quota, created(url_for("quotas.QuotaById", quota_id=quota["id"]), quota["version"])


@quota_blp.route("/<quota_id>")
class QuotaById(MethodView):
    @quota_blp.response(200, QuotaSchema)
    def get(self, quota_id: str) -> Any:
        """Read a quota with its attainment."""
        quota = quotas.get_quota(uow=current_uow(), quota_id=quota_id, actor=crmkit.current_principal())
        return quota, etag(quota["version"])

    @crmkit.require_roles(*MANAGERS)
    @quota_blp.arguments(QuotaUpdateSchema)
    @quota_blp.response(200, QuotaSchema)
    def patch(self, data: dict[str, Any], quota_id: str) -> Any:
        """Change a quota's amount (send If-Match)."""
        quota = quotas.update_quota(
            uow=current_uow(),
            quota_id=quota_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return quota, etag(quota["version"])

    @crmkit.require_roles(*MANAGERS)
    @quota_blp.response(204)
    def delete(self, quota_id: str) -> None:
        """Remove a quota (send If-Match)."""
        quotas.delete_quota(
            uow=current_uow(),
            quota_id=quota_id,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )


@snapshot_blp.route("")
class Snapshots(MethodView):
    @snapshot_blp.arguments(SnapshotQuerySchema, location="query")
    @snapshot_blp.response(200, crmkit.page_schema(SnapshotSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List forecast snapshots, newest first (lines narrowed to the owners you may see)."""
        return snapshots.list_snapshots(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @snapshot_blp.arguments(SnapshotCreateSchema)
    @snapshot_blp.response(201, SnapshotSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Take a forecast snapshot now (default period: the current quarter); it is never changed."""
        actor = crmkit.current_principal()
        snapshot = snapshots.create_snapshot(uow=current_uow(), data=data, actor=actor)
        body = snapshots.get_snapshot(uow=current_uow(), snapshot_id=snapshot.id, actor=actor)
        return body, {"Location": url_for("forecast_snapshots.SnapshotById", snapshot_id=snapshot.id)}


@snapshot_blp.route("/<snapshot_id>")
class SnapshotById(MethodView):
    @snapshot_blp.response(200, SnapshotSchema)
    def get(self, snapshot_id: str) -> Any:
        """Read a snapshot."""
        return snapshots.get_snapshot(
            uow=current_uow(), snapshot_id=snapshot_id, actor=crmkit.current_principal()
        )


@snapshot_blp.route("/<snapshot_id>/accuracy")
class SnapshotAccuracy(MethodView):
    @snapshot_blp.response(200, AccuracySchema)
    def get(self, snapshot_id: str) -> Any:
        """Compare the snapshot with what was actually won in its period: overall and per owner."""
        return snapshots.snapshot_accuracy(
            uow=current_uow(), snapshot_id=snapshot_id, actor=crmkit.current_principal()
        )
