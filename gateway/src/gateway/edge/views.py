"""`GET /api/v1/auth/authorize`: the edge (nginx) asks whether to let one routed request through, and how.

nginx sends the caller's headers plus `X-Original-Method` and `X-Original-URI`, without the body. The
gateway's request pipeline has already run by the time this view does: an API key was exchanged for a
gateway-signed token, the bearer token was verified, and the caller's rate limit was counted. The view adds
the role table check for the original resource and method, and answers:

- 204 with `X-Crm-Route: service` (go straight to the service) or `gateway` (the answer must be masked for
  this caller, so the Python gateway proxies it), and `X-Crm-Authorization` (the bearer token to forward);
- 401 or 403 when the request must be refused; nginx then hands the original request to the Python gateway,
  which answers with the full problem (401, 403 or 429) and writes the audit entry. This view audits nothing,
  so a refusal is logged once.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from crmkit.auth import current_principal
from gateway.access.masking import fields_hidden_in_resource
from gateway.access.rules import is_allowed
from gateway.context import gateway
from gateway.edge.nginx import AUTHORIZE_PATH

ROUTE_HEADER = "X-Crm-Route"
AUTHORIZATION_HEADER = "X-Crm-Authorization"
# auth_request understands only 2xx, 401 and 403; anything else would become a 500 at the edge.
EDGE_STATUSES = frozenset({200, 204, 401, 403})

blueprint = Blueprint("edge", __name__)


@blueprint.route(AUTHORIZE_PATH, methods=["GET"])
def authorize() -> Response:
    """Tell the edge whether the original request may pass and where it goes."""
    principal = current_principal()
    method = request.headers.get("X-Original-Method", "").upper()
    route = gateway().routes.match(request.headers.get("X-Original-URI", "").split("?", 1)[0])
    if (
        route is None
        or not method
        or not is_allowed(principal.roles, principal.scopes, route.resource, method)
    ):
        return Response(status=403)
    masked = fields_hidden_in_resource(route.resource, principal.roles, principal.scopes)
    return Response(
        status=204,
        headers={
            ROUTE_HEADER: "gateway" if masked else "service",
            AUTHORIZATION_HEADER: request.environ.get("HTTP_AUTHORIZATION", ""),
        },
    )


@blueprint.after_app_request
def fit_for_the_edge(response: Response) -> Response:
    """Keep this view's answers to what auth_request understands, and out of the audit log."""
    if request.path != AUTHORIZE_PATH:
        return response
    g.crm_audited = True  # the gateway audits the refusal when nginx hands it the original request
    if response.status_code not in EDGE_STATUSES:
        return Response(status=403, headers={"X-Crm-Refused-With": str(response.status_code)})
    return response
