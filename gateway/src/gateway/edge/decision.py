"""The edge's authorize decision, shared by the gateway's view, its WSGI fast path and the authorizer.

The answer for one routed request is:

- 204 with `X-Crm-Route: service` (go straight to the service) or `gateway` (the answer must be masked for
  this caller, so the Python gateway proxies it), and `X-Crm-Authorization` (the bearer token to forward);
- 401 or 403 when the request must be refused (a rate limit too: nginx's auth_request understands only
  those, so `X-Crm-Refused-With` says what the gateway will answer); nginx then hands the original request
  to the Python gateway, which answers with the full problem (401, 403 or 429) and writes the audit entry.
"""

from __future__ import annotations

from crmkit.auth import Principal, TokenVerifier
from crmkit.errors import Unauthorized
from gateway.access.hooks import count_request
from gateway.access.masking import fields_hidden_in_resource
from gateway.access.rules import is_allowed
from gateway.context import Gateway

ROUTE_HEADER = "X-Crm-Route"
AUTHORIZATION_HEADER = "X-Crm-Authorization"
REFUSED_HEADER = "X-Crm-Refused-With"

Headers = dict[str, str]


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


def bearer(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header; empty for anything else."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Decider:
    """The whole answer for a bearer token: verify it, count it against the caller's limit, `decide`."""

    def __init__(self, parts: Gateway, verifier: TokenVerifier | None) -> None:
        self.parts = parts
        self.verifier = verifier

    def remembered(self, authorization: str) -> Principal | None:
        """The principal of a bearer token verified before (no key work, no I/O); else None."""
        token = bearer(authorization)
        return self.verifier.remembered(token) if token and self.verifier is not None else None

    def principal(self, authorization: str) -> Principal | None:
        """Who a bearer header speaks for; None when it is missing, not a bearer token or not valid.

        May read the key set (a file, or an HTTP fetch after a rotation) and checks a signature.
        """
        token = bearer(authorization)
        if not token or self.verifier is None:
            return None
        try:
            return self.verifier.verify(token)
        except Unauthorized:
            return None

    def answer(self, principal: Principal, method: str, uri: str, authorization: str) -> tuple[int, Headers]:
        """Count the request against the caller's limit, then ask the role table."""
        verdict = count_request(self.parts, principal)
        if verdict is not None and not verdict.allowed:
            return 403, {REFUSED_HEADER: "429"}
        return decide(self.parts, principal, method.upper(), uri, authorization)

    def counts_locally(self, principal: Principal) -> bool:
        """Whether counting this caller spends a lease this process holds (no database claim)."""
        limiter = self.parts.limiter
        return limiter is None or limiter.has_unspent(f"{principal.kind}:{principal.subject}")
