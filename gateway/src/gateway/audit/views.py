"""GET /api/v1/audit-log: the audit and security log, for admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from crmkit import Blueprint, Page, current_uow, page_schema, require_roles
from crmkit.api import ProblemSchema
from gateway.audit import service
from gateway.audit.schemas import AuditEntrySchema, AuditQuerySchema
from gateway.identity.models import ADMIN

PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}

audit_blp = Blueprint(
    "audit", __name__, url_prefix="/api/v1/audit-log", description="Audit and security log (admin)."
)


@audit_blp.route("")
class AuditLog(MethodView):
    @require_roles(ADMIN)
    @audit_blp.arguments(AuditQuerySchema, location="query")
    @audit_blp.response(200, page_schema(AuditEntrySchema))
    @audit_blp.alt_response(403, description="Not an admin", **PROBLEM)
    def get(self, query: dict[str, Any]) -> Page:
        """List audit entries, newest first (filters: action, outcome, actor, target, status, time range)."""
        with current_uow() as uow:
            return service.list_(uow=uow, query=query)
