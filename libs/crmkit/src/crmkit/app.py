"""create_service_app: request ids, JSON logs, problem handlers, JWT, health and OpenAPI in one place."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from crmkit import health
from crmkit.api import Api, Blueprint
from crmkit.auth import KeySet, TokenVerifier, bearer_token
from crmkit.db import Database, UnitOfWork
from crmkit.errors import BadRequest, UnsupportedMediaType, register_error_handlers
from crmkit.logging import configure_logging
from crmkit.requestid import REQUEST_ID_HEADER, accept_request_id, request_id_var
from crmkit.settings import ServiceSettings

F = TypeVar("F", bound=Callable[..., Any])
MAX_BODY_BYTES = 2 * 1024 * 1024
OPEN_ENDPOINTS = {"health.healthz", "health.readyz", "api-docs.openapi_json", "static"}
JSON_TYPES = ("application/json", "application/merge-patch+json")


@dataclasses.dataclass
class Runtime:
    """What a request handler may need from the process: settings, database, token checks, readiness."""

    settings: ServiceSettings
    database: Database
    verifier: TokenVerifier | None
    readiness: health.Readiness
    services: dict[str, Any] = dataclasses.field(default_factory=dict)


def public(view: F) -> F:
    """Mark a view as reachable without a token (public forms, token issuing, key sets)."""
    view.crm_public = True  # type: ignore[attr-defined]
    return view


def accepts_body(*mimetypes: str) -> Callable[[F], F]:
    """Let a view take bodies other than JSON (raw mail, uploads)."""

    def decorator(view: F) -> F:
        view.crm_body_types = mimetypes  # type: ignore[attr-defined]
        return view

    return decorator


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    blueprints: Iterable[Blueprint],
    database: Database | None = None,
    version: str = "1.0.0",
    description: str = "",
    verify_tokens: bool = True,
) -> Flask:
    """Build a service's Flask app; the order below is the order requests pass through."""
    configure_logging(settings.service, settings.log_level)
    app = Flask(settings.service)
    app.config.update(_flask_config(settings, title, version))
    database = database or Database(settings.database_url)
    verifier = _verifier(settings) if verify_tokens else None
    readiness = health.Readiness(
        {"database": health.database_check(database), "broker": health.broker_check(settings)}
    )
    if settings.uses_filesystem_broker:
        settings.broker_transport_options()  # the embedded broker's shared folders, so /readyz can pass
    app.extensions["crm"] = Runtime(settings, database, verifier, readiness)
    # 1. request id first, so everything after (auth failures included) logs and answers with it
    app.before_request(_bind_request_id)
    app.after_request(_send_request_id)
    app.teardown_request(_unbind_request_id)
    # 2. body type, then 3. authentication, before any view runs
    app.before_request(_refuse_nul_in_url)
    app.before_request(_check_body_type)
    app.before_request(_authenticate)
    # 4. problem+json for every error, including webargs validation and unexpected faults
    register_error_handlers(app)
    app.register_blueprint(health.blueprint)
    api = Api(app, spec_kwargs={"info": {"description": description}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions["crm_api"] = api
    return app


def _flask_config(settings: ServiceSettings, title: str, version: str) -> dict[str, Any]:
    return {
        "API_TITLE": title,
        "API_VERSION": version,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "TESTING": settings.testing,
        "JSON_SORT_KEYS": False,
    }


def _verifier(settings: ServiceSettings) -> TokenVerifier:
    return TokenVerifier(
        KeySet(settings.jwks_url), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


def current_uow() -> UnitOfWork:
    """Open a unit of work on this app's database (a view hands it to one service function)."""
    return runtime(current_app).database.uow()


def runtime(app: Flask) -> Runtime:
    runtime_: Runtime = app.extensions["crm"]
    return runtime_


def _bind_request_id() -> None:
    request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.crm_request_id = request_id
    request_id_var.set(request_id)


def _unbind_request_id(_error: BaseException | None) -> None:
    """Forget the id when the request ends, so log lines written between requests carry none."""
    request_id_var.set(None)


def _send_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("crm_request_id") or accept_request_id(None)
    return response


def _view_attr(name: str, default: Any) -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method_view = getattr(view_class, request.method.lower(), None)
        return getattr(method_view, name, getattr(view_class, name, default))
    return getattr(view, name, default)


def _refuse_nul_in_url() -> None:
    """A NUL in the path or query can match nothing and PostgreSQL refuses it: a 400, never a 500."""
    if "\x00" in request.path or b"%00" in request.query_string:
        raise BadRequest("The URL contains a NUL character.", code="bad_request")


def _check_body_type() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_length:
        return
    allowed = _view_attr("crm_body_types", JSON_TYPES)
    if request.mimetype not in allowed and "*/*" not in allowed:
        raise UnsupportedMediaType(
            f"Send the body as {' or '.join(allowed)}, not {request.mimetype or 'an untyped body'}.",
            code="unsupported_media_type",
        )


def _authenticate() -> ResponseReturnValue | None:
    verifier = runtime(current_app).verifier
    if verifier is None or request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if _view_attr("crm_public", False):
        return None
    g.crm_principal = verifier.verify(bearer_token())
    return None
