"""Schemas of the forecast, quotas and snapshots."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from sales.catalog.fields import Day, DecimalString, Money
from sales.forecast.models import SNAPSHOT_KINDS

DIMENSIONS = ("month", "owner", "team")


class GroupBy(ma.fields.Field):
    """A comma-separated list of dimensions: month, owner, team."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, str):
            raise ma.ValidationError("give dimensions as a comma-separated string")
        names = [name.strip() for name in value.split(",")]
        unknown = [name for name in names if name not in DIMENSIONS]
        if unknown or len(set(names)) != len(names):
            raise ma.ValidationError("give distinct dimensions out of month, owner, team, comma-separated")
        return names


class ForecastQuerySchema(crmkit.Schema):
    from_ = Day(required=True, data_key="from", metadata={"description": "first close day"})
    to = Day(required=True, metadata={"description": "last close day"})
    group_by = GroupBy(
        load_default=lambda: ["month"], metadata={"description": "month, owner, team (comma list)"}
    )
    owner = ma.fields.String(validate=ma.validate.Length(1, 64))
    team = ma.fields.String(validate=ma.validate.Length(1, 64))

    @ma.post_load
    def _rename(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["from"] = data.pop("from_")
        return data


class FiguresSchema(crmkit.Schema):
    pipeline = DecimalString()
    best_case = DecimalString()
    commit = DecimalString()
    closed_won = DecimalString()
    weighted = DecimalString()
    deals = ma.fields.Integer()


class ForecastRowSchema(FiguresSchema):
    close_month = ma.fields.String(allow_none=True)
    owner_id = ma.fields.String(allow_none=True)
    owner_team = ma.fields.String(allow_none=True)


class ForecastSchema(crmkit.Schema):
    from_ = Day(data_key="from", attribute="from")
    to = Day()
    base_currency = ma.fields.String()
    group_by = ma.fields.List(ma.fields.String())
    totals = ma.fields.Nested(FiguresSchema)
    rows = ma.fields.List(ma.fields.Nested(ForecastRowSchema))


class QuotaCreateSchema(crmkit.Schema):
    owner_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    owner_team = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 64))
    period_start = Day(required=True)
    period_end = Day(required=True)
    amount = Money(required=True)


class QuotaUpdateSchema(crmkit.Schema):
    amount = Money(required=True)


class QuotaSchema(crmkit.Schema):
    id = ma.fields.String()
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    period_start = Day()
    period_end = Day()
    amount = DecimalString()
    currency = ma.fields.String()
    won_amount = DecimalString(metadata={"description": "Won in the period, base currency"})
    attainment_percent = DecimalString(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class QuotaQuerySchema(crmkit.PageQuerySchema):
    owner = ma.fields.String(validate=ma.validate.Length(1, 64))
    team = ma.fields.String(validate=ma.validate.Length(1, 64))
    from_ = Day(data_key="from", attribute="from")
    to = Day()


class SnapshotCreateSchema(crmkit.Schema):
    period_start = Day(metadata={"description": "default: the current quarter"})
    period_end = Day()


class SnapshotLineSchema(FiguresSchema):
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    close_month = ma.fields.String()


class SnapshotSchema(crmkit.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "weekly (the job) or on_demand"})
    week_start = Day()
    taken_at = ma.fields.AwareDateTime()
    taken_by = ma.fields.String(allow_none=True)
    period_start = Day()
    period_end = Day()
    base_currency = ma.fields.String()
    totals = ma.fields.Nested(FiguresSchema)
    lines = ma.fields.List(ma.fields.Nested(SnapshotLineSchema))


class SnapshotQuerySchema(crmkit.PageQuerySchema):
    kind = ma.fields.String(validate=ma.validate.OneOf(SNAPSHOT_KINDS))


class AccuracyFiguresSchema(crmkit.Schema):
    forecast_weighted = DecimalString()
    forecast_commit = DecimalString()
    actual_won = DecimalString()
    accuracy_weighted_percent = DecimalString(allow_none=True)
    accuracy_commit_percent = DecimalString(allow_none=True)


class AccuracyRowSchema(AccuracyFiguresSchema):
    owner_id = ma.fields.String()


class AccuracySchema(crmkit.Schema):
    snapshot_id = ma.fields.String()
    taken_at = ma.fields.AwareDateTime()
    period_start = Day()
    period_end = Day()
    base_currency = ma.fields.String()
    totals = ma.fields.Nested(AccuracyFiguresSchema)
    owners = ma.fields.List(ma.fields.Nested(AccuracyRowSchema))
