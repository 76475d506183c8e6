"""Forward /api/v1 requests to the owning service over kept-alive urllib3 pools; stream the answer back.

Resilience: connect and read timeouts; only GET and HEAD are sent again, and only when no connection could
be opened (the request never reached the service); and a circuit breaker per service: after
`failures` failures in a row (no connection, a timeout, a broken exchange, or the service answering
502/503/504) the service's routes answer 503 `gateway.circuit_open` at once for `open_seconds`, then one
trial request is let through (half-open) and its outcome closes or re-opens the circuit. Other services'
routes never wait on a broken one.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import urllib3
from flask import Request, Response
from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError, ReadTimeoutError
from urllib3.response import BaseHTTPResponse

from crmkit.requestid import REQUEST_ID_HEADER
from gateway.errors import BadGateway, UpstreamTimeout, UpstreamUnavailable
from gateway.routes import Route

log = logging.getLogger(__name__)

FORWARDED_HEADERS = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Api-Key",  # a web form's key (public web-to-lead)
    "X-Inbound-Secret",  # a mailbox's secret (inbound mail hook)
)
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
     "transfer-encoding", "upgrade"}
)  # fmt: skip
# The gateway's own server writes Date and Server, and the kit writes X-Request-ID (the same id).
NOT_COPIED_BACK = HOP_BY_HOP | {"date", "server", REQUEST_ID_HEADER.lower()}
# Only these may be sent twice: a connection error means the request never reached the service.
RETRIED_METHODS = frozenset({"GET", "HEAD"})
PATH_SAFE = "/:@-._~!$&'()*+,;="
CHUNK_BYTES = 64 * 1024
# Bodies up to this size are read whole (most API answers): one write, and the connection is free at once.
BUFFERED_BYTES = 256 * 1024
MAX_SERVICE_POOLS = 16  # one pool per service base URL; more than the platform has
# Answers that mean the service itself is in trouble (count toward opening its circuit).
FAILING_STATUSES = frozenset({502, 503, 504})
BREAKER_FAILURES_ENV = "CRM_BREAKER_FAILURES"
BREAKER_OPEN_SECONDS_ENV = "CRM_BREAKER_OPEN_SECONDS"


class CircuitOpen(UpstreamUnavailable):
    code = "gateway.circuit_open"


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclasses.dataclass(frozen=True)
class BreakerPolicy:
    """Open a service's circuit after `failures` failures in a row; try again after `open_seconds`."""

    failures: int = 5
    open_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BreakerPolicy:
        env = os.environ if env is None else env
        failures = int(env.get(BREAKER_FAILURES_ENV) or cls.failures)
        open_seconds = float(env.get(BREAKER_OPEN_SECONDS_ENV) or cls.open_seconds)
        if failures < 1 or open_seconds <= 0:
            raise ValueError(f"{BREAKER_FAILURES_ENV} must be >= 1 and {BREAKER_OPEN_SECONDS_ENV} > 0")
        return cls(failures, open_seconds)


class CircuitBreaker:
    """One service's circuit: closed (calls pass), open (calls refused at once), half-open (one trial)."""

    def __init__(
        self, service: str, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.service = service
        self.policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            return self._state

    def before_call(self) -> None:
        """Let a call through, or raise CircuitOpen (a 503 naming the service, with Retry-After)."""
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return
            remaining = self._opened_at + self.policy.open_seconds - self._clock()
            if self._state is CircuitState.OPEN and remaining <= 0:
                self._state, self._trial_running = CircuitState.HALF_OPEN, False
            if self._state is CircuitState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
        raise CircuitOpen(
            f"The {self.service} service is failing; its requests are paused for a moment. Try again shortly.",
            service=self.service,
            headers={"Retry-After": str(max(1, math.ceil(remaining)))},
        )

    def succeeded(self) -> None:
        with self._lock:
            if self._state is not CircuitState.CLOSED:
                log.info("circuit closed", extra={"upstream": self.service})
            self._state, self._failures, self._trial_running = CircuitState.CLOSED, 0, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            reopen = self._state is CircuitState.HALF_OPEN
            if reopen or (self._state is CircuitState.CLOSED and self._failures >= self.policy.failures):
                self._state, self._opened_at, self._trial_running = CircuitState.OPEN, self._clock(), False
                log.warning("circuit opened", extra={"upstream": self.service, "failures": self._failures})


@dataclasses.dataclass(frozen=True)
class UpstreamRequest:
    """What the gateway sends on: method, path with query, the forwarded headers and the body."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes | None

    @classmethod
    def from_request(cls, request: Request, request_id: str) -> UpstreamRequest:
        """Copy what a service needs from the caller's request; everything else stays behind."""
        headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
        headers[REQUEST_ID_HEADER] = request_id
        prior = request.headers.get("X-Forwarded-For")
        client = request.remote_addr or "unknown"
        headers["X-Forwarded-For"] = f"{prior}, {client}" if prior else client
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        target = quote(request.path, safe=PATH_SAFE)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return cls(request.method, target, headers, request.get_data() or None)


class Proxy:
    """One keep-alive connection pool per service; no retries except a GET that could not connect."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        pool_size: int,
        breaker: BreakerPolicy | None = None,
    ) -> None:
        self._breaker_policy = breaker or BreakerPolicy.from_env()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._breakers_lock = threading.Lock()
        self._pools = urllib3.PoolManager(
            num_pools=MAX_SERVICE_POOLS,
            maxsize=pool_size,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=False,
        )
        self._retry_once = urllib3.Retry(total=1, connect=1, read=0, redirect=False, status=0, other=0)

    def forward(self, route: Route, outgoing: UpstreamRequest) -> Response:
        """Send `outgoing` to the route's service; answer its response, or a problem if it cannot."""
        upstream = self._call(
            route,
            outgoing.method,
            outgoing.target,
            body=outgoing.body,
            headers=outgoing.headers,
            decode_content=False,
        )
        return _response(route, upstream)

    def breaker(self, service: str) -> CircuitBreaker:
        """The circuit breaker of `service` (made on first use)."""
        with self._breakers_lock:
            if service not in self._breakers:
                self._breakers[service] = CircuitBreaker(service, self._breaker_policy)
            return self._breakers[service]

    def _call(
        self,
        route: Route,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None = None,
        timeout: float | None = None,
        decode_content: bool = True,
    ) -> BaseHTTPResponse:
        """One request through the service's circuit breaker (its outcome is reported to the breaker)."""
        breaker = self.breaker(route.service)
        breaker.before_call()
        options: dict[str, Any] = {"timeout": urllib3.Timeout(total=timeout)} if timeout else {}
        try:
            upstream = self._pools.urlopen(
                method,
                route.base_url + target,
                body=body,
                headers=dict(headers),
                retries=self.retries_for(method),
                redirect=False,
                preload_content=False,
                decode_content=decode_content,
                **options,
            )
        except HTTPError as error:
            breaker.failed()
            raise _problem(route, error) from None
        except BaseException:
            breaker.failed()
            raise
        if upstream.status in FAILING_STATUSES:
            breaker.failed()
        else:
            breaker.succeeded()
        return upstream

    def get_json(
        self, route: Route, target: str, *, headers: Mapping[str, str], timeout: float, limit: int
    ) -> tuple[int, Any]:
        """GET `target` with a total `timeout`; answer (status, decoded JSON body or None).

        Raises a gateway problem when the service cannot be reached, is too slow, or its circuit is open.
        """
        upstream = self._call(route, "GET", target, headers=headers, timeout=timeout)
        body = _read_limited(route, upstream, limit)
        try:
            return upstream.status, json.loads(body) if body else None
        except ValueError:
            return upstream.status, None

    def fetch(self, route: Route, target: str, *, headers: Mapping[str, str], limit: int) -> bytes:
        """GET `target` from the route's service with the same pools, timeouts and retry rule as `forward`.

        Answers the body of a 200 of at most `limit` bytes; raises a gateway problem otherwise.
        """
        upstream = self._call(route, "GET", target, headers=headers)
        body = _read_limited(route, upstream, limit)
        if upstream.status != 200:
            raise BadGateway(
                f"The {route.service} service answered {target} with {upstream.status}.",
                service=route.service,
            )
        return body

    def retries_for(self, method: str) -> urllib3.Retry | bool:
        """GET and HEAD may be sent again when no connection could be opened; nothing else is retried."""
        return self._retry_once if method in RETRIED_METHODS else False

    def close(self) -> None:
        """Close every kept-alive connection."""
        self._pools.clear()


def _problem(route: Route, error: HTTPError) -> BadGateway | UpstreamTimeout | UpstreamUnavailable:
    """Name what went wrong without exposing the service's address (that goes to the log)."""
    reason = error.reason if isinstance(error, MaxRetryError) and error.reason else error
    log.warning("upstream %s at %s failed: %s", route.service, route.base_url, reason)
    if isinstance(reason, ReadTimeoutError):
        return UpstreamTimeout(f"The {route.service} service did not answer in time.", service=route.service)
    if isinstance(reason, ConnectTimeoutError):
        return UpstreamUnavailable(
            f"The {route.service} service is not reachable; try again shortly.",
            service=route.service,
            headers={"Retry-After": "5"},
        )
    return BadGateway(f"The {route.service} service broke off the exchange.", service=route.service)


def _response(route: Route, upstream: BaseHTTPResponse) -> Response:
    """Copy status and end-to-end headers; read a small body at once, stream a large or unsized one."""
    dropped = NOT_COPIED_BACK | {
        token.strip().lower() for token in upstream.headers.get("Connection", "").split(",") if token.strip()
    }
    headers = [(name, value) for name, value in upstream.headers.items() if name.lower() not in dropped]
    length = upstream.headers.get("Content-Length", "")
    if length.isdigit() and int(length) <= BUFFERED_BYTES:
        response = Response(_read(route, upstream), status=upstream.status, headers=headers)
    else:
        response = Response(
            _stream(route, upstream), status=upstream.status, headers=headers, direct_passthrough=True
        )
        response.call_on_close(functools.partial(_abandon, upstream))
    if "Content-Type" not in upstream.headers:
        del response.headers["Content-Type"]
    return response


def _read(route: Route, upstream: BaseHTTPResponse) -> bytes:
    """Read the whole body and give the connection back; a failure here can still be answered as a problem."""
    try:
        return upstream.read(decode_content=False)
    except HTTPError as error:
        upstream.close()
        raise _problem(route, error) from None
    finally:
        upstream.release_conn()


def _read_limited(route: Route, upstream: BaseHTTPResponse, limit: int) -> bytes:
    """Read a body of at most `limit` bytes; a longer one is a problem, and its connection is not reused."""
    try:
        body = upstream.read(limit + 1)
    except HTTPError as error:
        _abandon(upstream)
        raise _problem(route, error) from None
    if len(body) > limit:
        _abandon(upstream)
        raise BadGateway(
            f"The {route.service} service answered more than {limit} bytes.", service=route.service
        )
    upstream.release_conn()
    return body


def _stream(route: Route, upstream: BaseHTTPResponse) -> Iterator[bytes]:
    """Yield the body as it arrives; a connection left half-read is closed, never reused."""
    finished = False
    try:
        yield from upstream.stream(CHUNK_BYTES, decode_content=False)
        finished = True
    except HTTPError as error:
        log.warning("upstream %s broke off its response: %s", route.service, error)
    finally:
        if not finished:
            upstream.close()
        upstream.release_conn()


def _abandon(upstream: BaseHTTPResponse) -> None:
    """Close an upstream response that will not be read to its end, so its connection is never reused.

    (A body never sent on because the client went away first, or one too large to read.)
    """
    if upstream.connection is not None:
        upstream.close()
        upstream.release_conn()
