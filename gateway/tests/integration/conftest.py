"""A real upstream service on a socket, and the gateway pointed at it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request

from crmkit.auth import KeySet, TokenVerifier
from crmkit.errors import PROBLEM_CONTENT_TYPE

READ_TIMEOUT = 0.5


class Upstream:
    """A tiny customer service: echoes what it received, fails on purpose, and verifies tokens like services do."""

    def __init__(self, jwks_url: str) -> None:
        self.seen: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.verifier = TokenVerifier(KeySet(jwks_url), issuer="crm-gateway", audience="crm")
        self.app = Flask("upstream")
        self.app.add_url_rule(
            "/api/v1/<resource>", view_func=self.echo, methods=["GET", "POST", "PATCH", "DELETE"]
        )
        self.app.add_url_rule("/api/v1/accounts/problem", view_func=self.problem, methods=["PATCH"])
        self.app.add_url_rule("/api/v1/accounts/slow", view_func=self.slow)
        self.app.add_url_rule("/api/v1/accounts/big", view_func=self.big)
        self.app.add_url_rule("/api/v1/accounts/whoami", view_func=self.whoami)
        self.app.add_url_rule("/api/v1/accounts/<path:rest>", view_func=self.echo, methods=["GET", "POST"])
        self.app.add_url_rule("/api/v1/<resource>/<path:rest>", view_func=self.echo, methods=["GET", "POST"])

    def echo(self, **_path: str) -> Response:
        record = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "headers": dict(request.headers),
            "body": request.get_data(as_text=True),
            "client_port": request.environ.get("REMOTE_PORT"),
        }
        self.seen.append(record)
        status = 201 if request.method == "POST" else 200
        response = jsonify(record)
        response.status_code = status
        response.headers["ETag"] = '"3"'
        response.headers["Location"] = "/api/v1/accounts/a1"
        response.headers["X-Upstream"] = "customer"
        return response

    def problem(self) -> Response:
        body = {"type": "https://crm.example.org/problems/stale_version", "title": "Precondition Failed",
                "status": 412, "code": "stale_version", "detail": "changed", "current_version": 4}  # fmt: skip
        return Response(json.dumps(body), status=412, mimetype=PROBLEM_CONTENT_TYPE, headers={"ETag": '"4"'})

    def slow(self) -> Response:
        self.release.wait(timeout=5)
        return jsonify(late=True)

    def big(self) -> Response:
        return Response(b"0123456789" * 200_000, mimetype="application/octet-stream")

    def whoami(self) -> Response:
        header = request.headers.get("Authorization", "")
        principal = self.verifier.verify(header.removeprefix("Bearer "))
        return jsonify(sub=principal.subject, username=principal.username, roles=sorted(principal.roles))


@pytest.fixture
def upstream(serve_wsgi, tmp_path) -> Iterator[Upstream]:
    """The upstream reads the gateway's key set file, as local services do (JWT_JWKS_URL=file://...)."""
    service = Upstream((tmp_path / "keys" / "jwks.json").as_uri())
    service.base_url = serve_wsgi(service.app)  # type: ignore[attr-defined]
    yield service
    service.release.set()


@pytest.fixture
def env(env: dict[str, str], request: pytest.FixtureRequest) -> dict[str, str]:
    """The gateway's environment: customer, sales and service desk at the test upstream; a short read timeout."""
    changes = {"CRM_UPSTREAM_READ_TIMEOUT": str(READ_TIMEOUT)}
    if "upstream" in request.fixturenames:
        base_url = request.getfixturevalue("upstream").base_url
        for service in ("CUSTOMER", "SALES", "SERVICE_DESK"):
            changes[f"CRM_SERVICE_URL_{service}"] = base_url
    return env | changes
