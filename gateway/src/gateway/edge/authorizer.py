"""`crm-gateway edge authorizer`: the edge's bearer-token checks in a small asyncio HTTP server.

nginx asks one authorize question per routed request. Answered by the gateway's gunicorn, most of that
sub-request's cost is the WSGI server, not the checks (about 15 microseconds): parsing, a thread hand-off
and the framework. This server answers the same question, with the same checks (`Decider`: token against
the published key set, rate limit in the gateway's database, role table, masking), over kept-alive
connections from nginx, in one event loop. It is a sidecar of the edge, like Envoy's ext_authz service.

It speaks only what nginx sends it: bodiless HTTP/1.1 GET requests. Paths:

- `GET /api/v1/auth/authorize`: 204 with `X-Crm-Route` and `X-Crm-Authorization`, or 401/403 (see
  `gateway.edge.views`); nginx sends only bearer tokens here (API keys go to the gateway's own view);
- `GET /healthz`: 200 while the loop runs; `GET /readyz`: 200 when the key set and the database answer.

A database claim of the rate limiter (one per lease, a twentieth of a caller's limit at most) runs in a
thread, so one slow claim never stalls other callers' answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import signal
from collections import deque
from collections.abc import Callable, Mapping
from http import HTTPStatus

import sqlalchemy as sa

from crmkit.auth import KeySet, TokenVerifier
from crmkit.db import Database
from gateway.context import Gateway
from gateway.edge.decision import REFUSED_HEADER, Decider, Headers
from gateway.edge.nginx import AUTHORIZE_PATH
from gateway.ratelimit.limiter import RateLimiter
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 16 * 1024  # nginx sends the caller's headers; refuse what no sane request carries


@dataclasses.dataclass(frozen=True)
class Request:
    """One request head: method, path (no query), HTTP version and headers (names lower-cased)."""

    method: str
    path: str
    version: str
    headers: Mapping[str, str]

    @property
    def keeps_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


class BadRequest(ValueError):
    """The bytes are not a request head this server accepts."""


def parse_head(head: bytes) -> Request:
    """Parse a request line and header lines (without the blank line that ends them)."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1") or not parts[1].startswith("/"):
        raise BadRequest(f"not an HTTP/1.x request line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(f"not a header line: {line[:80]!r}")
        headers[name.lower()] = value.strip()
    if headers.get("transfer-encoding") or headers.get("content-length", "0") not in ("", "0"):
        raise BadRequest("authorize requests carry no body")
    return Request(parts[0], parts[1].split("?", 1)[0], parts[2], headers)


def render_response(status: int, headers: Mapping[str, str], *, keep_alive: bool) -> bytes:
    """An HTTP/1.1 response without a body."""
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if status != 204:
        lines.append("Content-Length: 0")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class AuthorizeProtocol(asyncio.Protocol):
    """One connection from nginx: request heads in, bodiless answers out, in order.

    The common answer (a remembered token, a hit spent from this process's lease) is written from
    `data_received` itself; one that needs a thread (a signature check, a database claim) holds back the
    requests behind it on this connection until it is written.
    """

    def __init__(self, server: AuthorizerServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.backlog: deque[Request] = deque()
        self.waiting = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(self.buffer[:end])
            del self.buffer[: end + 4]
            try:
                self.backlog.append(parse_head(head))
            except BadRequest:
                return self._fail(400)
        if len(self.buffer) > MAX_HEAD_BYTES:
            return self._fail(431)
        self._drain()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.backlog.clear()

    def _drain(self) -> None:
        while self.backlog and not self.waiting and self.transport is not None:
            request = self.backlog.popleft()
            answer = self.server.answer_now(request)
            if answer is None:
                self.waiting = True
                task = asyncio.get_running_loop().create_task(self.server.answer_later(request))
                task.add_done_callback(functools.partial(self._answered, request))
                return
            self._write(request, answer)

    def _answered(self, request: Request, done: asyncio.Task[tuple[int, Headers]]) -> None:
        self.waiting = False
        self._write(request, done.result())  # answer_later never raises
        self._drain()

    def _write(self, request: Request, answer: tuple[int, Headers]) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        status, headers = answer
        self.transport.write(render_response(status, headers, keep_alive=request.keeps_alive))
        if not request.keeps_alive:
            self._close()

    def _fail(self, status: int) -> None:
        if self.transport is not None and not self.waiting:
            self.transport.write(render_response(status, {}, keep_alive=False))
        self._close()

    def _close(self) -> None:
        self.buffer.clear()
        self.backlog.clear()
        if self.transport is not None:
            self.transport.close()
            self.transport = None


class AuthorizerServer:
    """Routes the three paths; an answer is never an exception (a failure becomes a refusal)."""

    def __init__(self, decider: Decider, ready: Callable[[], None]) -> None:
        self.decider = decider
        self.ready = ready

    def answer_now(self, request: Request) -> tuple[int, Headers] | None:
        """The answer when it needs no thread; None when `answer_later` must give it."""
        if request.method not in ("GET", "HEAD"):
            return 405, {"Allow": "GET, HEAD"}
        if request.path == "/healthz":
            return 200, {}
        if request.path == "/readyz":
            return None
        if request.path != AUTHORIZE_PATH:
            return 404, {}
        authorization, method, uri = _question(request)
        try:
            principal = self.decider.remembered(authorization)
            if principal is None or not self.decider.counts_locally(principal):
                return None
            return self.decider.answer(principal, method, uri, authorization)
        except Exception:
            log.exception("authorize request failed")
            return FAILED

    async def answer_later(self, request: Request) -> tuple[int, Headers]:
        """The answer, with the key work, database claim or readiness check in a thread."""
        if request.path == "/readyz":
            try:
                await asyncio.to_thread(self.ready)
            except Exception as error:  # any failure means not ready; the reason is logged
                log.warning("not ready: %s", error)
                return 503, {}
            return 200, {}
        try:
            return await asyncio.to_thread(self._authorize, *_question(request))
        except Exception:
            log.exception("authorize request failed")
            return FAILED

    def _authorize(self, authorization: str, method: str, uri: str) -> tuple[int, Headers]:
        principal = self.decider.principal(authorization)
        if principal is None:
            return 401, {}
        return self.decider.answer(principal, method, uri, authorization)


def _question(request: Request) -> tuple[str, str, str]:
    headers = request.headers
    return (
        headers.get("authorization", ""),
        headers.get("x-original-method", ""),
        headers.get("x-original-uri", ""),
    )


# auth_request understands 2xx, 401 and 403 only: a failure here is a 403 nginx hands to the gateway,
# which then answers the caller with the real problem (and logs it).
FAILED = (403, {REFUSED_HEADER: "500"})


def build_server(settings: GatewaySettings) -> tuple[AuthorizerServer, Database]:
    """The checks from the gateway's settings: key set from JWT_JWKS_URL, limits in the gateway's database."""
    database = Database(settings.database_url)
    parts = Gateway.build(settings)
    parts.limiter = RateLimiter(database.engine, window=settings.rate_limit_window)
    keys = KeySet(settings.jwks_url)
    verifier = TokenVerifier(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)

    def ready() -> None:
        keys.check()
        with database.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    return AuthorizerServer(Decider(parts, verifier), ready), database


async def listen(server: AuthorizerServer, host: str, port: int) -> asyncio.Server:
    """Accept connections on host:port (0: any free port) in the running loop."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: AuthorizeProtocol(server), host, port, reuse_address=True, backlog=1024
    )


async def serve(server: AuthorizerServer, host: str, port: int, started: Callable[[], None]) -> None:
    """Accept nginx's connections on host:port until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    listener = await listen(server, host, port)
    stopping = asyncio.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal_number, stopping.set)
    started()
    async with listener:
        await stopping.wait()
