"""Request and response schemas of attendance and overtime."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from projects.fields import Timestamp, hours

USER = ma.fields.String(validate=ma.validate.Length(1, 64), metadata={"description": "Default: the caller"})


class CheckInSchema(crmkit.Schema):
    site = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    at = Timestamp(metadata={"description": "Default: now"})
    user_id = USER


class CheckOutSchema(crmkit.Schema):
    at = Timestamp(metadata={"description": "Default: now"})
    user_id = USER


class AttendanceRecordSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    user_id = ma.fields.String()
    site = ma.fields.String()
    work_date = ma.fields.Date()
    check_in_at = Timestamp()
    check_out_at = Timestamp(allow_none=True)
    worked_minutes = ma.fields.Integer(allow_none=True)
    recorded_by = ma.fields.String()
    version = ma.fields.Integer()


class AttendanceQuerySchema(crmkit.PageQuerySchema):
    user_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    site = ma.fields.String(validate=ma.validate.Length(1, 200))


class OvertimeQuerySchema(crmkit.Schema):
    date_from = ma.fields.Date(required=True, data_key="from")
    date_to = ma.fields.Date(required=True, data_key="to")
    user_id = ma.fields.String(validate=ma.validate.Length(1, 64))


class OvertimeDaySchema(crmkit.Schema):
    date = ma.fields.Date()
    working_day = ma.fields.Boolean()
    worked_hours = hours()
    overtime_hours = hours()


class OvertimePersonSchema(crmkit.Schema):
    user_id = ma.fields.String()
    days_worked = ma.fields.Integer()
    worked_hours = hours()
    standard_hours = hours()
    overtime_hours = hours()
    days = ma.fields.List(ma.fields.Nested(OvertimeDaySchema))


class OvertimeSchema(crmkit.Schema):
    project_id = ma.fields.String()
    date_from = ma.fields.Date(data_key="from")
    date_to = ma.fields.Date(data_key="to")
    standard_day_hours = hours()
    people = ma.fields.List(ma.fields.Nested(OvertimePersonSchema))
