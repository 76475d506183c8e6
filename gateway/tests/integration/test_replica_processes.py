"""Two real gateway replicas (gunicorn, two workers each) on one PostgreSQL database.

A caller's rate limit and a user's lockout hold whichever process answers: the counters live in the
database. Ports 18570-18571 (the gateway's test range).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[3]
PORTS = (18570, 18571)
ADMIN_PASSWORD = "replica-admin-password"


def call(
    port: int, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, data=data, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), error.headers


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the gateway on {port} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            if call(port, "GET", "/readyz")[0] == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"the gateway on {port} did not become ready")


@pytest.fixture
def replicas(postgres_url: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CRM_", "DATABASE_URL", "JWT_"))
    }
    env |= {
        "DATABASE_URL": postgres_url,
        "CRM_DATA_DIR": str(tmp_path),
        "CRM_ADMIN_USERNAME": "admin",
        "CRM_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CRM_RATE_LIMIT_PER_USER": "20",
        "CRM_LOGIN_MAX_FAILURES": "3",
        "WEB_CONCURRENCY": "2",
        "BROKER_URL": "memory://",
    }
    subprocess.run([str(BIN / "crm-gateway"), "init"], env=env, check=True, capture_output=True)
    with contextlib.ExitStack() as stack:
        processes = []
        for port in PORTS:
            log = stack.enter_context((tmp_path / f"gateway-{port}.log").open("wb"))
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "gateway.wsgi:app"],
                env=env | {"PORT": str(port), "HOST": "127.0.0.1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, process)
            processes.append(process)
        for port, process in zip(PORTS, processes, strict=True):
            wait_ready(port, process)
        yield PORTS


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_rate_limit_and_lockout_hold_across_replica_processes(replicas):
    first, second = replicas
    status, body, _ = call(
        first, "POST", "/api/v1/auth/token", {"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    token = body["access_token"]

    # 20 requests per window, spread over two replicas and four worker processes: the 21st is refused.
    statuses = [call(replicas[index % 2], "GET", "/api/v1/roles", token=token)[0] for index in range(24)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429] * 4
    status, body, headers = call(second, "GET", "/api/v1/roles", token=token)
    assert (status, body["code"]) == (429, "access.rate_limited") and int(headers["Retry-After"]) >= 1

    # Failed sign-ins on either replica count toward one lockout.
    codes = [
        call(port, "POST", "/api/v1/auth/token", {"username": "admin", "password": "wrong password"})[1][
            "code"
        ]
        for port in (first, second, first)
    ]
    assert codes == ["auth.invalid_credentials", "auth.invalid_credentials", "auth.account_locked"]
    status, body, _ = call(
        second, "POST", "/api/v1/auth/token", {"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert (status, body["code"]) == (401, "auth.account_locked")
