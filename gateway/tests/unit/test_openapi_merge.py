"""Merging OpenAPI documents: owned paths only, reachable components, renamed collisions, rewritten $refs."""

from __future__ import annotations

import pytest

from gateway.docs.merge import component_renames, merge_documents, reachable_components, rewrite_refs
from gateway.routes import RouteTable, service_urls_from_env

PROBLEM = {"type": "object", "properties": {"title": {"type": "string"}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(schema_name: str, tag: str) -> dict:
    content = {"application/json": {"schema": ref(schema_name)}}
    return {"get": {"tags": [tag], "responses": {"200": {"description": "OK", "content": content}}}}


@pytest.fixture
def routes() -> RouteTable:
    return RouteTable(service_urls_from_env({}))


@pytest.fixture
def own() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "CRM gateway", "version": "1.0.0"},
        "security": [{"bearer": []}],
        "tags": [{"name": "users", "description": "Users."}],
        "paths": {"/api/v1/users": operation("User", "users")},
        "components": {
            "schemas": {
                "User": {"type": "object", "properties": {"username": {"type": "string"}}},
                "Problem": PROBLEM,
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


@pytest.fixture
def customer() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "CRM customer service", "version": "1.0.0"},
        "tags": [{"name": "accounts", "description": "Companies."}, {"name": "health"}],
        "paths": {
            "/api/v1/accounts": operation("AccountPage", "accounts"),
            "/api/v1/accounts/{id}/owner": operation("User", "accounts"),
            "/api/v1/leads": operation("Lead", "accounts"),
            "/healthz": operation("Health", "health"),
        },
        "components": {
            "schemas": {
                "AccountPage": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": ref("Account")}},
                },
                "Account": {"type": "object", "properties": {"owner": ref("User"), "error": ref("Problem")}},
                "User": {"type": "object", "properties": {"email": {"type": "string"}}},
                "Problem": PROBLEM,
                "Lead": {"type": "object"},
                "Health": {"type": "object"},
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def merged_of(own, services, routes, **kwargs):
    return merge_documents(own, services, routes=routes, server_url="https://crm.example.org", **kwargs)


def test_keeps_the_gateways_paths_and_adds_the_paths_the_route_table_sends_to_each_service(
    own, customer, routes
):
    merged = merged_of(own, {"customer": customer}, routes)
    assert list(merged["paths"]) == ["/api/v1/users", "/api/v1/accounts", "/api/v1/accounts/{id}/owner"]


def test_drops_paths_of_other_services_and_outside_the_api_with_what_only_they_use(own, customer, routes):
    merged = merged_of(own, {"customer": customer}, routes)
    assert not {"/api/v1/leads", "/healthz"} & set(merged["paths"])
    assert not {"Lead", "Health"} & set(merged["components"]["schemas"])
    assert [tag["name"] for tag in merged["tags"]] == ["users", "accounts"]


def test_renames_a_different_component_with_a_taken_name_and_rewrites_its_refs(own, customer, routes):
    merged = merged_of(own, {"customer": customer}, routes)
    schemas = merged["components"]["schemas"]
    assert schemas["User"] == own["components"]["schemas"]["User"]
    assert schemas["customer.User"] == customer["components"]["schemas"]["User"]
    assert schemas["Account"]["properties"]["owner"] == ref("customer.User")
    owner = merged["paths"]["/api/v1/accounts/{id}/owner"]["get"]["responses"]["200"]["content"]
    assert owner["application/json"]["schema"] == ref("customer.User")


def test_shares_a_component_identical_to_one_already_there(own, customer, routes):
    merged = merged_of(own, {"customer": customer}, routes)
    assert "customer.Problem" not in merged["components"]["schemas"]
    assert merged["components"]["schemas"]["Account"]["properties"]["error"] == ref("Problem")


def test_renames_a_component_that_only_differs_through_what_it_refers_to(routes):
    existing = {"schemas": {"Owner": {"type": "string"}, "Account": {"properties": {"owner": ref("Owner")}}}}
    incoming = {"schemas": {"Owner": {"type": "integer"}, "Account": {"properties": {"owner": ref("Owner")}}}}
    renames = component_renames(existing, incoming, "sales")
    assert renames == {
        "#/components/schemas/Owner": "#/components/schemas/sales.Owner",
        "#/components/schemas/Account": "#/components/schemas/sales.Account",
    }
    assert rewrite_refs(incoming["schemas"]["Account"], renames) == {
        "properties": {"owner": ref("sales.Owner")}
    }


def test_two_services_with_the_same_name_for_different_schemas_both_keep_theirs(own, customer, routes):
    sales = {
        "openapi": "3.0.3",
        "paths": {"/api/v1/leads": operation("Account", "leads")},
        "components": {
            "schemas": {"Account": {"type": "object", "properties": {"crm_id": {"type": "string"}}}}
        },
    }
    merged = merged_of(own, {"sales": sales, "customer": customer}, routes)
    leads = merged["paths"]["/api/v1/leads"]["get"]["responses"]["200"]["content"]["application/json"]
    assert leads["schema"] == ref("sales.Account")
    assert merged["components"]["schemas"]["Account"] == customer["components"]["schemas"]["Account"] | {
        "properties": {"owner": ref("customer.User"), "error": ref("Problem")}
    }


def test_serves_the_gateways_url_bearer_scheme_and_the_missing_services(own, customer, routes):
    merged = merged_of(own, {"customer": customer}, routes, missing=["sales", "projects"])
    assert merged["servers"] == [{"url": "https://crm.example.org", "description": "CRM gateway"}]
    assert merged["components"]["securitySchemes"] == own["components"]["securitySchemes"]
    assert merged["security"] == [{"bearer": []}]
    assert merged["info"]["x-missing-services"] == ["projects", "sales"]
    assert merged["openapi"] == "3.0.3"


def test_does_not_change_the_documents_it_merges(own, customer, routes):
    before = repr(own), repr(customer)
    merged_of(own, {"customer": customer}, routes)
    assert (repr(own), repr(customer)) == before


def test_follows_references_through_other_components():
    components = {
        "schemas": {"A": {"items": ref("B")}, "B": {"properties": {"c": ref("C")}}, "C": {}, "D": {}},
        "responses": {"Error": {"description": "x", "content": {"application/json": {"schema": ref("C")}}}},
    }
    root = {"get": {"responses": {"default": {"$ref": "#/components/responses/Error"}, "200": ref("A")}}}
    found = reachable_components(components, root)
    assert {section: list(entries) for section, entries in found.items()} == {
        "schemas": ["A", "B", "C"],
        "responses": ["Error"],
    }


def test_ignores_malformed_parts_of_a_service_document(own, routes):
    broken = {
        "openapi": "3.0.3",
        "paths": {"/api/v1/accounts": "not an object", "/api/v1/contacts": operation("Gone", "contacts")},
        "components": {"schemas": ["not", "a", "mapping"], "securitySchemes": "nope"},
        "tags": ["contacts", {"name": "contacts"}],
    }
    merged = merged_of(own, {"customer": broken}, routes)
    assert "/api/v1/accounts" not in merged["paths"]
    assert "/api/v1/contacts" in merged["paths"]
    assert [tag["name"] for tag in merged["tags"]] == ["users", "contacts"]
