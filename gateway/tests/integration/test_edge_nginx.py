"""The nginx edge for real: generated configuration, nginx in front of the gateway and a fake service."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request

from gateway.edge.nginx import EdgeOptions, render
from gateway.routes import RouteTable

pytestmark = pytest.mark.e2e
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """A service behind the edge: records what reached it; answers quotes with commercial terms."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.app = Flask("service")
        self.app.add_url_rule("/api/v1/quotes/<quote_id>", view_func=self.quote)
        self.app.add_url_rule("/api/v1/<path:rest>", view_func=self.echo, methods=["GET", "POST"])

    def _record(self) -> None:
        self.seen.append(
            {"path": request.path, "headers": dict(request.headers), "body": request.get_data(as_text=True)}
        )

    def echo(self, rest: str) -> Response:
        self._record()
        response = jsonify(path=request.path)
        response.status_code = 201 if request.method == "POST" else 200
        response.headers["X-Request-ID"] = request.headers.get("X-Request-ID", "")
        return response

    def quote(self, quote_id: str) -> Response:
        self._record()
        return jsonify(id=quote_id, total="90.00", lines=[{"sku": "A", "discount_percent": "10.00"}])


@pytest.fixture
def service(serve_wsgi) -> Service:
    fake = Service()
    fake.base_url = serve_wsgi(fake.app)  # type: ignore[attr-defined]
    return fake


@pytest.fixture(params=["authorizer", "gateway"], ids=["bearer-at-authorizer", "bearer-at-gateway"])
def edge(
    request, tmp_path: Path, make_settings, start_app, serve_wsgi, serve_authorizer, service: Service
) -> Iterator[str]:
    """nginx in front of the gateway; bearer tokens checked by the authorizer sidecar, or by the gateway."""
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens: the projects service is "down"
    urls = {"customer": service.base_url, "sales": service.base_url, "service-desk": down, "projects": down}
    settings = make_settings(
        **{f"CRM_SERVICE_URL_{name.upper().replace('-', '_')}": url for name, url in urls.items()}
    )
    gateway_url = serve_wsgi(start_app(settings))
    authorizer_url = serve_authorizer(settings) if request.param == "authorizer" else None
    port, prefix = free_port(), tmp_path / "nginx"
    for folder in ("client-body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True)
    options = EdgeOptions(
        listen=f"127.0.0.1:{port}", gateway_url=gateway_url, service_urls=urls, prefix=str(prefix),
        authorizer_url=authorizer_url, worker_processes="1", run_as_root_user="root" if _root() else None,
    )  # fmt: skip
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(RouteTable(urls), options))
    log = tmp_path / "nginx.log"
    with log.open("wb") as errors:
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stderr=errors)
    try:
        _wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def _root() -> bool:
    return os.geteuid() == 0


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("nginx did not listen in time")


def call(
    url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    outgoing = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        outgoing.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(outgoing, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def test_an_allowed_request_goes_through_to_the_service(edge, service, admin_headers) -> None:
    status, headers, body = call(
        f"{edge}/api/v1/accounts", "POST", {"name": "Acme"}, admin_headers | {"X-Request-ID": "edge-req-1"}
    )
    assert (status, body) == (201, {"path": "/api/v1/accounts"})
    assert headers["X-Request-ID"] == "edge-req-1"
    (seen,) = service.seen
    assert seen["headers"]["Authorization"] == admin_headers["Authorization"]
    assert seen["headers"]["X-Request-Id"] == "edge-req-1"
    assert json.loads(seen["body"]) == {"name": "Acme"}


def test_a_bad_token_gets_the_gateways_problem_and_never_reaches_the_service(edge, service) -> None:
    status, headers, body = call(f"{edge}/api/v1/accounts", headers={"Authorization": "Bearer nope"})
    assert status == 401
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["code"] == "auth.invalid_token"
    assert service.seen == []


def test_a_role_the_table_refuses_gets_403_from_the_gateway(edge, service, make_user, headers_for) -> None:
    status, _, body = call(f"{edge}/api/v1/projects", headers=headers_for(make_user("marketing")))
    assert status == 403
    assert body["status"] == 403
    assert service.seen == []


def test_masked_answers_go_through_the_gateway(edge, service, make_user, headers_for) -> None:
    status, _, body = call(f"{edge}/api/v1/quotes/q-1", headers=headers_for(make_user("service_agent")))
    assert status == 200
    assert body == {"id": "q-1", "total": "90.00", "lines": [{"sku": "A"}]}
    status, _, body = call(f"{edge}/api/v1/quotes/q-1", headers=headers_for(make_user("sales_rep")))
    assert body["lines"] == [{"sku": "A", "discount_percent": "10.00"}]


def test_public_resources_need_no_token(edge, service) -> None:
    status, _, _ = call(f"{edge}/api/v1/web-leads", "POST", {"email": "a@b.example"})
    assert status == 201
    assert "Authorization" not in service.seen[0]["headers"]


def test_a_service_that_is_down_answers_the_gateways_503(edge, admin_headers) -> None:
    status, headers, body = call(f"{edge}/api/v1/projects", headers=admin_headers)
    assert status == 503
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["status"] == 503


def test_the_gateways_own_resources_are_served_by_the_gateway(edge) -> None:
    status, _, body = call(f"{edge}/api/v1/auth/jwks.json")
    assert status == 200
    assert body["keys"]


def test_an_api_key_is_exchanged_by_the_gateway_and_reaches_the_service_as_a_token(
    edge, service, admin_headers
) -> None:
    body = {"name": "erp", "resources": ["accounts"], "event_types": ["customer.*"]}
    status, _, created = call(f"{edge}/api/v1/api-keys", "POST", body, admin_headers)
    assert status == 201, created
    key = {"Authorization": f"ApiKey {created['key']}"}
    status, _, _ = call(f"{edge}/api/v1/accounts", headers=key)
    assert status == 200
    assert service.seen[-1]["headers"]["Authorization"].startswith("Bearer ")
    status, _, _ = call(f"{edge}/api/v1/leads", headers=key)
    assert status == 403  # not in its scopes


def test_below_a_public_endpoint_a_token_is_needed(edge, service) -> None:
    status, _, body = call(f"{edge}/api/v1/inbound-mail/mailboxes")
    assert status == 401
    assert body["code"] == "auth.missing_token"
    status, _, _ = call(f"{edge}/api/v1/web-leads/extra", "POST", {"email": "a@b.example"})
    assert status == 401
    assert service.seen == []
