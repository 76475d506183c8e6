"""Schemas of surveys: the public page and answer, and the results report."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from service_desk.fields import Timestamp
from service_desk.surveys.results import DIMENSIONS, PERIODS


class SurveyPageSchema(ma.Schema):
    ticket_reference = ma.fields.String()
    subject = ma.fields.String()
    state = ma.fields.String(metadata={"description": "open, answered or expired"})
    rating = ma.fields.Integer(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    expires_at = Timestamp()


class SurveyAnswerSchema(crmkit.Schema):
    rating = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 5))
    comment = ma.fields.String(validate=ma.validate.Length(0, 5000))


class SurveyAnsweredSchema(ma.Schema):
    state = ma.fields.String()
    rating = ma.fields.Integer()
    comment = ma.fields.String(allow_none=True)


class ResultsQuerySchema(crmkit.Schema):
    from_ = Timestamp(data_key="from", required=True)
    to = Timestamp(required=True)
    group_by = ma.fields.String(validate=ma.validate.OneOf((*DIMENSIONS, *PERIODS)))
    agent_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    group_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    account_id = ma.fields.String(validate=ma.validate.Length(1, 64))


class SummarySchema(ma.Schema):
    responses = ma.fields.Integer()
    average_rating = ma.fields.Float(allow_none=True)
    csat_percent = ma.fields.Float(allow_none=True)
    distribution = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    low_ratings = ma.fields.Integer()


class GroupSummarySchema(SummarySchema):
    key = ma.fields.String(allow_none=True)


class ResultsSchema(ma.Schema):
    from_ = Timestamp(data_key="from")
    to = Timestamp()
    group_by = ma.fields.String(allow_none=True)
    overall = ma.fields.Nested(SummarySchema)
    groups = ma.fields.List(ma.fields.Nested(GroupSummarySchema))
