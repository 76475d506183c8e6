"""Forward /api/v1 requests to the owning service over kept-alive urllib3 pools; stream the answer back."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterator, Mapping
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

    def __init__(self, *, connect_timeout: float, read_timeout: float, pool_size: int) -> None:
        self._pools = urllib3.PoolManager(
            num_pools=MAX_SERVICE_POOLS,
            maxsize=pool_size,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=False,
        )
        self._retry_once = urllib3.Retry(total=1, connect=1, read=0, redirect=False, status=0, other=0)

    def forward(self, route: Route, outgoing: UpstreamRequest) -> Response:
        """Send `outgoing` to the route's service; answer its response, or a problem if it cannot."""
        try:
            upstream = self._pools.urlopen(
                outgoing.method,
                route.base_url + outgoing.target,
                body=outgoing.body,
                headers=dict(outgoing.headers),
                retries=self.retries_for(outgoing.method),
                redirect=False,
                preload_content=False,
                decode_content=False,
            )
        except HTTPError as error:
            raise _problem(route, error) from None
        return _response(route, upstream)

    def fetch(self, route: Route, target: str, *, headers: Mapping[str, str], limit: int) -> bytes:
        """GET `target` from the route's service with the same pools, timeouts and retry rule as `forward`.

        Answers the body of a 200 of at most `limit` bytes; raises a gateway problem otherwise.
        """
        try:
            upstream = self._pools.urlopen(
                "GET",
                route.base_url + target,
                headers=dict(headers),
                retries=self.retries_for("GET"),
                redirect=False,
                preload_content=False,
            )
        except HTTPError as error:
            raise _problem(route, error) from None
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
