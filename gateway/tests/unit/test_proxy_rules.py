"""What the proxy forwards and sends back, on real urllib3 responses built in memory."""

from __future__ import annotations

import io

import pytest
from flask import Flask, request
from urllib3 import HTTPResponse

from gateway.proxy import Proxy, UpstreamRequest, _response
from gateway.routes import Route

ROUTE = Route("accounts", "customer", "http://customer")


def upstream(body: bytes, headers: dict[str, str], status: int = 200) -> HTTPResponse:
    return HTTPResponse(body=io.BytesIO(body), headers=headers, status=status, preload_content=False)


def test_only_get_and_head_are_retried_and_only_on_connection_errors():
    proxy = Proxy(connect_timeout=1, read_timeout=1, pool_size=1)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert proxy.retries_for(method) is False
    for method in ("GET", "HEAD"):
        retry = proxy.retries_for(method)
        assert (retry.total, retry.connect, retry.read, retry.status) == (1, 1, 0, 0)
    proxy.close()


def test_hop_by_hop_headers_and_those_named_by_connection_stay_behind():
    response = _response(
        ROUTE,
        upstream(
            b"{}",
            {
                "Content-Type": "application/json",
                "Content-Length": "2",
                "Connection": "keep-alive, X-Internal",
                "Keep-Alive": "timeout=5",
                "X-Internal": "secret",
                "Transfer-Encoding": "identity",
                "ETag": '"2"',
                "Server": "gunicorn",
                "X-Request-ID": "from-upstream",
            },
        ),
    )
    assert dict(response.headers) == {
        "Content-Type": "application/json",
        "Content-Length": "2",
        "ETag": '"2"',
    }
    assert response.get_data() == b"{}"


def test_an_answer_without_a_content_type_gets_none_added():
    response = _response(ROUTE, upstream(b"", {"Content-Length": "0"}, status=204))
    assert "Content-Type" not in response.headers
    assert response.status_code == 204


def test_a_body_of_unknown_length_is_streamed():
    response = _response(ROUTE, upstream(b"x" * 300_000, {"Content-Type": "text/plain"}))
    assert response.is_streamed
    assert b"".join(response.response) == b"x" * 300_000


@pytest.mark.parametrize(("path", "query", "target"), [
    ("/api/v1/accounts/a b", "", "/api/v1/accounts/a%20b"),
    ("/api/v1/accounts", "name=%C3%A9&limit=2", "/api/v1/accounts?name=%C3%A9&limit=2"),
])  # fmt: skip
def test_the_target_is_the_routed_path_reencoded_with_the_raw_query(path, query, target):
    app = Flask("t")
    with app.test_request_context(path, query_string=query, headers={"Cookie": "a=b", "Accept": "text/csv"}):
        outgoing = UpstreamRequest.from_request(request, "req-1")
    assert outgoing.target == target
    assert outgoing.headers["Accept"] == "text/csv"
    assert "Cookie" not in outgoing.headers
    assert outgoing.headers["X-Request-ID"] == "req-1"
    assert outgoing.body is None
