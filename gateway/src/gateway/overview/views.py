"""GET /api/v1/accounts/<id>/overview: answered by the gateway itself (a static rule wins over the proxy)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app, g, request
from flask.views import MethodView

from crmkit import Blueprint, current_principal, runtime
from crmkit.api import ProblemSchema
from crmkit.requestid import REQUEST_ID_HEADER
from gateway.context import gateway
from gateway.overview.schemas import OverviewSchema
from gateway.overview.service import Overview

TIMEOUT_ENV = "CRM_OVERVIEW_TIMEOUT"
DEFAULT_TIMEOUT = 2.0
EXTENSION = "overview"
FORWARDED = ("Authorization", "Accept-Language")
PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}

blp = Blueprint(
    "overview",
    __name__,
    url_prefix="/api/v1/accounts",
    description="One answer from several services: an account with its contacts, deals, tickets and projects.",
)


def overview(app: Flask | None = None) -> Overview:
    """The app's Overview, made on first use (after the gateway's proxy exists)."""
    app = app or current_app
    services = runtime(app).services
    if EXTENSION not in services:
        parts = gateway(app)
        timeout = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
        services[EXTENSION] = Overview(parts.proxy, parts.routes, timeout=timeout)
    found: Overview = services[EXTENSION]
    return found


@blp.route("/<account_id>/overview")
class AccountOverview(MethodView):
    @blp.response(200, OverviewSchema)
    @blp.alt_response(404, description="No such account (or not visible to the caller)", **PROBLEM)
    def get(self, account_id: str) -> dict[str, Any]:
        """Read an account with its contacts, open opportunities, open tickets and active projects.

        Each part says whether it is `ok`, `stale`, `unavailable`, `forbidden` or an `error`; `missing` and
        `stale` list the parts that are not fresh, so one service being down never hides the rest.
        """
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        headers[REQUEST_ID_HEADER] = g.crm_request_id
        headers["Accept"] = "application/json"
        return overview().build(account_id, caller=current_principal(), headers=headers)
