"""The route table: which service owns each public /api/v1/<resource>, declared in one place."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

API_PREFIX = "/api/v1/"


@dataclasses.dataclass(frozen=True)
class ServiceDeclaration:
    """A service the gateway forwards to, and where it listens unless the environment says otherwise."""

    name: str
    default_url: str

    @property
    def env_var(self) -> str:
        return "CRM_SERVICE_URL_" + self.name.upper().replace("-", "_")


SERVICES = (
    ServiceDeclaration("customer", "http://127.0.0.1:8101"),
    ServiceDeclaration("sales", "http://127.0.0.1:8102"),
    ServiceDeclaration("service-desk", "http://127.0.0.1:8103"),
    ServiceDeclaration("projects", "http://127.0.0.1:8104"),
)

# Public resource (first path segment after /api/v1/) -> owning service. Sub-resources travel with their
# parent: /api/v1/accounts/<id>/interactions belongs to customer because accounts does.
ROUTE_DECLARATIONS: dict[str, str] = {
    # customer
    "accounts": "customer",
    "contacts": "customer",
    "custom-fields": "customer",
    # sales
    "leads": "sales",
    "web-leads": "sales",
    "web-forms": "sales",
    "lead-assignment-rules": "sales",
    "sales-reps": "sales",
    "pipelines": "sales",
    "opportunities": "sales",
    "loss-reasons": "sales",
    "products": "sales",
    "price-lists": "sales",
    "exchange-rates": "sales",
    "quotes": "sales",
    "discount-rules": "sales",
    "orders": "sales",
    "forecast": "sales",
    "forecast-snapshots": "sales",
    "quotas": "sales",
    "campaigns": "sales",
    "activities": "sales",
    "visit-plans": "sales",
    "sales-performance": "sales",
    # service desk
    "tickets": "service-desk",
    "inbound-mail": "service-desk",
    "ticket-groups": "service-desk",
    "canned-responses": "service-desk",
    "sla-policies": "service-desk",
    "business-calendars": "service-desk",
    "escalation-rules": "service-desk",
    "surveys": "service-desk",
    "survey-responses": "service-desk",
    "kb": "service-desk",
    "service-reports": "service-desk",
    # projects
    "projects": "projects",
    "project-templates": "projects",
    "tasks": "projects",
    "work-calendars": "projects",
    "timesheets": "projects",
    "expenses": "projects",
    "attendance": "projects",
}

# The largest request body passed on to a service (mail with attachments, project documents); the kit's
# 2 MiB JSON cap is for the gateway's own resources. The edge (nginx) uses the same limit.
MAX_FORWARDED_BODY_BYTES = 30 * 1024 * 1024

# Endpoints anyone may call without a token (below /api/v1/, `<name>` is one path segment): the owning service
# authenticates them its own way (web-to-lead: a web form's API key; inbound mail: the mailbox's secret;
# survey answers: a single-use token). Every other path below these resources, such as the mailboxes managers
# configure at /inbound-mail/mailboxes, is routed like any other: token, role table, masking, audit.
PUBLIC_ENDPOINTS = ("web-leads", "inbound-mail", "survey-responses/<token>")
PUBLIC_RESOURCES = frozenset(endpoint.split("/", 1)[0] for endpoint in PUBLIC_ENDPOINTS)

# Resources the gateway answers itself; a service must never claim them.
GATEWAY_RESOURCES = frozenset(
    {"auth", "users", "openapi.json", "asyncapi.yaml", "asyncapi.json"}
    | {"teams", "roles", "api-keys", "audit-log"}
    | {"events", "webhooks"}
)


@dataclasses.dataclass(frozen=True)
class Route:
    """Where one resource's requests go."""

    resource: str
    service: str
    base_url: str


class RouteTable:
    """Resolve public resources to services and their base URLs."""

    def __init__(
        self, service_urls: Mapping[str, str], declarations: Mapping[str, str] | None = None
    ) -> None:
        declarations = ROUTE_DECLARATIONS if declarations is None else declarations
        missing = sorted(set(declarations.values()) - set(service_urls))
        if missing:
            raise ValueError(f"no URL for the services: {', '.join(missing)}")
        clash = sorted(set(declarations) & GATEWAY_RESOURCES)
        if clash:
            raise ValueError(f"resources owned by the gateway itself: {', '.join(clash)}")
        self._routes = {
            resource: Route(resource, service, service_urls[service].rstrip("/"))
            for resource, service in declarations.items()
        }

    def routes(self) -> dict[str, Route]:
        """Every public resource with its route."""
        return dict(self._routes)

    def route_for(self, resource: str) -> Route | None:
        """The route of a public resource, or None when no service owns it."""
        return self._routes.get(resource)

    def match(self, path: str) -> Route | None:
        """Find the route of a full request path such as /api/v1/accounts/42/interactions."""
        if not path.startswith(API_PREFIX):
            return None
        return self.route_for(path.removeprefix(API_PREFIX).split("/", 1)[0])

    def resources_of(self, service: str) -> list[str]:
        return sorted(route.resource for route in self._routes.values() if route.service == service)

    def owns(self, service: str, path: str) -> bool:
        """Whether the route table sends `path` (e.g. /api/v1/accounts/{id}) to `service`."""
        route = self.match(path)
        return route is not None and route.service == service

    def service_routes(self) -> dict[str, Route]:
        """One route per service that owns a resource (its first by name): how to reach each service."""
        routes: dict[str, Route] = {}
        for resource in sorted(self._routes):
            routes.setdefault(self._routes[resource].service, self._routes[resource])
        return dict(sorted(routes.items()))


def service_urls_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Each declared service's base URL: CRM_SERVICE_URL_<NAME>, else its local default port."""
    return {service.name: env.get(service.env_var) or service.default_url for service in SERVICES}
