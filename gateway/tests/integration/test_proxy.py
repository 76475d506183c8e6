"""The proxy against a real upstream process on a socket: headers, ids, problems, failures, timeouts."""

from __future__ import annotations

import http.server
import socket
import threading
import time
import typing

import pytest


def problem(response) -> dict:
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_forwards_method_path_query_body_and_the_allowed_headers(client, upstream, admin_headers):
    headers = admin_headers | {
        "Accept": "application/json",
        "Idempotency-Key": "k-1",
        "X-Request-ID": "req-fwd-1",
        "X-Forwarded-For": "203.0.113.9",
        "Cookie": "session=secret",
        "X-Custom": "dropped",
        "TE": "trailers",
    }
    response = client.post("/api/v1/accounts?limit=5&sort=-name", json={"name": "Acme"}, headers=headers)
    assert response.status_code == 201
    (seen,) = upstream.seen
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/api/v1/accounts", "limit=5&sort=-name")
    assert seen["body"] == '{"name": "Acme"}'
    sent = seen["headers"]
    assert sent["Authorization"] == admin_headers["Authorization"]
    assert sent["Content-Type"] == "application/json"
    assert sent["Accept"] == "application/json"
    assert sent["Idempotency-Key"] == "k-1"
    assert sent["X-Request-Id"] == "req-fwd-1"
    assert sent["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    assert sent["X-Forwarded-Proto"] == "http"
    assert not {"Cookie", "X-Custom", "Te"} & set(sent)


def test_forwards_conditional_headers_on_reads_and_writes(client, upstream, admin_headers):
    client.get("/api/v1/accounts/a1", headers=admin_headers | {"If-None-Match": '"3"'})
    client.patch("/api/v1/accounts", json={}, headers=admin_headers | {"If-Match": '"3"'})
    assert upstream.seen[0]["headers"]["If-None-Match"] == '"3"'
    assert upstream.seen[1]["headers"]["If-Match"] == '"3"'


def test_answers_with_the_upstream_status_headers_and_body(client, upstream, admin_headers):
    """Also the README example: curl -s localhost:8080/api/v1/accounts -H "Authorization: Bearer $TOKEN"."""
    listed = client.get("/api/v1/accounts", headers=admin_headers)
    assert listed.status_code == 200
    assert listed.get_json()["path"] == "/api/v1/accounts"
    response = client.post("/api/v1/accounts", json={}, headers=admin_headers)
    assert response.status_code == 201
    assert response.headers["ETag"] == '"3"'
    assert response.headers["Location"] == "/api/v1/accounts/a1"
    assert response.headers["X-Upstream"] == "customer"
    assert response.mimetype == "application/json"
    assert response.get_json()["path"] == "/api/v1/accounts"


def test_the_request_id_is_the_same_end_to_end(client, upstream, admin_headers):
    given = client.get("/api/v1/accounts", headers=admin_headers | {"X-Request-ID": "req-e2e-7"})
    made = client.get("/api/v1/accounts", headers=admin_headers)
    assert given.headers["X-Request-ID"] == upstream.seen[0]["headers"]["X-Request-Id"] == "req-e2e-7"
    assert made.headers["X-Request-ID"] == upstream.seen[1]["headers"]["X-Request-Id"]
    assert len(made.headers.getlist("X-Request-ID")) == 1


def test_passes_an_upstream_problem_through_intact(client, upstream, admin_headers):
    response = client.patch("/api/v1/accounts/problem", json={}, headers=admin_headers)
    assert response.status_code == 412
    assert response.headers["ETag"] == '"4"'
    body = problem(response)
    assert body["code"] == "stale_version"
    assert body["current_version"] == 4


def test_streams_a_large_body_unchanged(client, upstream, admin_headers):
    response = client.get("/api/v1/accounts/big", headers=admin_headers)
    assert response.status_code == 200
    assert response.data == b"0123456789" * 200_000
    assert response.headers["Content-Length"] == "2000000"


def test_checks_the_token_before_forwarding(client, upstream):
    response = client.get("/api/v1/accounts", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.invalid_token"
    assert upstream.seen == []


def test_uploads_larger_than_a_json_body_are_forwarded_up_to_the_limit(client, upstream, admin_headers):
    headers = admin_headers | {"Content-Type": "application/octet-stream"}
    body = b"x" * (5 * 1024 * 1024)  # over the kit's 2 MiB cap for the gateway's own JSON resources
    assert client.post("/api/v1/accounts/big-upload", data=body, headers=headers).status_code == 201
    assert len(upstream.seen[0]["body"]) == len(body)
    too_big = client.post("/api/v1/accounts/big-upload", data=body * 7, headers=headers)
    assert too_big.status_code == 413
    assert len(upstream.seen) == 1


def test_public_resources_are_forwarded_without_a_token(client, upstream):
    response = client.post(
        "/api/v1/web-leads", json={"email": "a@b.example"}, headers={"X-Api-Key": "form-key"}
    )
    assert response.status_code == 201
    (seen,) = upstream.seen
    assert seen["path"] == "/api/v1/web-leads"
    assert "Authorization" not in seen["headers"]
    assert seen["headers"]["X-Api-Key"] == "form-key"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/inbound-mail"),
        ("GET", "/api/v1/survey-responses/tok-1"),
        ("POST", "/api/v1/web-leads"),
    ],
)
def test_every_public_endpoint_is_forwarded_without_a_token(client, upstream, method, path):
    assert client.open(path, method=method, data=b"x").status_code in (200, 201)
    assert [seen["path"] for seen in upstream.seen] == [path]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/inbound-mail/mailboxes"),
        ("POST", "/api/v1/inbound-mail/mailboxes/m-1/secret"),
        ("GET", "/api/v1/survey-responses"),
        ("GET", "/api/v1/survey-responses/tok-1/extra"),
        ("POST", "/api/v1/web-leads/anything"),
    ],
)
def test_paths_below_a_public_endpoint_need_a_token(client, upstream, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.missing_token"
    assert upstream.seen == []


def test_mailbox_configuration_goes_through_the_role_table_and_the_audit_log(
    client, upstream, make_user, headers_for, admin_headers
):
    refused = client.post(
        "/api/v1/inbound-mail/mailboxes", json={}, headers=headers_for(make_user("marketing"))
    )
    assert refused.status_code == 403  # marketing only reads the service desk
    assert upstream.seen == []
    allowed = client.post(
        "/api/v1/inbound-mail/mailboxes", json={}, headers=headers_for(make_user("service_manager"))
    )
    assert allowed.status_code == 201
    assert upstream.seen[0]["headers"]["Authorization"].startswith("Bearer ")
    log = client.get("/api/v1/audit-log?status=403&limit=10", headers=admin_headers).get_json()["items"]
    assert [entry["path"] for entry in log] == ["/api/v1/inbound-mail/mailboxes"]


def test_a_public_resource_does_not_open_its_neighbours(client, upstream):
    response = client.post("/api/v1/leads", json={"email": "a@b.example"})
    assert response.status_code == 401
    assert upstream.seen == []


def test_an_unknown_resource_is_a_404_problem(client, admin_headers):
    response = client.get("/api/v1/widgets/1", headers=admin_headers)
    assert response.status_code == 404
    assert problem(response)["code"] == "gateway.route_not_found"


def test_a_service_that_is_down_answers_503_quickly(make_settings, start_app, admin_password):
    app = start_app(make_settings(CRM_SERVICE_URL_SALES=f"http://127.0.0.1:{free_port()}"))
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": admin_password}
    ).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for method in ("GET", "POST"):
        started = time.monotonic()
        response = client.open("/api/v1/leads", method=method, json={}, headers=headers)
        assert time.monotonic() - started < 0.5
        assert response.status_code == 503
        body = problem(response)
        assert (body["code"], body["service"]) == ("gateway.service_unavailable", "sales")
        assert "127.0.0.1" not in body["detail"]
        assert response.headers["Retry-After"] == "5"


def test_a_service_too_slow_answers_504(client, upstream, admin_headers):
    started = time.monotonic()
    response = client.get("/api/v1/accounts/slow", headers=admin_headers)
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert problem(response)["code"] == "gateway.upstream_timeout"
    assert 0.4 < elapsed < 2


class KeepAliveHandler(http.server.BaseHTTPRequestHandler):
    """An HTTP/1.1 service that keeps connections open (werkzeug's test server closes each one)."""

    protocol_version = "HTTP/1.1"
    ports: typing.ClassVar[list[int]] = []

    def do_GET(self) -> None:
        self.ports.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def keep_alive_service() -> typing.Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_keeps_the_connection_to_a_service_alive(make_settings, start_app, keep_alive_service, login, method):
    app = start_app(make_settings(CRM_SERVICE_URL_PROJECTS=keep_alive_service))
    headers = {"Authorization": f"Bearer {login()['access_token']}"}
    KeepAliveHandler.ports.clear()
    for _ in range(3):
        assert app.test_client().open("/api/v1/tasks", method=method, headers=headers).status_code == 200
    assert len(KeepAliveHandler.ports) == 3
    assert len(set(KeepAliveHandler.ports)) == 1


@pytest.fixture
def hang_up_service() -> typing.Iterator[tuple[str, list[int]]]:
    """A service that accepts each connection and closes it without a word; counts the connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            connection.recv(65536)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
    listener.close()
    thread.join(timeout=5)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_service_hanging_up_is_a_502_and_is_not_asked_twice(
    make_settings, start_app, login, hang_up_service, method
):
    url, accepted = hang_up_service
    app = start_app(make_settings(CRM_SERVICE_URL_SERVICE_DESK=url))
    headers = {"Authorization": f"Bearer {login()['access_token']}"}
    response = app.test_client().open("/api/v1/tickets", method=method, json={}, headers=headers)
    assert response.status_code == 502
    assert problem(response)["code"] == "gateway.bad_gateway"
    assert len(accepted) == 1


def test_head_requests_are_forwarded(client, upstream, admin_headers):
    response = client.head("/api/v1/accounts", headers=admin_headers)
    assert response.status_code == 200
    assert response.data == b""
    assert upstream.seen[0]["method"] == "HEAD"
