"""The catch-all view: /api/v1/<resource>/... goes to the service the route table names."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from crmkit import accepts_body, public
from gateway.context import gateway
from gateway.errors import RouteNotFound
from gateway.proxy import UpstreamRequest
from gateway.routes import MAX_FORWARDED_BODY_BYTES, PUBLIC_ENDPOINTS

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
    request.max_content_length = MAX_FORWARDED_BODY_BYTES  # uploads; the service applies its own limit
    return parts.proxy.forward(route, UpstreamRequest.from_request(request, g.crm_request_id))


@accepts_body("*/*")
@public
def forward_public(**segments: str) -> Response:
    """Forward a public endpoint's request without a token; the owning service authenticates it itself."""
    resource, _, rest = request.path.removeprefix("/api/v1/").partition("/")
    return forward(resource, rest)


# Static rules win over /api/v1/<resource>/..., so only these exact endpoints skip the gateway's token check.
for _endpoint in PUBLIC_ENDPOINTS:
    blueprint.add_url_rule(
        f"/api/v1/{_endpoint}",
        f"public_{_endpoint.split('/', 1)[0]}",
        forward_public,
        methods=FORWARDED_METHODS,
    )
