"""The account overview: the account, its contacts, open opportunities, open tickets and active projects.

Every part is asked for in parallel with the caller's own credentials (so each service applies its own
record rules) and a short timeout; a part the gateway's access table does not let the caller read is not
asked for at all (`forbidden`), exactly as if the caller had asked for that resource directly. A part answers with `status`:
- `ok`: fresh from its service;
- `stale`: its service failed now, and this is the last answer it gave the same caller (`as_of` says when);
- `unavailable`: its service is down, too slow or its circuit is open, and there is nothing to fall back on;
- `forbidden`: the service refuses the caller this part;
- `error`: the service answered something unexpected.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from crmkit import NotFound, Principal, Problem
from crmkit.types import utcnow
from gateway.access.masking import mask_response
from gateway.access.rules import is_allowed
from gateway.proxy import Proxy
from gateway.routes import RouteTable

OK, STALE, UNAVAILABLE, FORBIDDEN, ERROR = "ok", "stale", "unavailable", "forbidden", "error"
BODY_LIMIT = 4 * 1024 * 1024
PART_LIMIT = 50
CACHE_ENTRIES = 2000
STALE_SECONDS = 15 * 60


class AccountNotFound(NotFound):
    code = "gateway.overview.account_not_found"


@dataclasses.dataclass(frozen=True)
class Part:
    """One piece of the overview: which resource answers it and with which query."""

    name: str
    resource: str
    query: Mapping[str, str]
    single: bool = False

    def target(self, account_id: str) -> str:
        if self.single:
            return f"/api/v1/{self.resource}/{quote(account_id, safe='')}"
        return f"/api/v1/{self.resource}?" + urlencode({**self.query, "account_id": account_id})


PARTS = (
    Part("account", "accounts", {}, single=True),
    Part("contacts", "contacts", {"limit": str(PART_LIMIT)}),
    Part("opportunities", "opportunities", {"status": "open", "limit": str(PART_LIMIT)}),
    Part("tickets", "tickets", {"status": "open", "limit": str(PART_LIMIT)}),
    Part("projects", "projects", {"status": "active", "limit": str(PART_LIMIT)}),
)


class LastGood:
    """The last good answer per (caller, part, account), bounded, so a failing part can say `stale`."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, str, str], tuple[float, dict[str, Any]]] = OrderedDict()

    def put(self, key: tuple[str, str, str], answer: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = (time.time(), answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self._entries:
                self._answers.popitem(last=False)

    def get(self, key: tuple[str, str, str], max_age: float) -> tuple[float, dict[str, Any]] | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None or time.time() - found[0] > max_age:
            return None
        return found


class Overview:
    """Builds overviews through the gateway's proxy (pools, timeouts and circuit breakers)."""

    def __init__(self, proxy: Proxy, routes: RouteTable, *, timeout: float, workers: int = 16) -> None:
        self.proxy = proxy
        self.routes = routes
        self.timeout = timeout
        self.last_good = LastGood()
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="overview")

    def build(self, account_id: str, *, caller: Principal, headers: Mapping[str, str]) -> dict[str, Any]:
        """Ask every part at once; answer what is available and name what is stale or missing.

        Each part is masked as the gateway masks that resource's own answers for the caller.
        """
        futures = {
            part.name: self._executor.submit(self._part, part, account_id, caller, headers) for part in PARTS
        }
        answer: dict[str, Any] = {name: future.result() for name, future in futures.items()}
        if answer["account"].get("http_status") == 404:
            raise AccountNotFound(f"No account {account_id}.")
        for part in answer.values():
            part.pop("http_status", None)
        answer["missing"] = sorted(name for name in futures if answer[name]["status"] not in (OK, STALE))
        answer["stale"] = sorted(name for name in futures if answer[name]["status"] == STALE)
        answer["complete"] = not answer["missing"] and not answer["stale"]
        answer["generated_at"] = utcnow().isoformat().replace("+00:00", "Z")
        return answer

    def _part(
        self, part: Part, account_id: str, caller: Principal, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        route = self.routes.route_for(part.resource)
        if route is None:
            return {"status": UNAVAILABLE, "detail": f"no service serves {part.resource}"}
        if not is_allowed(caller.roles, caller.scopes, part.resource, "GET"):
            return {
                "status": FORBIDDEN,
                "service": route.service,
                "detail": "your roles do not allow this part",
            }
        key = (caller.subject, part.name, account_id)
        try:
            status, body = self.proxy.get_json(
                route, part.target(account_id), headers=headers, timeout=self.timeout, limit=BODY_LIMIT
            )
        except Problem as problem:
            return self._fallback(key, route.service, problem.detail)
        if status == 200 and isinstance(body, dict):
            visible = mask_response(part.resource, body, caller.roles, caller.scopes)
            fresh = _fresh(part, visible, route.service)
            self.last_good.put(key, fresh)
            return fresh
        return _refusal(part, route.service, status, body) or self._fallback(
            key, route.service, f"the {route.service} service answered {status}"
        )

    def _fallback(self, key: tuple[str, str, str], service: str, detail: str) -> dict[str, Any]:
        cached = self.last_good.get(key, STALE_SECONDS)
        if cached is None:
            return {"status": UNAVAILABLE, "service": service, "detail": detail}
        saved_at, answer = cached
        as_of = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(saved_at))
        return {**answer, "status": STALE, "as_of": as_of, "detail": detail}

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _fresh(part: Part, body: dict[str, Any], service: str) -> dict[str, Any]:
    if part.single:
        return {"status": OK, "service": service, "data": body}
    return {
        "status": OK,
        "service": service,
        "items": body.get("items", []),
        "more": body.get("next_cursor") is not None,
    }


def _refusal(part: Part, service: str, status: int, body: Any) -> dict[str, Any] | None:
    """A 401/403/404 is the service's answer, not an outage: say so (and never fall back to a cache)."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if status in (401, 403):
        return {"status": FORBIDDEN, "service": service, "detail": detail or "not allowed"}
    if status == 404:
        return {"status": ERROR, "service": service, "detail": detail or "not found", "http_status": 404}
    if 400 <= status < 500:
        return {"status": ERROR, "service": service, "detail": detail or f"answered {status}"}
    return None
