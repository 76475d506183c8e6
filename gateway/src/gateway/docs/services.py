"""Each service's OpenAPI document, fetched through the proxy's pools and timeouts and kept for a while."""

from __future__ import annotations

import concurrent.futures
import contextvars
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from crmkit import Problem
from crmkit.requestid import REQUEST_ID_HEADER
from gateway.proxy import Proxy
from gateway.routes import RouteTable

log = logging.getLogger(__name__)

Document = dict[str, Any]
OPENAPI_PATH = "/openapi.json"
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
# A service that could not be read is asked again after this long (or the TTL, if shorter), so a hanging
# one does not hold every request up for the read timeout, and one that comes back shows up soon.
FAILURE_TTL = 5.0


@dataclasses.dataclass(frozen=True)
class Cached:
    """A service's document (None when it could not be read) and when to ask again."""

    document: Document | None
    expires: float


class ServiceDocuments:
    """The services' OpenAPI documents, each kept `ttl` seconds (0: asked on every call)."""

    def __init__(
        self, proxy: Proxy, routes: RouteTable, *, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._proxy = proxy
        self._routes = routes.service_routes()
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, Cached] = {}
        self._lock = threading.Lock()

    @property
    def services(self) -> list[str]:
        return list(self._routes)

    def collect(self, request_id: str) -> tuple[dict[str, Document], list[str]]:
        """The documents of the services that answered, and the names of those that did not."""
        now = self._clock()
        with self._lock:
            entries = {name: self._cache.get(name) for name in self._routes}
        due = [name for name, entry in entries.items() if entry is None or entry.expires <= now]
        entries.update(self._refresh(due, request_id))
        documents = {name: entry.document for name, entry in entries.items() if entry and entry.document}
        return documents, sorted(set(self._routes) - set(documents))

    def _refresh(self, services: list[str], request_id: str) -> dict[str, Cached]:
        """Fetch the given services' documents side by side and remember them."""
        if not services:
            return {}
        with concurrent.futures.ThreadPoolExecutor(len(services), thread_name_prefix="openapi") as pool:
            # Each task runs in a copy of this context, so its log lines carry the request id.
            futures = {
                name: pool.submit(contextvars.copy_context().run, self._fetch, name, request_id)
                for name in services
            }
            documents = {name: future.result() for name, future in futures.items()}
        now = self._clock()
        fresh = {
            name: Cached(document, now + (self._ttl if document else min(self._ttl, FAILURE_TTL)))
            for name, document in documents.items()
        }
        with self._lock:
            self._cache.update(fresh)
        return fresh

    def _fetch(self, service: str, request_id: str) -> Document | None:
        """GET the service's /openapi.json; None (and a log line) when it cannot be had or is no OpenAPI 3."""
        headers = {"Accept": "application/json", REQUEST_ID_HEADER: request_id}
        try:
            body = self._proxy.fetch(
                self._routes[service], OPENAPI_PATH, headers=headers, limit=MAX_DOCUMENT_BYTES
            )
            document = json.loads(body)
        except (Problem, ValueError) as error:
            log.warning("no OpenAPI document from the %s service: %s", service, error)
            return None
        if not is_openapi3(document):
            log.warning("the %s service's %s is not an OpenAPI 3 document", service, OPENAPI_PATH)
            return None
        return document


def is_openapi3(document: Any) -> bool:
    """Whether `document` looks like an OpenAPI 3 document the merge can use."""
    return (
        isinstance(document, dict)
        and str(document.get("openapi", "")).startswith("3.")
        and isinstance(document.get("paths", {}), dict)
        and isinstance(document.get("components", {}), dict)
    )
