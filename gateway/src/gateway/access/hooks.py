"""The gateway's access pipeline around every request.

Before the view, in this order:
1. `exchange_api_key` (runs BEFORE the kit's token check): `Authorization: ApiKey <key>` is checked and
   replaced by a short-lived gateway-signed bearer token, which the kit then verifies like any other and
   the proxy forwards to the service.
2. the kit authenticates the bearer token (g.crm_principal).
3. `limit_rate`: per user / API key, counted in the database (all replicas share the counters): 429.
4. `check_access`: the role -> resource/method table for routed /api/v1/<resource> requests: 403.
After the view:
5. `mask_answer`: hide fields the caller's roles must not see in JSON answers of routed resources.
6. `audit_denied`: every 401, 403 and 429 goes to the audit log (unless a use case logged it already).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, current_app, g, request

from crmkit import current_uow, runtime
from crmkit.auth import Principal
from crmkit.errors import render_problem
from gateway.access import apikeys
from gateway.access.errors import AccessDenied, RateLimited
from gateway.access.masking import fields_hidden_in_resource, strip_fields
from gateway.access.rules import is_allowed
from gateway.audit import models as audit
from gateway.audit.service import Actor, record_now
from gateway.context import Gateway, gateway
from gateway.errors import BadGateway
from gateway.ratelimit.limiter import Verdict

log = logging.getLogger(__name__)

API_KEY_SCHEME = "apikey"
DENIED_STATUSES = frozenset({401, 403, 429})
KIT_AUTHENTICATION = "_authenticate"
MAX_AUDITED_PROBLEM_BYTES = 16 * 1024


def install(app: Flask) -> None:
    """Add the pipeline to the gateway app (after create_service_app registered the kit's hooks)."""
    hooks = app.before_request_funcs.setdefault(None, [])
    names = [getattr(hook, "__name__", "") for hook in hooks]
    position = names.index(KIT_AUTHENTICATION) if KIT_AUTHENTICATION in names else len(hooks)
    hooks.insert(position, exchange_api_key)
    app.before_request(limit_rate)
    app.before_request(check_access)
    app.after_request(mask_answer)
    app.after_request(audit_denied)


def exchange_api_key() -> None:
    """Swap a valid API key for a gateway-signed token (kind "api_key", role "integrator", its scopes)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != API_KEY_SCHEME:
        return
    parts = gateway()
    with current_uow() as uow:
        identity = apikeys.authenticate(uow=uow, key=key.strip())
    token = parts.tokens.integrator_token(
        key_id=identity.id, name=identity.name, scopes=identity.scopes, ttl=parts.settings.api_key_token_ttl
    )
    request.environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"


def limit_rate() -> None:
    """Refuse a caller over its limit for the current window with 429 and Retry-After."""
    principal: Principal | None = g.get("crm_principal")
    parts = gateway()
    verdict = count_request(parts, principal)
    if verdict is None:
        return
    g.crm_rate_limit = verdict
    settings, limit = parts.settings, verdict.limit
    if not verdict.allowed:
        raise RateLimited(
            f"More than {limit} requests in {settings.rate_limit_window} s; slow down.",
            headers={"Retry-After": str(verdict.retry_after)},
            limit=limit,
            window_seconds=settings.rate_limit_window,
        )


def count_request(parts: Gateway, principal: Principal | None) -> Verdict | None:
    """Count one request of the caller against its limit; None when nothing limits it."""
    if principal is None or parts.limiter is None:
        return None
    settings = parts.settings
    limit = settings.rate_limit_per_api_key if principal.kind == "api_key" else settings.rate_limit_per_user
    if limit <= 0:
        return None
    return parts.limiter.hit(f"{principal.kind}:{principal.subject}", limit)


def check_access() -> None:
    """Refuse a routed request the caller's roles (or API key scopes) do not allow: 403 access.denied."""
    principal: Principal | None = g.get("crm_principal")
    if principal is None:
        return
    route = gateway().routes.match(request.path)
    if route is None:
        return
    if not is_allowed(principal.roles, principal.scopes, route.resource, request.method):
        raise AccessDenied(
            f"Your roles do not allow {request.method} on /api/v1/{route.resource}.",
            resource=route.resource,
            method=request.method,
        )


def mask_answer(response: Response) -> Response:
    """Hide, at any depth, the fields the caller must not see in a routed resource's JSON answer."""
    principal: Principal | None = g.get("crm_principal")
    if principal is None or request.method == "HEAD" or not 200 <= response.status_code < 300:
        return response
    if response.mimetype != "application/json":
        return response
    route = gateway().routes.match(request.path)
    if route is None:
        return response
    hidden = fields_hidden_in_resource(route.resource, principal.roles, principal.scopes)
    if not hidden:
        return response
    if response.headers.get("Content-Encoding", "identity") != "identity":
        return _unmaskable(route.service)
    response.direct_passthrough = False
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return _unmaskable(route.service)
    response.set_data(json.dumps(strip_fields(body, hidden)))
    return response


def _unmaskable(service: str) -> Response:
    """An answer that cannot be masked is not sent at all."""
    log.error("could not mask an answer of the %s service for %s", service, request.path)
    return render_problem(
        BadGateway(f"The {service} service's answer could not be checked.", service=service)
    )


def audit_denied(response: Response) -> Response:
    """Log every 401, 403 and 429 (from the gateway or from a service) that no use case logged itself."""
    if response.status_code in DENIED_STATUSES and not g.get("crm_audited"):
        record_now(
            runtime(current_app).database,
            audit.REQUEST_DENIED,
            outcome="denied",
            actor=Actor.current(),
            status=response.status_code,
            code=_problem_code(response),
        )
    verdict = g.get("crm_rate_limit")
    if verdict is not None:
        response.headers["RateLimit-Limit"] = str(verdict.limit)
        response.headers["RateLimit-Remaining"] = str(verdict.remaining)
    return response


def _problem_code(response: Response) -> Any:
    """The problem `code` of a small problem+json answer, if there is one."""
    if response.direct_passthrough or (response.content_length or 0) > MAX_AUDITED_PROBLEM_BYTES:
        return None
    try:
        return json.loads(response.get_data()).get("code")
    except (ValueError, AttributeError):
        return None
