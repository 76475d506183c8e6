"""The gateway's process-wide parts, built once in create_app and reached from views through the app."""

from __future__ import annotations

import dataclasses

from flask import Flask, current_app

from crmkit import runtime
from gateway.docs.events import EventsCatalog
from gateway.docs.services import ServiceDocuments
from gateway.identity.passwords import Passwords
from gateway.identity.tokens import TokenIssuer
from gateway.keys import KeyStore
from gateway.proxy import Proxy
from gateway.ratelimit.limiter import RateLimiter
from gateway.routes import RouteTable
from gateway.settings import GatewaySettings

EXTENSION = "gateway"


@dataclasses.dataclass
class Gateway:
    """Signing keys, password hashing, token issuing, the route table, the upstream pools and the documents."""

    settings: GatewaySettings
    keys: KeyStore
    passwords: Passwords
    tokens: TokenIssuer
    routes: RouteTable
    proxy: Proxy
    service_docs: ServiceDocuments
    events: EventsCatalog
    # Counts requests per caller in the gateway's database; set by create_app (it needs the engine).
    limiter: RateLimiter | None = None

    @classmethod
    def build(cls, settings: GatewaySettings) -> Gateway:
        """Build every part from the settings (no I/O beyond reading the key folder lazily)."""
        keys = KeyStore(settings.keys_dir)
        tokens = TokenIssuer(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            access_ttl=settings.access_token_ttl,
            refresh_ttl=settings.refresh_token_ttl,
        )
        proxy = Proxy(
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
            pool_size=settings.upstream_pool_size,
        )
        passwords = Passwords(settings.password_hash_profile)
        routes = RouteTable(settings.service_urls)
        service_docs = ServiceDocuments(proxy, routes, ttl=settings.openapi_cache_ttl)
        events = EventsCatalog(settings.events_catalog)
        return cls(settings, keys, passwords, tokens, routes, proxy, service_docs, events)


def gateway(app: Flask | None = None) -> Gateway:
    """The Gateway of `app` (default: the current app)."""
    parts: Gateway = runtime(app or current_app).services[EXTENSION]
    return parts
