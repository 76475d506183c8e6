"""The public documents and pages: merged OpenAPI, Swagger UI with local assets, events catalog and page.

Every service is down here (see integration/test_openapi_merge.py for real ones); the curl examples of the
README's "API documents" section are the tests named after them.
"""

from __future__ import annotations

import json
import re
import socket
from importlib.metadata import entry_points

import pytest
import yaml

from crmkit.asyncapi import build_document, render
from crmkit.events.catalog import ENTRY_POINT_GROUP, load_all_registries
from gateway.routes import SERVICES

HOSTILE_CATALOG = """\
asyncapi: 2.6.0
info: {title: "Events <i>of</i> test", version: 1.0.0, description: "<script>alert('info')</script>"}
channels: {crm.events: {}}
components:
  messages:
    customer.account.created.v1:
      name: customer.account.created
      summary: "<script>alert('summary')</script>"
      examples: [{payload: {dataschema: "urn:x", data: {name: "</pre><img src=x onerror=alert(1)>"}}}]
"""


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    """Every service at an address where nothing listens."""
    return env | {service.env_var: closed_port_url() for service in SERVICES}


def customer_catalog_installed() -> bool:
    return "customer" in {entry_point.name for entry_point in entry_points(group=ENTRY_POINT_GROUP)}


def test_merged_openapi(client):
    """curl -s localhost:8080/api/v1/openapi.json (public; the gateway's own paths even with every service down)"""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert {"/api/v1/auth/token", "/api/v1/users", "/api/v1/openapi.json", "/api/v1/asyncapi.yaml"} <= set(
        document["paths"]
    )
    assert document["servers"] == [{"url": "http://localhost", "description": "CRM gateway"}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_missing_services(client):
    """curl -si localhost:8080/api/v1/openapi.json | grep -i x-missing-services"""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["X-Missing-Services"] == "customer, projects, sales, service-desk"
    assert response.get_json()["info"]["x-missing-services"] == [
        "customer",
        "projects",
        "sales",
        "service-desk",
    ]


def test_the_merged_document_is_valid_openapi(client):
    import openapi_spec_validator as validator

    validator.validate(client.get("/api/v1/openapi.json").get_json())


def test_the_documents_answer_304_to_a_matching_etag(client):
    for path in ("/api/v1/openapi.json", "/api/v1/asyncapi.yaml", "/api/v1/asyncapi.json"):
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert (first.status_code, again.status_code) == (200, 304), path


def test_swagger_ui(client):
    """Open http://localhost:8080/docs: Swagger UI on the merged document, every file from the gateway."""
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assert "://" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page)
    assert {
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-init.js",
    } <= set(assets)
    for asset in assets:
        with client.get(asset) as served:
            assert served.status_code == 200, asset
            assert served.content_length and served.content_length > 100, asset


def test_the_init_script_points_swagger_ui_at_the_page_and_at_no_outside_validator(client):
    with client.get("/docs/assets/swagger-init.js") as response:
        script = response.get_data(as_text=True)
    assert "root.dataset.openapiUrl" in script
    assert "validatorUrl: null" in script


@pytest.mark.parametrize("name", ["index.html", "swagger-initializer.js", "..%2Fviews.py", "nothing.js"])
def test_only_the_pages_assets_are_served(client, name):
    response = client.get(f"/docs/assets/{name}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_events_catalog_yaml(client):
    """curl -s localhost:8080/api/v1/asyncapi.yaml"""
    response = client.get("/api/v1/asyncapi.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/yaml"
    document = yaml.safe_load(response.get_data(as_text=True))
    assert document["asyncapi"].startswith("2.")
    assert "crm.events" in document["channels"]
    if not customer_catalog_installed():
        pytest.skip("the customer service's event registry is not installed")
    names = {message["name"] for message in document["components"]["messages"].values()}
    assert "customer.account.created" in names


def test_events_catalog_json(client):
    """curl -s localhost:8080/api/v1/asyncapi.json"""
    response = client.get("/api/v1/asyncapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    from_yaml = yaml.safe_load(client.get("/api/v1/asyncapi.yaml").get_data(as_text=True))
    assert response.get_json() == json.loads(json.dumps(from_yaml, default=str))


def test_serves_the_catalog_file_named_by_crm_events_catalog(make_settings, start_app, tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(HOSTILE_CATALOG)
    client = start_app(make_settings(CRM_EVENTS_CATALOG=str(path))).test_client()
    assert client.get("/api/v1/asyncapi.yaml").get_data(as_text=True) == HOSTILE_CATALOG


def test_generates_the_catalog_from_the_installed_services_when_there_is_no_file(
    make_settings, start_app, tmp_path
):
    client = start_app(make_settings(CRM_EVENTS_CATALOG=str(tmp_path / "none.yaml"))).test_client()
    expected = render(build_document(load_all_registries()))
    assert client.get("/api/v1/asyncapi.yaml").get_data(as_text=True) == expected


def test_events_page(client):
    """Open http://localhost:8080/docs/events: every event type with its routing key, schema and example."""
    response = client.get("/docs/events")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    messages = client.get("/api/v1/asyncapi.json").get_json()["components"]["messages"]
    for name, message in messages.items():
        assert f'id="{name}"' in page
        assert f"<h3>{message['name']}</h3>" in page
    assert "crm.events" in page
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)=["']?[a-z]+:""", page), "the page loads nothing from elsewhere"


def test_the_events_page_escapes_what_the_catalog_says(make_settings, start_app, tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(HOSTILE_CATALOG)
    client = start_app(make_settings(CRM_EVENTS_CATALOG=str(path))).test_client()
    page = client.get("/docs/events").get_data(as_text=True)
    assert "<script" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#39;summary&#39;)&lt;/script&gt;" in page
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Events &lt;i&gt;of&lt;/i&gt; test" in page


def test_the_documents_and_pages_need_no_token_but_the_api_still_does(client):
    for path in ("/api/v1/openapi.json", "/api/v1/asyncapi.yaml", "/docs", "/docs/events"):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/users").status_code == 401
