"""Problems the gateway itself answers with when it cannot forward a request (codes `gateway.*`)."""

from __future__ import annotations

from crmkit import NotFound, Problem
from crmkit.errors import GatewayTimeout, ServiceUnavailable


class RouteNotFound(NotFound):
    code = "gateway.route_not_found"


class UpstreamUnavailable(ServiceUnavailable):
    code = "gateway.service_unavailable"


class UpstreamTimeout(GatewayTimeout):
    code = "gateway.upstream_timeout"


class BadGateway(Problem):
    status, title, code = 502, "Bad Gateway", "gateway.bad_gateway"
