"""The route table: resource prefixes to services."""

from __future__ import annotations

import pytest

from gateway.routes import GATEWAY_RESOURCES, ROUTE_DECLARATIONS, SERVICES, RouteTable, service_urls_from_env


@pytest.fixture
def table() -> RouteTable:
    return RouteTable(service_urls_from_env({}))


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/accounts", "customer"),
        ("/api/v1/accounts/42/interactions", "customer"),
        ("/api/v1/contacts/7", "customer"),
        ("/api/v1/custom-fields", "customer"),
        ("/api/v1/price-lists/1", "sales"),
        ("/api/v1/tickets", "service-desk"),
        ("/api/v1/timesheets", "projects"),
    ],
)
def test_matches_a_path_to_the_service_owning_its_resource(table, path, service):
    route = table.match(path)
    assert route is not None
    assert route.service == service


@pytest.mark.parametrize(
    "path", ["/api/v1/widgets", "/api/v1/", "/api/v2/accounts", "/accounts", "/api/v1/users"]
)
def test_unknown_resources_and_foreign_paths_have_no_route(table, path):
    assert table.match(path) is None


def test_local_defaults_follow_the_platform_ports(table):
    assert table.route_for("accounts").base_url == "http://127.0.0.1:8101"
    assert table.route_for("leads").base_url == "http://127.0.0.1:8102"
    assert table.route_for("tickets").base_url == "http://127.0.0.1:8103"
    assert table.route_for("projects").base_url == "http://127.0.0.1:8104"


def test_service_urls_come_from_the_environment():
    urls = service_urls_from_env({"CRM_SERVICE_URL_SERVICE_DESK": "http://desk:8080/"})
    assert RouteTable(urls).route_for("kb").base_url == "http://desk:8080"


def test_refuses_a_declaration_without_a_service_url():
    with pytest.raises(ValueError, match="billing"):
        RouteTable({"customer": "http://x"}, {"invoices": "billing"})


def test_refuses_a_service_claiming_a_gateway_resource():
    with pytest.raises(ValueError, match="users"):
        RouteTable({"customer": "http://x"}, {"users": "customer"})


def test_every_declared_resource_belongs_to_a_declared_service():
    assert set(ROUTE_DECLARATIONS.values()) <= {service.name for service in SERVICES}
    assert not set(ROUTE_DECLARATIONS) & GATEWAY_RESOURCES


def test_lists_the_resources_of_a_service(table):
    assert table.resources_of("customer") == ["accounts", "contacts", "custom-fields"]


def test_a_path_belongs_to_a_service_only_under_a_resource_the_table_sends_it(table):
    assert table.owns("customer", "/api/v1/accounts/{account_id}/interactions")
    assert not table.owns("sales", "/api/v1/accounts")
    assert not table.owns("customer", "/healthz")
    assert not table.owns("customer", "/api/v1/users")


def test_names_one_route_per_service_to_reach_it_by(table):
    routes = table.service_routes()
    assert list(routes) == ["customer", "projects", "sales", "service-desk"]
    assert routes["customer"].base_url == "http://127.0.0.1:8101"
    assert routes["service-desk"].service == "service-desk"


def test_the_gateways_documents_are_resources_no_service_may_claim():
    with pytest.raises(ValueError, match=r"openapi\.json"):
        RouteTable({"customer": "http://x"}, {"openapi.json": "customer"})
