"""Real-infrastructure fixtures: a fresh RabbitMQ vhost and a fresh PostgreSQL database per test.

`fresh_vhost` and `fresh_database` are the same as context managers, for fixtures of a wider scope (an
end-to-end module shares one platform) or for a test that needs more than one database.

The servers come from `deploy/scripts/testinfra.sh start`, which writes their addresses to
`var/testinfra/env`. Settings are read from the environment first (`make test` sources that file), then
from the file itself. When neither has them the fixture fails the test instead of skipping it, so a run
without the servers can never pass.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

ENV_FILE = Path("var/testinfra/env")
POLICIES_FILE = Path("deploy/rabbitmq/policies.json")
START_HINT = "start the test servers with `deploy/scripts/testinfra.sh start` (or run `make test`)"
POLICY_FIELDS = ("pattern", "apply-to", "priority", "definition")


def find_repo_root(start: Path | None = None) -> Path | None:
    """Return the nearest directory above `start` (or the cwd, then this file) holding a Makefile."""
    starts = [start] if start is not None else [Path.cwd(), Path(__file__).parent]
    for origin in starts:
        for candidate in [origin.resolve(), *origin.resolve().parents]:
            if (candidate / "Makefile").is_file() and (candidate / "deploy").is_dir():
                return candidate
    return None


def read_env_file(path: Path) -> dict[str, str]:
    """Parse the `export NAME=value` lines testinfra.sh writes."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if sep:
            values[name.strip()] = value.strip().strip("'\"")
    return values


def infra_setting(name: str) -> str:
    """Return setting `name` from the environment or var/testinfra/env; fail the test when absent."""
    if value := os.environ.get(name):
        return value
    root = find_repo_root()
    env_file = root / ENV_FILE if root is not None else None
    if env_file is not None and env_file.is_file() and (value := read_env_file(env_file).get(name)):
        return value
    pytest.fail(f"{name} is not set and not in {ENV_FILE}: {START_HINT}", pytrace=False)


def load_policies(path: Path | None = None) -> list[dict[str, Any]]:
    """Read the policy list from deploy/rabbitmq/policies.json; none when the file does not exist."""
    if path is None:
        root = find_repo_root()
        if root is None:
            return []
        path = root / POLICIES_FILE
    if not path.is_file():
        return []
    policies = json.loads(path.read_text())
    if not isinstance(policies, list) or not all(
        isinstance(p, dict) and {"name", "pattern", "definition"} <= p.keys() for p in policies
    ):
        raise ValueError(f"{path}: expected a JSON list of objects with name, pattern and definition")
    return policies


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


class RabbitApi:
    """A small client for the RabbitMQ management HTTP API, bound to one vhost."""

    def __init__(self, base_url: str, user: str, password: str, vhost: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.vhost = vhost
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request; return the decoded JSON answer (None when the body is empty)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=self._headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            exc.close()
            raise AssertionError(f"RabbitMQ API {method} {path}: {exc.code} {detail}") from None
        return json.loads(payload) if payload else None

    def queue(self, name: str) -> dict[str, Any]:
        """Return the queue as the API shows it (`messages`, `messages_ready`, `arguments`, ...)."""
        result: dict[str, Any] = self.request("GET", f"/queues/{_quote(self.vhost)}/{_quote(name)}")
        return result

    def queues(self) -> list[dict[str, Any]]:
        """Return every queue in the vhost."""
        result: list[dict[str, Any]] = self.request("GET", f"/queues/{_quote(self.vhost)}")
        return result

    def exchange(self, name: str) -> dict[str, Any]:
        """Return the exchange as the API shows it (`type`, `durable`, `arguments`, ...)."""
        result: dict[str, Any] = self.request("GET", f"/exchanges/{_quote(self.vhost)}/{_quote(name)}")
        return result

    def policies(self) -> list[dict[str, Any]]:
        """Return the policies set on the vhost."""
        result: list[dict[str, Any]] = self.request("GET", f"/policies/{_quote(self.vhost)}")
        return result

    def put_policy(self, policy: dict[str, Any]) -> None:
        """Set one policy given in the policies.json shape."""
        body = {key: policy[key] for key in POLICY_FIELDS if key in policy}
        self.request("PUT", f"/policies/{_quote(self.vhost)}/{_quote(policy['name'])}", body)

    def wait_for_queue(self, name: str, *, timeout: float = 15.0, **expected: Any) -> dict[str, Any]:
        """Poll until the queue shows every `expected` field, e.g. `messages=1` or `policy="x"`.

        The API fills counts and the applied policy from statistics, which lag by an interval.
        """
        deadline = time.monotonic() + timeout
        queue = self.queue(name)
        while not _matches(queue, expected) and time.monotonic() < deadline:
            time.sleep(0.2)
            queue = self.queue(name)
        shown = {key: queue.get(key) for key in expected}
        assert _matches(queue, expected), f"queue {name}: expected {expected}, API shows {shown}"
        return queue


def _matches(found: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(found.get(key) == value for key, value in expected.items())


@dataclass(frozen=True)
class RabbitVhost:
    """A throwaway vhost: `url` is the AMQP URL to connect to it, `api` inspects it."""

    name: str
    url: str
    api: RabbitApi


def vhost_amqp_url(server_url: str, vhost: str) -> str:
    """Return `server_url` pointed at `vhost` (URL-encoded as the AMQP URI spec requires)."""
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + _quote(vhost)))


@pytest.fixture
def rabbit_policies() -> list[dict[str, Any]]:
    """Policies every test vhost gets: deploy/rabbitmq/policies.json. Override to test other sets."""
    return load_policies()


@pytest.fixture
def rabbit_vhost(rabbit_policies: list[dict[str, Any]]) -> Iterator[RabbitVhost]:
    """Create a fresh vhost with our policies for one test; delete it afterwards."""
    with fresh_vhost(rabbit_policies) as vhost:
        yield vhost


@contextmanager
def fresh_vhost(policies: list[dict[str, Any]]) -> Iterator[RabbitVhost]:
    """Create a vhost with `policies` for the block; delete it afterwards (fail when unreachable)."""
    api_url = infra_setting("CRM_TEST_RABBIT_API")
    user = infra_setting("CRM_TEST_RABBIT_USER")
    password = infra_setting("CRM_TEST_RABBIT_PASSWORD")
    amqp_url = infra_setting("CRM_TEST_AMQP_URL")
    name = f"t-{uuid.uuid4().hex[:8]}"
    api = RabbitApi(api_url, user, password, name)
    try:
        api.request("PUT", f"/vhosts/{_quote(name)}", {})
    except urllib.error.URLError as exc:
        pytest.fail(
            f"RabbitMQ management API at {api_url} unreachable ({exc.reason}): {START_HINT}", pytrace=False
        )
    try:
        perms = {"configure": ".*", "write": ".*", "read": ".*"}
        api.request("PUT", f"/permissions/{_quote(name)}/{_quote(user)}", perms)
        for policy in policies:
            api.put_policy(policy)
        yield RabbitVhost(name=name, url=vhost_amqp_url(amqp_url, name), api=api)
    finally:
        api.request("DELETE", f"/vhosts/{_quote(name)}")


def _connect_maintenance_db(server: URL) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        user=server.username or "postgres",
        password=server.password,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """Create a fresh database for one test; yield its SQLAlchemy URL; drop it afterwards."""
    with fresh_database() as url:
        yield url


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create a database for the block; yield its SQLAlchemy URL; drop it afterwards."""
    server = make_url(infra_setting("CRM_TEST_PG_URL"))
    name = f"t_{uuid.uuid4().hex[:8]}"
    try:
        with _connect_maintenance_db(server) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {server.host}:{server.port} unreachable ({exc}): {START_HINT}", pytrace=False
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with _connect_maintenance_db(server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
