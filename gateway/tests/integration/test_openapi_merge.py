"""GET /api/v1/openapi.json against services on real sockets: merged, renamed, cached, and partial when one fails."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import marshmallow as ma
import pytest
from flask import Flask, Response, jsonify, request

from crmkit import Blueprint, Schema
from crmkit.api import Api
from gateway.errors import BadGateway
from gateway.proxy import Proxy
from gateway.routes import Route

ACCOUNT_OF_SALES = {"type": "object", "properties": {"crm_id": {"type": "string"}}}


class UserSchema(Schema):
    """Not the gateway's User: same name, other fields."""

    email = ma.fields.String()


class AccountSchema(Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    owner = ma.fields.Nested(UserSchema)


class HealthSchema(Schema):
    status = ma.fields.String()


def customer_blueprints() -> list[Blueprint]:
    """Accounts (customer's), plus /api/v1/leads (sales owns it) and /healthz, which must not leak."""
    accounts = Blueprint("accounts", __name__, url_prefix="/api/v1/accounts", description="Companies.")
    leads = Blueprint("leads", __name__, url_prefix="/api/v1/leads", description="Not customer's.")
    health = Blueprint("health", __name__, url_prefix="/healthz", description="Liveness.")

    @accounts.route("")
    @accounts.response(200, AccountSchema(many=True))
    def list_accounts() -> list[dict]:
        """List accounts."""
        return []

    @accounts.route("/<account_id>/owner")
    @accounts.response(200, UserSchema)
    def account_owner(account_id: str) -> dict:
        """Read an account's owner."""
        return {}

    @leads.route("")
    @leads.response(200, HealthSchema)
    def list_leads() -> dict:
        """Claimed by the wrong service."""
        return {}

    @health.route("")
    @health.response(200, HealthSchema)
    def healthz() -> dict:
        """Alive."""
        return {}

    return [accounts, leads, health]


def sales_document() -> dict:
    """A static document: /api/v1/leads (sales's) and /api/v1/accounts (customer's, must be dropped)."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}}
    operation = {"get": {"tags": ["leads"], "summary": "List leads.", "responses": {"200": {"description": "OK", "content": content}}}}  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "CRM sales service", "version": "1.0.0"},
        "tags": [{"name": "leads", "description": "Leads."}],
        "paths": {"/api/v1/leads": operation, "/api/v1/accounts": operation},
        "components": {"schemas": {"Account": ACCOUNT_OF_SALES}},
    }


class FakeService:
    """A service on a socket whose /openapi.json is counted and can hang or break on demand."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.hits: list[dict[str, str]] = []
        self.hang = threading.Event()
        self.release = threading.Event()
        self.broken = False
        app.before_request(self._observe)

    def _observe(self) -> Response | None:
        if request.path != "/openapi.json":
            return None
        self.hits.append(dict(request.headers))
        if self.hang.is_set():
            self.release.wait(timeout=5)
        return Response("<html>oops</html>", status=500, mimetype="text/html") if self.broken else None


def customer_app() -> Flask:
    app = Flask("fake-customer")
    app.config.update(API_TITLE="CRM customer service", API_VERSION="1.0.0", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json")  # fmt: skip
    api = Api(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in customer_blueprints():
        api.register_blueprint(blueprint)
    return app


def sales_app() -> Flask:
    app = Flask("fake-sales")
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(sales_document()))
    return app


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def customer(serve_wsgi) -> Iterator[FakeService]:
    service = FakeService(customer_app())
    service.base_url = serve_wsgi(service.app)  # type: ignore[attr-defined]
    yield service
    service.release.set()


@pytest.fixture
def sales(serve_wsgi) -> Iterator[FakeService]:
    service = FakeService(sales_app())
    service.base_url = serve_wsgi(service.app)  # type: ignore[attr-defined]
    yield service
    service.release.set()


@pytest.fixture
def env(env: dict[str, str], customer: FakeService, sales: FakeService) -> dict[str, str]:
    """customer and sales answer; service-desk and projects are down."""
    return env | {
        "CRM_SERVICE_URL_CUSTOMER": customer.base_url,  # type: ignore[attr-defined]
        "CRM_SERVICE_URL_SALES": sales.base_url,  # type: ignore[attr-defined]
        "CRM_SERVICE_URL_SERVICE_DESK": closed_port_url(),
        "CRM_SERVICE_URL_PROJECTS": closed_port_url(),
    }


def schema_of(document: dict, path: str) -> dict:
    return document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def test_merges_the_gateways_paths_with_the_paths_each_service_owns(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = set(document["paths"])
    assert {
        "/api/v1/auth/token",
        "/api/v1/users",
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}/owner",
    } <= paths
    assert "/healthz" not in paths
    assert schema_of(document, "/api/v1/leads") == {"$ref": "#/components/schemas/sales.Account"}
    assert document["paths"]["/api/v1/leads"]["get"]["summary"] == "List leads."
    tags = [tag["name"] for tag in document["tags"]]
    assert (tags[:2], tags[-2:]) == (["auth", "users"], ["accounts", "leads"])  # the gateway's tags first
    assert {"teams", "roles", "api_keys", "audit", "docs"} <= set(tags)


def test_renames_colliding_schemas_per_service_and_rewrites_their_refs(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "username" in schemas["User"]["properties"]
    assert set(schemas["customer.User"]["properties"]) == {"email"}
    assert schema_of(document, "/api/v1/accounts/{account_id}/owner") == {
        "$ref": "#/components/schemas/customer.User"
    }
    assert schemas["Account"]["properties"]["owner"] == {"$ref": "#/components/schemas/customer.User"}
    assert schemas["sales.Account"] == ACCOUNT_OF_SALES
    assert "customer.Problem" not in schemas and "Health" not in schemas


def test_the_merged_document_validates_and_names_the_services_that_are_down(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["info"]["x-missing-services"] == ["projects", "service-desk"]
    assert response.headers["X-Missing-Services"] == "projects, service-desk"
    import openapi_spec_validator as validator

    validator.validate(document)


def test_asks_each_service_once_a_minute_with_the_callers_request_id(client, customer, sales):
    client.get("/api/v1/openapi.json", headers={"X-Request-ID": "req-docs-1"})
    client.get("/api/v1/openapi.json")
    assert (len(customer.hits), len(sales.hits)) == (1, 1)
    assert customer.hits[0]["X-Request-Id"] == "req-docs-1"


def test_without_a_cache_each_request_asks_again(make_settings, start_app, customer):
    client = start_app(make_settings(CRM_OPENAPI_CACHE_TTL="0")).test_client()
    client.get("/api/v1/openapi.json")
    client.get("/api/v1/openapi.json")
    assert len(customer.hits) == 2


def test_a_service_answering_garbage_is_missing_not_a_500(client, customer):
    customer.broken = True
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["info"]["x-missing-services"] == ["customer", "projects", "service-desk"]
    assert "/api/v1/accounts" not in response.get_json()["paths"]


def test_a_hanging_service_costs_one_read_timeout_and_is_then_skipped_for_a_while(client, sales):
    sales.hang.set()
    started = time.monotonic()
    first = client.get("/api/v1/openapi.json")
    first_took = time.monotonic() - started
    started = time.monotonic()
    second = client.get("/api/v1/openapi.json")
    second_took = time.monotonic() - started
    assert "sales" in first.get_json()["info"]["x-missing-services"]
    assert "sales" in second.get_json()["info"]["x-missing-services"]
    assert first_took < 3 and second_took < 0.4
    assert len(sales.hits) == 1


def test_fetch_refuses_a_body_over_its_limit_and_the_pool_still_works_after(customer):
    proxy = Proxy(connect_timeout=1, read_timeout=1, pool_size=1)
    route = Route("accounts", "customer", customer.base_url)
    try:
        with pytest.raises(BadGateway, match="more than 100 bytes"):
            proxy.fetch(route, "/openapi.json", headers={}, limit=100)
        body = proxy.fetch(route, "/openapi.json", headers={}, limit=1_000_000)
        with pytest.raises(BadGateway, match="404"):
            proxy.fetch(route, "/nothing.json", headers={}, limit=1_000_000)
    finally:
        proxy.close()
    assert body.startswith(b"{") and len(customer.hits) == 2
