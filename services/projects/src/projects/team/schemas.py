"""Team schemas."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from projects.fields import Timestamp
from projects.team.models import PROJECT_ROLES

ROLE = ma.validate.OneOf(PROJECT_ROLES)


class TeamMemberCreateSchema(crmkit.Schema):
    user_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    role = ma.fields.String(required=True, validate=ROLE)
    display_name = ma.fields.String(validate=ma.validate.Length(1, 200))


class TeamMemberUpdateSchema(crmkit.Schema):
    role = ma.fields.String(required=True, validate=ROLE)
    display_name = ma.fields.String(validate=ma.validate.Length(1, 200))


class TeamMemberSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    user_id = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)
    role = ma.fields.String()
    created_at = Timestamp()
    created_by = ma.fields.String()


class TeamListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(TeamMemberSchema))
