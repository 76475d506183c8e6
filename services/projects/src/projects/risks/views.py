"""HTTP resources of the risk register: /api/v1/projects/{id}/risks."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.http import created, etag
from projects.risks import service
from projects.risks.schemas import RiskQuerySchema, RiskSchema, RiskUpdateSchema

blp = crmkit.Blueprint(
    "risks",
    __name__,
    url_prefix="/api/v1/projects/<project_id>/risks",
    description="The risk register: probability x impact, owner, response plan, status, review date.",
)


@blp.route("")
class Risks(MethodView):
    @blp.arguments(RiskQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(RiskSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's risks (highest score first; sort by review_date for the review queue)."""
        return service.list_risks(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(RiskSchema)
    @blp.response(201, RiskSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Raise a risk (team members and the customer representative)."""
        risk = service.raise_risk(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        location = url_for("risks.RiskById", project_id=project_id, risk_id=risk.id)
        return risk, created(location, risk.version)


@blp.route("/<risk_id>")
class RiskById(MethodView):
    @blp.response(200, RiskSchema)
    def get(self, project_id: str, risk_id: str) -> Any:
        """Read a risk."""
        risk = service.get_risk(uow=current_uow(), project_id=project_id, risk_id=risk_id)
        return risk, etag(risk.version)

    @blp.arguments(RiskUpdateSchema)
    @blp.response(200, RiskSchema)
    def patch(self, data: dict[str, Any], project_id: str, risk_id: str) -> Any:
        """Re-assess a risk: scores, response, status, review date (send If-Match with its ETag)."""
        risk = service.update_risk(
            uow=current_uow(),
            project_id=project_id,
            risk_id=risk_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return risk, etag(risk.version)
