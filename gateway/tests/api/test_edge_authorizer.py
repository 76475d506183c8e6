"""The edge's authorizer sidecar over real sockets: the same answers as the gateway, HTTP as nginx speaks it."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlsplit

import pytest

AUTHORIZE = "/api/v1/auth/authorize"


def connect(url: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(urlsplit(url).netloc, timeout=5)


def ask(
    url: str, headers: dict[str, str], method: str, uri: str, path: str = AUTHORIZE
) -> http.client.HTTPResponse:
    connection = connect(url)
    connection.request("GET", path, headers={**headers, "X-Original-Method": method, "X-Original-URI": uri})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def raw(url: str, data: bytes) -> bytes:
    """Send `data` as is; everything the server writes until it closes (or 2 s of silence)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=2) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


@pytest.fixture
def authorizer(serve_authorizer, settings, app) -> str:
    return serve_authorizer(settings)


def test_an_allowed_request_goes_straight_to_the_service_with_its_token(
    authorizer, make_user, headers_for
) -> None:
    headers = headers_for(make_user("sales_rep"))
    response = ask(authorizer, headers, "POST", "/api/v1/accounts?limit=5")
    assert response.status == 204
    assert response.getheader("X-Crm-Route") == "service"
    assert response.getheader("X-Crm-Authorization") == headers["Authorization"]
    assert response.getheader("Content-Length") is None  # a 204 carries none


def test_an_answer_that_must_be_masked_goes_through_the_gateway(authorizer, make_user, headers_for) -> None:
    agent = ask(authorizer, headers_for(make_user("service_agent")), "GET", "/api/v1/quotes/q-1")
    assert (agent.status, agent.getheader("X-Crm-Route")) == (204, "gateway")
    rep = ask(authorizer, headers_for(make_user("sales_rep")), "GET", "/api/v1/quotes/q-1")
    assert rep.getheader("X-Crm-Route") == "service"


@pytest.mark.parametrize(
    ("role", "method", "uri"),
    [
        ("marketing", "GET", "/api/v1/projects"),
        ("service_agent", "POST", "/api/v1/opportunities"),
        ("sales_rep", "GET", "/api/v1/no-such-resource"),
        ("sales_rep", "", "/api/v1/accounts"),
    ],
)
def test_a_request_the_role_table_refuses_is_403(
    authorizer, make_user, headers_for, role, method, uri
) -> None:
    assert ask(authorizer, headers_for(make_user(role)), method, uri).status == 403


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nope", "Bearer ", "Basic YWRtaW46YWRtaW4=", "ApiKey crm_abc"]
)
def test_anything_but_a_valid_bearer_token_is_401(authorizer, authorization) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    assert ask(authorizer, headers, "GET", "/api/v1/accounts").status == 401


def test_the_rate_limit_holds_across_the_authorizer_and_the_gateway(
    serve_authorizer, make_settings, start_app, make_user, headers_for
) -> None:
    settings = make_settings(CRM_RATE_LIMIT_PER_USER="3")
    app = start_app(settings)
    url = serve_authorizer(settings)
    headers = headers_for(make_user("sales_rep"))
    question = {**headers, "X-Original-Method": "GET", "X-Original-URI": "/api/v1/accounts"}
    assert [ask(url, headers, "GET", "/api/v1/accounts").status for _ in range(2)] == [204, 204]
    assert app.test_client().get(AUTHORIZE, headers=question).status_code == 204  # the third, at the gateway
    refused = ask(url, headers, "GET", "/api/v1/accounts")
    assert refused.status == 403
    assert refused.getheader("X-Crm-Refused-With") == "429"


def test_answers_the_gateways_fast_path_gives(authorizer, client, make_user, headers_for) -> None:
    cases = [
        (headers_for(make_user("service_agent")), "GET", "/api/v1/quotes/q-1"),
        (headers_for(make_user("sales_rep")), "POST", "/api/v1/accounts"),
        (headers_for(make_user("marketing")), "GET", "/api/v1/projects"),
        (headers_for(make_user("management")), "DELETE", "/api/v1/tickets/t-1"),
        ({"Authorization": "Bearer nope"}, "GET", "/api/v1/accounts"),
    ]
    by_authorizer = [ask(authorizer, *case) for case in cases]
    by_gateway = [
        client.get(AUTHORIZE, headers={**headers, "X-Original-Method": method, "X-Original-URI": uri})
        for headers, method, uri in cases
    ]
    assert [(a.status, a.getheader("X-Crm-Route")) for a in by_authorizer] == [
        (a.status_code, a.headers.get("X-Crm-Route")) for a in by_gateway
    ]


def test_one_kept_alive_connection_answers_many_questions(authorizer, make_user, headers_for) -> None:
    headers = headers_for(make_user("sales_rep"))
    connection = connect(authorizer)
    statuses = []
    for uri in ("/api/v1/accounts", "/api/v1/projects", "/api/v1/leads/l-1", "/api/v1/nowhere"):
        connection.request(
            "GET", AUTHORIZE, headers={**headers, "X-Original-Method": "GET", "X-Original-URI": uri}
        )
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    assert statuses == [204, 204, 204, 403]


def test_pipelined_questions_are_answered_in_order(authorizer, make_user, headers_for) -> None:
    token = headers_for(make_user("marketing"))["Authorization"]
    heads = b"".join(
        f"GET {AUTHORIZE} HTTP/1.1\r\nHost: edge\r\nAuthorization: {token}\r\n"
        f"X-Original-Method: GET\r\nX-Original-URI: {uri}\r\n{extra}\r\n".encode()
        for uri, extra in (
            ("/api/v1/projects", ""),
            ("/api/v1/leads", ""),
            ("/api/v1/x", "Connection: close\r\n"),
        )
    )
    answers = raw(authorizer, heads)
    assert [line.split(b" ")[1] for line in answers.split(b"\r\n") if line.startswith(b"HTTP/1.1")] == [
        b"403",
        b"204",
        b"403",
    ]
    assert b"Connection: close" in answers


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET /healthz HTTP/2.0\r\n\r\n", b"400"),
        (b"GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n", b"400"),
        (b"GET /api/v1/auth/authorize HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", b"400"),
        (b"GET /api/v1/auth/authorize HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", b"400"),
        (b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20_000, b"431"),
    ],
)
def test_what_nginx_would_never_send_is_refused_and_the_connection_closed(
    authorizer, request_bytes, status
) -> None:
    answer = raw(authorizer, request_bytes)
    assert answer.startswith(b"HTTP/1.1 " + status)
    assert b"Connection: close" in answer


def test_health_readiness_and_other_paths(authorizer) -> None:
    connection = connect(authorizer)
    statuses = {}
    for method, path in (
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/api/v1/accounts"),
        ("POST", "/healthz"),
    ):
        connection.request(method, path, body=b"" if method == "POST" else None)
        response = connection.getresponse()
        response.read()
        statuses[(method, path)] = response.status
    connection.close()
    assert statuses == {
        ("GET", "/healthz"): 200,
        ("GET", "/readyz"): 200,
        ("GET", "/api/v1/accounts"): 404,
        ("POST", "/healthz"): 405,
    }


def test_it_is_not_ready_without_a_key_set(serve_authorizer, make_settings, tmp_path) -> None:
    settings = make_settings(JWT_JWKS_URL=(tmp_path / "missing" / "jwks.json").as_uri())
    url = serve_authorizer(settings)
    assert ask(url, {}, "GET", "/", path="/readyz").status == 503
    assert ask(url, {}, "GET", "/", path="/healthz").status == 200


def test_a_http_1_0_caller_gets_one_answer_and_a_closed_connection(authorizer) -> None:
    answer = raw(authorizer, b"GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200") == 1
