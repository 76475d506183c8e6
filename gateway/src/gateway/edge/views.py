"""`GET /api/v1/auth/authorize`: the edge (nginx) asks whether to let one routed request through, and how.

nginx sends the caller's headers plus `X-Original-Method` and `X-Original-URI`, without the body; the answer
is described in `gateway.edge.decision`. Nothing here is audited: a refusal is logged once, by the gateway,
when nginx hands it the original request.

Bearer tokens normally go to the authorizer sidecar (`gateway.edge.authorizer`). When the edge runs without
one, `AuthorizeFastPath` answers them below Flask: the same checks without the web framework's per-request
work. API keys (exchanged for a token, with a database read) go through the Flask view, where the gateway's
request pipeline has already run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from crmkit import runtime
from crmkit.auth import current_principal
from gateway.context import gateway
from gateway.edge.decision import REFUSED_HEADER, Decider, Headers, decide
from gateway.edge.nginx import AUTHORIZE_PATH

# auth_request understands only 2xx, 401 and 403; anything else would become a 500 at the edge.
EDGE_STATUSES = frozenset({200, 204, 401, 403})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

blueprint = Blueprint("edge", __name__)


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
        self._decider: Decider | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if (
            environ.get("PATH_INFO") != AUTHORIZE_PATH
            or environ.get("REQUEST_METHOD") != "GET"
            or authorization.partition(" ")[0].lower() != "bearer"
        ):
            return self.wrapped(environ, start_response)
        status, headers = self._answer(environ, authorization)
        start_response(f"{status} {'No Content' if status == 204 else 'Refused'}", list(headers.items()))
        return [b""]

    def _answer(self, environ: dict[str, Any], authorization: str) -> tuple[int, Headers]:
        if self._decider is None:  # built on first use: create_app sets the verifier after wrapping
            self._decider = Decider(gateway(self.app), runtime(self.app).verifier)
        principal = self._decider.principal(authorization)
        if principal is None:
            return 401, {}
        method = str(environ.get("HTTP_X_ORIGINAL_METHOD", ""))
        return self._decider.answer(
            principal, method, str(environ.get("HTTP_X_ORIGINAL_URI", "")), authorization
        )
