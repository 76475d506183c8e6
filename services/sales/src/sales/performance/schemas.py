"""Schemas of the performance report."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from sales.catalog.fields import Day, DecimalString


class PerformanceQuerySchema(crmkit.Schema):
    from_ = Day(required=True, data_key="from", metadata={"description": "first day of the period"})
    to = Day(required=True, metadata={"description": "last day of the period"})
    group_by = ma.fields.String(load_default="owner", validate=ma.validate.OneOf(("owner", "team")))
    owner = ma.fields.String(validate=ma.validate.Length(1, 64))
    team = ma.fields.String(validate=ma.validate.Length(1, 64))

    @ma.post_load
    def _rename(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["from"] = data.pop("from_")
        return data


class PerformanceRowSchema(crmkit.Schema):
    owner_id = ma.fields.String(allow_none=True)
    owner_team = ma.fields.String(allow_none=True)
    won_amount = DecimalString()
    won_deals = ma.fields.Integer()
    lost_deals = ma.fields.Integer()
    win_rate_percent = DecimalString(allow_none=True)
    leads = ma.fields.Integer()
    converted_leads = ma.fields.Integer()
    lead_conversion_percent = DecimalString(allow_none=True)
    average_cycle_days = DecimalString(places=1, allow_none=True)
    activities = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class PerformanceSchema(crmkit.Schema):
    from_ = Day(data_key="from", attribute="from")
    to = Day()
    group_by = ma.fields.String()
    base_currency = ma.fields.String()
    rows = ma.fields.List(ma.fields.Nested(PerformanceRowSchema))
