"""Public documents and pages: /api/v1/openapi.json, /api/v1/asyncapi.{yaml,json}, /docs, /docs/events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flask
from flask import Response, abort, current_app, g, render_template, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from crmkit import Blueprint, public
from gateway.context import gateway
from gateway.docs.events import catalog_page, code_spans
from gateway.docs.merge import merge_documents

MISSING_SERVICES_HEADER = "X-Missing-Services"
YAML_TYPE = "application/yaml"
ASSETS_DIR = Path(__file__).parent / "assets"
OWN_ASSETS = frozenset({"swagger-init.js"})
# The Swagger UI files the page loads (and their source maps, for a browser's developer tools).
SWAGGER_ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui.css.map", "swagger-ui-bundle.js", "swagger-ui-bundle.js.map",
     "favicon-16x16.png", "favicon-32x32.png"}
)  # fmt: skip
# Everything the pages load comes from the gateway itself; Swagger UI styles and images inline.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
MISSING_HEADER_DOC = {
    "description": "The services whose document could not be had (comma separated), when any",
    "schema": {"type": "string"},
}

blp = Blueprint(
    "docs", __name__, url_prefix="/api/v1", description="The API description and the events catalog."
)
pages = flask.Blueprint("docs_pages", __name__, template_folder="templates")
pages.add_app_template_filter(code_spans)


@blp.route("/openapi.json")
@public
@blp.doc(security=[])
@blp.response(
    200,
    {"type": "object"},
    description="OpenAPI 3 document",
    headers={MISSING_SERVICES_HEADER: MISSING_HEADER_DOC},
)
def openapi() -> Response:
    """Describe the whole public API: the gateway's endpoints and every service's resources (OpenAPI 3)."""
    parts = gateway()
    documents, missing = parts.service_docs.collect(g.crm_request_id)
    own = current_app.extensions["crm_api"].spec.to_dict()
    server_url = request.host_url.rstrip("/")
    merged = merge_documents(own, documents, routes=parts.routes, server_url=server_url, missing=missing)
    response = _send(json.dumps(merged, ensure_ascii=False), "application/json")
    if missing:
        response.headers[MISSING_SERVICES_HEADER] = ", ".join(missing)
    return response


@blp.route("/asyncapi.yaml")
@public
@blp.doc(security=[])
@blp.response(200, {"type": "string"}, content_type=YAML_TYPE, description="AsyncAPI 2.6 document")
def asyncapi_yaml() -> Response:
    """Describe every event the services publish on the crm.events exchange (AsyncAPI, YAML)."""
    return _send(gateway().events.yaml_text(), YAML_TYPE)


@blp.route("/asyncapi.json")
@public
@blp.doc(security=[])
@blp.response(200, {"type": "object"}, description="AsyncAPI 2.6 document")
def asyncapi_json() -> Response:
    """Describe every event the services publish on the crm.events exchange (AsyncAPI, JSON)."""
    return _send(json.dumps(gateway().events.document(), ensure_ascii=False), "application/json")


@pages.route("/docs")
@public
def swagger_ui() -> Response:
    """The interactive API page (Swagger UI, served by the gateway itself)."""
    return _page(render_template("docs/swagger.html"))


@pages.route("/docs/events")
@public
def events() -> Response:
    """The events catalog as a readable page."""
    return _page(render_template("docs/events.html", catalog=catalog_page(gateway().events.document())))


@pages.route("/docs/assets/<filename>")
@public
def asset(filename: str) -> Any:
    """A file the pages load: Swagger UI's, from the swagger-ui-bundle package, or the gateway's own."""
    if filename in OWN_ASSETS:
        return send_from_directory(ASSETS_DIR, filename)
    if filename in SWAGGER_ASSETS:
        return send_from_directory(str(swagger_ui_path), filename)
    abort(404)


def _send(body: str, content_type: str) -> Response:
    """A document with an ETag, answered 304 when the caller has it already."""
    response = Response(body, content_type=content_type)
    response.add_etag()
    response.make_conditional(request)
    return response


def _page(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response
