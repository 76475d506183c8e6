"""HTTP resources of the rep roster: /api/v1/sales-reps, one rep, their absences."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.http import created, etag
from sales.reps import service
from sales.reps.schemas import AbsenceSchema, RepCreateSchema, RepQuerySchema, RepSchema, RepWriteSchema
from sales.roles import MANAGERS, SELLERS

blp = crmkit.Blueprint(
    "reps",
    __name__,
    url_prefix="/api/v1/sales-reps",
    description="The rep roster: team, capacity (most open leads) and absences, as lead assignment uses them.",
)


@blp.route("")
class Reps(MethodView):
    @blp.arguments(RepQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(RepSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List reps with their open lead counts, by team or active flag."""
        return service.list_reps(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(RepCreateSchema)
    @blp.response(201, RepSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Put a user on the roster (sales managers)."""
        rep = service.create_rep(uow=current_uow(), data=data)
        return rep, created(url_for("reps.RepById", rep_id=rep.id), rep.version)


@blp.route("/<rep_id>")
class RepById(MethodView):
    @blp.response(200, RepSchema)
    def get(self, rep_id: str) -> Any:
        """Read a rep with absences and open lead count."""
        rep = service.get_rep(uow=current_uow(), rep_id=rep_id)
        return rep, etag(rep.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(RepWriteSchema)
    @blp.response(200, RepSchema)
    def patch(self, data: dict[str, Any], rep_id: str) -> Any:
        """Change team, capacity, name or active flag (If-Match)."""
        rep = service.update_rep(
            uow=current_uow(), rep_id=rep_id, data=data, expected_version=crmkit.expected_version()
        )
        return rep, etag(rep.version)


@blp.route("/<rep_id>/absences")
class RepAbsences(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(AbsenceSchema)
    @blp.response(201, AbsenceSchema)
    def post(self, data: dict[str, Any], rep_id: str) -> Any:
        """Record an absence (dates inclusive; managers, or the rep themselves): no leads then."""
        return service.add_absence(
            uow=current_uow(), rep_id=rep_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<rep_id>/absences/<absence_id>")
class RepAbsenceById(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(204)
    def delete(self, rep_id: str, absence_id: str) -> None:
        """Remove an absence (managers, or the rep themselves)."""
        service.remove_absence(
            uow=current_uow(), rep_id=rep_id, absence_id=absence_id, actor=crmkit.current_principal()
        )
