"""Which role may call which resource with which methods: ONE declarative table, checked at the gateway.

The table is coarse on purpose (department by department); each service checks again, finely and per
record (e.g. a sales rep only sees their team's opportunities). A key in a role's grants is either a
service name (every resource the route table gives that service) or a resource name; a resource entry
wins over its service's entry. Admin may do everything. Integrator API keys read (GET/HEAD) only the
resources named in their scopes (`read:<resource>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gateway.identity.models import ADMIN
from gateway.routes import ROUTE_DECLARATIONS

READ = frozenset({"GET", "HEAD"})
ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
NONE: frozenset[str] = frozenset()
INTEGRATOR = "integrator"  # the role of the gateway-signed token an API key is exchanged for
READ_SCOPE = "read:"
EVENTS_SCOPE = "events:"

# Everyone inside the company: edit customers, open tickets, record their own time, attendance, expenses.
_EVERYONE = {
    "customer": ANY,
    "tickets": ANY,
    "timesheets": ANY,
    "attendance": ANY,
    "expenses": ANY,
}
_SALES = _EVERYONE | {"sales": ANY, "service-desk": READ, "tickets": ANY, "projects": READ}
_SERVICE = _EVERYONE | {"service-desk": ANY, "sales": READ, "projects": READ}
_DELIVERY = _EVERYONE | {"projects": ANY, "sales": READ, "service-desk": READ, "tickets": ANY}
_MARKETING = _EVERYONE | {
    "sales": READ,
    "leads": ANY,
    "campaigns": ANY,
    "web-forms": ANY,
    "service-desk": READ,
    "tickets": ANY,
    "projects": NONE,
}

ACCESS_RULES: dict[str, dict[str, frozenset[str]]] = {
    "sales_rep": _SALES,
    "sales_manager": _SALES,
    "service_agent": _SERVICE,
    "service_manager": _SERVICE,
    "project_manager": _DELIVERY,
    "delivery_member": _DELIVERY,
    "marketing": _MARKETING,
    "management": {"customer": ANY, "sales": ANY, "projects": ANY, "service-desk": READ, "tickets": ANY},
    ADMIN: {service: ANY for service in set(ROUTE_DECLARATIONS.values())},
}


def methods_for(
    role: str, resource: str, declarations: Mapping[str, str] = ROUTE_DECLARATIONS
) -> frozenset[str]:
    """The methods `role` may use on `resource` (none when the table does not name it)."""
    grants = ACCESS_RULES.get(role, {})
    if resource in grants:
        return grants[resource]
    service = declarations.get(resource)
    return grants.get(service, NONE) if service else NONE


def is_allowed(roles: Iterable[str], scopes: Iterable[str], resource: str, method: str) -> bool:
    """Whether a caller with `roles` (and, for API keys, `scopes`) may send `method` to `resource`."""
    roles = frozenset(roles)
    if ADMIN in roles:
        return True
    if INTEGRATOR in roles and method in READ and f"{READ_SCOPE}{resource}" in set(scopes):
        return True
    return any(method in methods_for(role, resource) for role in roles)


def readable_resources(scopes: Iterable[str]) -> list[str]:
    """The resources an API key's scopes let it read."""
    return sorted(scope.removeprefix(READ_SCOPE) for scope in scopes if scope.startswith(READ_SCOPE))


def event_patterns(scopes: Iterable[str]) -> list[str]:
    """The event type patterns an API key's scopes let it receive (`sales.opportunity.*`, `#`)."""
    return sorted(scope.removeprefix(EVENTS_SCOPE) for scope in scopes if scope.startswith(EVENTS_SCOPE))


def describe() -> dict[str, dict[str, list[str]]]:
    """The table with every resource spelled out: role -> resource -> methods (for GET /api/v1/roles)."""
    return {
        role: {
            resource: sorted(methods_for(role, resource))
            for resource in sorted(ROUTE_DECLARATIONS)
            if methods_for(role, resource) or role == ADMIN
        }
        for role in ACCESS_RULES
    }
