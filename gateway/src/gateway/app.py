"""create_app: the gateway's Flask app (identity endpoints, key set, route table and proxy)."""

from __future__ import annotations

from flask import Flask

from crmkit import create_service_app, runtime
from crmkit.auth import KeySet, TokenVerifier
from crmkit.health import database_check
from gateway import bootstrap
from gateway.access import hooks as access_hooks
from gateway.access.views import api_keys_blp
from gateway.audit.views import audit_blp
from gateway.context import EXTENSION, Gateway, gateway
from gateway.docs import views as docs
from gateway.edge.views import AuthorizeFastPath
from gateway.edge.views import blueprint as edge_blueprint
from gateway.identity.views import auth_blp, roles_blp, teams_blp, users_blp
from gateway.integrations.views import events_blp, webhooks_blp
from gateway.keys import KeyStore
from gateway.overview.views import blp as overview_blp
from gateway.ratelimit.limiter import RateLimiter
from gateway.settings import GatewaySettings
from gateway.views import blueprint as proxy_blueprint

DESCRIPTION = (
    "The public entry of the CRM platform. Issues and refreshes tokens, publishes the key set services "
    "verify tokens with, administers users, forwards /api/v1/<resource> to the owning service, and serves "
    "the API description and the events catalog."
)


def create_app(settings: GatewaySettings | None = None) -> Flask:
    """Build the gateway; on first start this also makes a signing key and the first admin."""
    settings = settings or GatewaySettings.from_env()
    parts = Gateway.build(settings)
    # The gateway checks tokens against its own key store, not a JWKS URL: no file or HTTP round trip.
    app = create_service_app(
        settings,
        title="CRM gateway",
        blueprints=[
            *(auth_blp, users_blp, teams_blp, roles_blp, api_keys_blp, audit_blp, docs.blp),
            *(events_blp, webhooks_blp, overview_blp),
        ],
        description=DESCRIPTION,
        verify_tokens=False,
    )
    crm = runtime(app)
    crm.verifier = own_verifier(parts.keys, settings)
    crm.services[EXTENSION] = parts
    parts.limiter = RateLimiter(crm.database.engine, window=settings.rate_limit_window)
    # Access pipeline: API key exchange, rate limits, the role table, masking, audit of denied requests.
    access_hooks.install(app)
    app.register_blueprint(edge_blueprint)  # after the pipeline: its answers stay out of the audit log
    app.wsgi_app = AuthorizeFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    # The gateway has no broker yet; it is ready when its database answers and it has a key to sign with.
    crm.readiness.checks = {"database": database_check(crm.database), "signing_key": parts.keys.check}
    app.register_blueprint(docs.pages)
    app.register_blueprint(proxy_blueprint)
    bootstrap.prepare(parts, crm.database)
    return app


def own_verifier(keys: KeyStore, settings: GatewaySettings) -> TokenVerifier:
    """crmkit's verifier, reading the key set straight from the key store."""
    key_set = KeySet(keys.folder.as_uri(), fetch=lambda _url: keys.jwks())
    return TokenVerifier(key_set, issuer=settings.jwt_issuer, audience=settings.jwt_audience)


def close_app(app: Flask) -> None:
    """Release the upstream pools and database connections (tests, orderly shutdown)."""
    gateway(app).proxy.close()
    runtime(app).database.dispose()
