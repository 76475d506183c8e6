"""`make up` puts the nginx edge in front of the gateway (ADR 0005): the same API, served by nginx."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

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
