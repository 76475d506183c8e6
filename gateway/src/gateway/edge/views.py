"""`GET /api/v1/auth/authorize`: the edge (nginx) asks whether to let one routed request through, and how.

nginx sends the caller's headers plus `X-Original-Method` and `X-Original-URI`, without the body. The
answer is:

- 204 with `X-Crm-Route: service` (go straight to the service) or `gateway` (the answer must be masked for
  this caller, so the Python gateway proxies it), and `X-Crm-Authorization` (the bearer token to forward);
- 401 or 403 when the request must be refused (a rate limit too: nginx's auth_request understands only
  those); nginx then hands the original request to the Python gateway, which answers with the full problem
  (401, 403 or 429) and writes the audit entry. Nothing here is audited, so a refusal is logged once.

The common case, a bearer token, is answered by `AuthorizeFastPath` below Flask: the same checks (token,
rate limit, role table, masking) without the web framework's per-request work, which would otherwise be
most of the edge's added latency. API keys (exchanged for a token, with a database read) go through the
Flask view, where the gateway's request pipeline has already run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from crmkit import runtime
from crmkit.auth import Principal, current_principal
from crmkit.errors import Unauthorized
from gateway.access.hooks import count_request
from gateway.access.masking import fields_hidden_in_resource
from gateway.access.rules import is_allowed
from gateway.context import Gateway, gateway
from gateway.edge.nginx import AUTHORIZE_PATH

ROUTE_HEADER = "X-Crm-Route"
AUTHORIZATION_HEADER = "X-Crm-Authorization"
REFUSED_HEADER = "X-Crm-Refused-With"
# auth_request understands only 2xx, 401 and 403; anything else would become a 500 at the edge.
EDGE_STATUSES = frozenset({200, 204, 401, 403})

Headers = dict[str, str]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

blueprint = Blueprint("edge", __name__)


def decide(
    parts: Gateway, principal: Principal, method: str, uri: str, authorization: str
) -> tuple[int, Headers]:
    """The edge's answer for `principal` sending `method` to `uri` (rate limit counted already)."""
    route = parts.routes.match(uri.split("?", 1)[0])
    if (
        route is None
        or not method
        or not is_allowed(principal.roles, principal.scopes, route.resource, method)
    ):
        return 403, {}
    masked = fields_hidden_in_resource(route.resource, principal.roles, principal.scopes)
    return 204, {ROUTE_HEADER: "gateway" if masked else "service", AUTHORIZATION_HEADER: authorization}


@blueprint.route(AUTHORIZE_PATH, methods=["GET"])
def authorize() -> Response:
    """Tell the edge whether the original request may pass and where it goes (API keys come here)."""
    status, headers = decide(
        gateway(),
        current_principal(),
        request.headers.get("X-Original-Method", "").upper(),
        request.headers.get("X-Original-URI", ""),
        request.environ.get("HTTP_AUTHORIZATION", ""),
    )
    return Response(status=status, headers=headers)


@blueprint.after_app_request
def fit_for_the_edge(response: Response) -> Response:
    """Keep this view's answers to what auth_request understands, and out of the audit log."""
    if request.path != AUTHORIZE_PATH:
        return response
    g.crm_audited = True  # the gateway audits the refusal when nginx hands it the original request
    if response.status_code not in EDGE_STATUSES:
        return Response(status=403, headers={REFUSED_HEADER: str(response.status_code)})
    return response


class AuthorizeFastPath:
    """WSGI middleware answering bearer-token authorize requests without Flask; everything else passes on."""

    def __init__(self, app: Flask, wrapped: WsgiApp) -> None:
        self.app = app
        self.wrapped = wrapped

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = authorization.partition(" ")
        if (
            environ.get("PATH_INFO") != AUTHORIZE_PATH
            or environ.get("REQUEST_METHOD") != "GET"
            or scheme.lower() != "bearer"
        ):
            return self.wrapped(environ, start_response)
        status, headers = self._answer(environ, token.strip(), authorization)
        start_response(f"{status} {'No Content' if status == 204 else 'Refused'}", list(headers.items()))
        return [b""]

    def _answer(self, environ: dict[str, Any], token: str, authorization: str) -> tuple[int, Headers]:
        crm = runtime(self.app)
        if crm.verifier is None:
            return 401, {}
        try:
            principal = crm.verifier.verify(token)
        except Unauthorized:
            return 401, {}
        parts = gateway(self.app)
        verdict = count_request(parts, principal)
        if verdict is not None and not verdict.allowed:
            return 403, {REFUSED_HEADER: "429"}
        method = str(environ.get("HTTP_X_ORIGINAL_METHOD", "")).upper()
        return decide(parts, principal, method, str(environ.get("HTTP_X_ORIGINAL_URI", "")), authorization)
