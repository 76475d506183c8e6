"""HTTP resources of service reports: /api/v1/service-reports/{backlog,response-times,sla-attainment,
csat,complaints,summary}."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.fields import Timestamp
from service_desk.reports import service
from service_desk.roles import REPORT_READERS
from service_desk.tickets.models import PRIORITIES

blp = crmkit.Blueprint(
    "service_reports",
    __name__,
    url_prefix="/api/v1/service-reports",
    description="Backlog, response and resolution times (business time), SLA attainment, CSAT, complaints.",
)
ID = ma.validate.Length(1, 64)


class BacklogQuerySchema(crmkit.Schema):
    group_id = ma.fields.String(validate=ID)


class PeriodQuerySchema(crmkit.Schema):
    from_ = Timestamp(data_key="from", required=True)
    to = Timestamp(required=True)
    group_id = ma.fields.String(validate=ID)
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    account_id = ma.fields.String(validate=ID)
    calendar_id = ma.fields.String(
        validate=ID, metadata={"description": "measure business time on this calendar instead of each SLA's"}
    )


def _period(query: dict[str, Any]) -> dict[str, Any]:
    return {**query, "from": query.pop("from_")}


@blp.route("/backlog")
class Backlog(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(BacklogQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Unresolved tickets now, by state, group and priority."""
        return _json(service.backlog(uow=current_uow(), query=query))


@blp.route("/response-times")
class ResponseTimes(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """First-response and resolution times in business seconds (count, average, median, p90)."""
        return _json(service.response_times(uow=current_uow(), query=_period(query)))


@blp.route("/sla-attainment")
class SlaAttainment(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Per clock (first response, next response, resolution): met in time, breached, still running."""
        return _json(service.sla_attainment(uow=current_uow(), query=_period(query)))


@blp.route("/csat")
class Csat(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Survey responses, average rating and CSAT (share of 4 and 5) in the period."""
        return _json(service.csat(uow=current_uow(), query=_period(query)))


@blp.route("/complaints")
class Complaints(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Complaints raised in the period, by state, priority and account."""
        return _json(service.complaints(uow=current_uow(), query=_period(query)))


@blp.route("/summary")
class Summary(MethodView):
    @crmkit.require_roles(*REPORT_READERS)
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Every figure above for the period, in one answer."""
        return _json(service.summary(uow_factory=current_uow, query=_period(query)))


def _json(value: Any) -> Any:
    """Times as RFC 3339 UTC, the rest as is."""
    from datetime import datetime

    from crmkit.events.envelope import format_time

    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value
