"""`make up` puts the nginx edge in front of the gateway (ADR 0005): the same API, served by nginx."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_the_public_port_is_nginx_and_the_api_behaves_the_same(embedded_stack) -> None:
    platform = embedded_stack.platform
    assert platform.edge, "nginx is installed by deploy/scripts/testinfra.sh, so `make up` starts the edge"
    assert platform.process("edge").alive()
    token = embedded_stack.admin().token
    request = urllib.request.Request(
        f"{platform.gateway_url}/api/v1/accounts",
        data=json.dumps({"name": "Edge Works Ltd"}).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Request-ID": "edge-e2e",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        assert response.headers["Server"] == "nginx"
        assert response.headers["X-Request-ID"] == "edge-e2e"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{platform.gateway_url}/api/v1/accounts", timeout=10)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["code"] == "auth.missing_token"


def test_bearer_tokens_are_checked_by_the_authorizer_not_the_gateway(embedded_stack) -> None:
    """The edge asks `crm-gateway edge authorizer` about a bearer token: the gateway never sees the request."""
    platform = embedded_stack.platform
    authorizer = platform.process("edge-authorizer")
    assert authorizer.alive() and authorizer.port == platform.ports["edge-authorizer"]
    with urllib.request.urlopen(f"{platform.url('edge-authorizer')}/readyz", timeout=10) as response:
        assert response.status == 200
    request_id = f"edge-authorizer-{uuid.uuid4().hex[:12]}"
    reply = embedded_stack.admin().post(
        "/accounts", {"name": "Sidecar Checked Ltd"}, headers={"X-Request-ID": request_id}
    )

    assert reply.status == 201, reply
    served = _wait_for_line(platform.log_dir / "customer.log", request_id)
    assert '"path": "/api/v1/accounts"' in served
    gateway_lines = [line for line in _lines(platform.log_dir / "gateway.log") if request_id in line]
    assert gateway_lines == [], "the authorize sub-request went to the gateway, not to the authorizer"


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []


def _wait_for_line(path: Path, text: str, timeout: float = 10.0) -> str:
    """Return the first line of `path` that holds `text` (access logs are written just after the answer)."""
    deadline = time.monotonic() + timeout
    while not (found := [line for line in _lines(path) if text in line]):
        assert time.monotonic() < deadline, f"{path.name} has no line with {text!r}"
        time.sleep(0.1)
    return found[0]
