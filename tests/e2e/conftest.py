"""End-to-end fixtures: the real platform processes, started exactly as `make up` starts them.

Two stacks, each started once per session, when a test first asks for it:

- `embedded_stack`: `make up` on a fresh machine: a SQLite file per service and the filesystem broker under
  a temporary CRM_DATA_DIR; the bus is watched with the user's own command, `crm-events tail`.
- `rabbitmq_stack`: the production shape: a fresh RabbitMQ vhost with our policies and a fresh PostgreSQL
  database per component, set up by `crm-gateway init` and `crm-customer migrate`; the bus is watched
  through a queue of the test's own, bound to crm.events, which sees every message whole.

Both run on free ports with a generated admin password. A failing test's report ends with the last lines
of every platform log. Tests run in pytest's importlib mode, so helpers live here and reach tests as
fixtures.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from email.message import Message as Headers
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import pytest
from kombu.connection import Connection
from kombu.entity import Queue
from kombu.message import Message
from kombu.messaging import Consumer

from crmkit.events.envelope import type_for
from crmkit.events.outbox import VALIDATE_ENV
from crmkit.events.topology import events_exchange
from crmkit.testing.infra import fresh_database, fresh_vhost, load_policies
from crmkit.testing.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EVENT_TIMEOUT = 20.0
HTTP_TIMEOUT = 20.0
START_TIMEOUT = 90.0
# Settings a developer's shell may hold; each stack sets its own (the embedded one: none of them).
PLATFORM_VARIABLES = ("CRM_", "BROKER_", "DATABASE_URL", "JWT_")


def _load_run_local() -> ModuleType:
    """deploy/scripts/run_local.py (a script folder, not a package) as a module."""
    return load_script(ROOT / "deploy" / "scripts" / "run_local.py", "crm_run_local")


run_local = _load_run_local()
_log_dirs: dict[str, Path] = {}  # running stacks' log folders, shown when a test fails


# --- HTTP through the gateway -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, headers (looked up case-insensitively) and the decoded JSON body."""

    status: int
    headers: Headers
    body: Any

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")


class Gateway:
    """A client of the platform's one public entry: JSON in and out, a bearer token once signed in."""

    def __init__(self, base_url: str) -> None:
        self.api = f"{base_url}/api/v1"
        self.token: str | None = None

    def sign_in(self, username: str, password: str) -> Reply:
        credentials = {"username": username, "password": password}
        reply = self.request("POST", "/auth/token", credentials, signed_in=False)
        assert reply.status == 200, reply
        self.token = reply.body["access_token"]
        return reply

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        signed_in: bool = True,
    ) -> Reply:
        """Send one request (bytes go as they are, anything else as JSON) and return the answer."""
        sent = {"Accept": "application/json", **(headers or {})}
        if signed_in:
            assert self.token is not None, "sign in first"
            sent["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.api + path, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return Reply(response.status, response.headers, _decode(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.headers, _decode(error.read()))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, body, **kwargs)


def _decode(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


# --- Watching the bus ---------------------------------------------------------------------------------


class EventWatch:
    """The events an observer of crm.events received, in arrival order; `wait_for` reads on until one matches.

    Each event is a dict with at least `type` (`crm.<routing key>`), `subject` and `data`.
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        """Return the next event, or None when none arrived within `timeout` seconds."""
        raise NotImplementedError

    def about(self, routing_key: str, subject: str) -> list[dict[str, Any]]:
        """Return the events received so far of that type about that subject."""
        wanted = type_for(routing_key)
        return [event for event in self.events if (event["type"], event["subject"]) == (wanted, subject)]

    def wait_for(self, routing_key: str, subject: str, *, timeout: float = EVENT_TIMEOUT) -> dict[str, Any]:
        """Return the first `routing_key` event about `subject`, reading on until it arrives; fail at the deadline."""
        deadline = time.monotonic() + timeout
        while not (found := self.about(routing_key, subject)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no {routing_key} about {subject} within {timeout:.0f} s; received: {self.seen()}"
                )
            if (event := self._receive(remaining)) is not None:
                self.events.append(event)
        return found[0]

    def mark(self) -> int:
        """A position to compare with later: `seen(since=mark)` lists what arrived after it."""
        return len(self.events)

    def seen(self, since: int = 0) -> list[tuple[str, str]]:
        return [(event["type"], event["subject"]) for event in self.events[since:]]


class EventTail(EventWatch):
    """`crm-events tail --pattern PATTERN`, run as a user runs it; each line it prints is an event."""

    def __init__(self, env: Mapping[str, str], pattern: str, stderr_path: Path) -> None:
        super().__init__()
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        argv = [str(BIN / "crm-events"), "tail", "--pattern", pattern]
        self.process = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            self._lines.put(line)
        self._lines.put(None)  # the tail exited

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)
            raise AssertionError(f"crm-events tail exited ({self.process.wait()}): {self.stderr()}")
        event: dict[str, Any] = json.loads(line)
        return event

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop it as a user does, with Ctrl-C, so it removes its queue."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._stderr.close()


class BusQueue(EventWatch):
    """A queue of the test's own bound to crm.events: `events` are the bodies, `messages` the AMQP messages."""

    def __init__(self, broker_url: str, pattern: str) -> None:
        super().__init__()
        self.messages: dict[str, Message] = {}  # by event id
        self._arrived: list[Message] = []
        # No dot in the name: the vhost's consumer-queue policy (`<service>.<purpose>`) must not apply.
        name = f"e2e-watch-{uuid.uuid4().hex[:12]}"
        watch = Queue(name, events_exchange(), routing_key=pattern, durable=False, exclusive=True)
        self._connection = Connection(broker_url, connect_timeout=5)
        channel = self._connection.channel()
        self._consumer = Consumer(channel, [watch], on_message=self._arrived.append, no_ack=True)
        self._consumer.consume()  # declared and bound now: whatever is published from here on arrives

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        if not self._arrived:
            with contextlib.suppress(TimeoutError, socket.timeout):
                self._connection.drain_events(timeout=min(timeout, 1.0))
        if not self._arrived:
            return None
        message = self._arrived.pop(0)
        event: dict[str, Any] = json.loads(message.body)
        self.messages[event["id"]] = message
        return event

    def close(self) -> None:
        self._consumer.cancel()
        self._connection.release()


# --- The platform -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Stack:
    """A running platform: its processes, the admin's credentials, and ways in (gateway, CLI, bus)."""

    name: str
    platform: Any  # run_local.Platform
    broker_url: str | None = None  # None: the embedded filesystem broker

    def client(self) -> Gateway:
        """A new client of the gateway, not signed in."""
        return Gateway(self.platform.gateway_url)

    def admin(self) -> Gateway:
        """A new client of the gateway, signed in as the admin."""
        gateway = self.client()
        gateway.sign_in(self.platform.admin_username, self.platform.admin_password)
        return gateway

    def cli(self, component: str, *args: str) -> str:
        """Run `crm-<component> ARGS` with that component's settings; return what it printed."""
        argv = [str(BIN / f"crm-{component}"), *args]
        env = self.platform.env_for(component)
        result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{' '.join(argv[-len(args) - 1 :])}: {result.stderr}"
        return result.stdout

    @contextlib.contextmanager
    def watch(self, pattern: str = "customer.#") -> Iterator[EventWatch]:
        """Watch crm.events for `pattern` from now on: `crm-events tail` when embedded, else a queue of our own."""
        if self.broker_url is not None:
            bus = BusQueue(self.broker_url, pattern)
            try:
                yield bus
            finally:
                bus.close()
            return
        stderr_path = self.platform.log_dir / f"tail-{uuid.uuid4().hex[:8]}.err"
        others = _tail_queues(self.platform.data_dir)
        tail = EventTail(self.platform.env, pattern, stderr_path)
        try:
            self._wait_until_tail_listens(tail, others)
            yield tail
        finally:
            tail.stop()
        assert not _tail_queues(self.platform.data_dir) - others, "the tail left its queue behind on Ctrl-C"

    def _wait_until_tail_listens(self, tail: EventTail, others: set[str], timeout: float = 15.0) -> None:
        """Wait until the tail's queue is bound: the filesystem broker drops what it publishes before that."""
        deadline = time.monotonic() + timeout
        while not _tail_queues(self.platform.data_dir) - others:
            if tail.process.poll() is not None:
                raise AssertionError(f"crm-events tail exited ({tail.process.returncode}): {tail.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"crm-events tail not listening after {timeout:.0f} s: {tail.stderr()}")
            time.sleep(0.05)


def _tail_queues(data_dir: Path) -> set[str]:
    """Return the tail queues bound to crm.events on the filesystem broker (its binding table)."""
    table = data_dir / "broker" / "control" / "crm.events.exchange"
    try:
        rows = json.loads(table.read_text())
    except (FileNotFoundError, ValueError):  # not written yet, or caught mid-write
        return set()
    return {row[-1] for row in rows if str(row[-1]).startswith("crm-events.tail.")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _shell_env() -> dict[str, str]:
    """This process's environment without platform settings a developer's shell may hold."""
    return {key: value for key, value in os.environ.items() if not key.startswith(PLATFORM_VARIABLES)}


@contextlib.contextmanager
def running_platform(
    name: str, data_dir: Path, *, env: Mapping[str, str] | None = None, **options: Any
) -> Iterator[Any]:
    """Start every process as `make up` does (setup steps, gunicorn web processes, workers) on free ports,
    wait until each answers /readyz, yield the run_local.Platform; stop everything afterwards."""
    settings = _shell_env() | {
        "CRM_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        VALIDATE_ENV: "1",
        **(env or {}),
    }
    ports = {component.name: _free_port() for component in options.get("components", run_local.COMPONENTS)}
    ports["gateway-app"] = _free_port()  # the Python gateway, when the nginx edge serves the public port
    ports["edge-authorizer"] = _free_port()  # the edge's bearer-token checks (crm-gateway edge authorizer)
    with (data_dir / "console.log").open("w") as console:
        platform = run_local.Platform(
            data_dir=data_dir, ports=ports, env=settings, console=console, **options
        )
        _log_dirs[name] = platform.log_dir
        try:
            platform.start()
            platform.wait_ready(START_TIMEOUT)
        except run_local.StartupError as exc:
            platform.stop()
            pytest.fail(f"the {name} platform did not start: {exc}\n{exc.log_tail}", pytrace=False)
        except BaseException:
            platform.stop()
            raise
        try:
            yield platform
        finally:
            platform.stop()
            del _log_dirs[name]


@pytest.fixture(scope="session")
def embedded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The platform as `make up` runs it: SQLite files and the filesystem broker in a fresh CRM_DATA_DIR."""
    with running_platform("embedded", tmp_path_factory.mktemp("embedded")) as platform:
        yield Stack("embedded", platform)


@pytest.fixture(scope="session")
def rabbitmq_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The same processes on a fresh RabbitMQ vhost and a fresh PostgreSQL database per component."""
    # Production sets the gateway up with `crm-gateway init` (migrations, signing key, first admin).
    components = tuple(
        dataclasses.replace(c, setup=(("crm-gateway", "init"),)) if c.name == "gateway" else c
        for c in run_local.COMPONENTS
    )
    with contextlib.ExitStack() as resources:
        vhost = resources.enter_context(fresh_vhost(load_policies()))
        databases = {c.name: {"DATABASE_URL": resources.enter_context(fresh_database())} for c in components}
        platform = resources.enter_context(
            running_platform(
                "rabbitmq",
                tmp_path_factory.mktemp("rabbitmq"),
                env={"BROKER_URL": vhost.url},
                components=components,
                component_env=databases,
            )
        )
        yield Stack("rabbitmq", platform, broker_url=vhost.url)


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Stack:
    """The stack the test is parametrized with: "embedded" or "rabbitmq"."""
    stack: Stack = request.getfixturevalue(f"{request.param}_stack")
    return stack


@pytest.fixture
def random_ref() -> Callable[[str], str]:
    """Make a value nobody else uses, e.g. random_ref("acme") -> "acme-5f0c9a7e21"."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- Logs of a failed test ----------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the last lines of every running platform's logs to a failed test's report."""
    report = yield
    if report.failed and _log_dirs:
        report.sections.append(("platform logs (last 30 lines each)", _log_tails(30)))
    return report


def _log_tails(lines: int) -> str:
    parts = []
    for name, log_dir in _log_dirs.items():
        for path in sorted([*log_dir.glob("*.log"), *log_dir.glob("*.err")]):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"----- {name}: {path.name} -----\n" + "\n".join(text))
    return "\n".join(parts)
