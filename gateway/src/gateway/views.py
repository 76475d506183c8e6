"""The catch-all view: /api/v1/<resource>/... goes to the service the route table names."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from crmkit import accepts_body
from gateway.context import gateway
from gateway.errors import RouteNotFound
from gateway.proxy import UpstreamRequest

FORWARDED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

# A plain Flask blueprint, not a documented one: each service documents its own resources.
blueprint = Blueprint("proxy", __name__)


@blueprint.route("/api/v1/<resource>", methods=FORWARDED_METHODS)
@blueprint.route("/api/v1/<resource>/<path:rest>", methods=FORWARDED_METHODS)
@accepts_body("*/*")
def forward(resource: str, rest: str = "") -> Response:
    """Forward the request to the service owning `resource` (the caller's token was checked already)."""
    parts = gateway()
    route = parts.routes.route_for(resource)
    if route is None:
        raise RouteNotFound(f"No service serves /api/v1/{resource}.")
    return parts.proxy.forward(route, UpstreamRequest.from_request(request, g.crm_request_id))
