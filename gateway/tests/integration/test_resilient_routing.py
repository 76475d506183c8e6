"""Resilient routing against real sockets: a service that is down or failing gets its circuit opened and
its routes answer 503 at once, while every other service's routes keep working; it closes again once the
service answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask, Response, jsonify
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Switchable:
    """A projects service on a fixed port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls = 0
        self.failing = False
        self.app = Flask("projects")
        self.app.add_url_rule("/api/v1/<resource>", view_func=self.answer)
        self._server = None
        self._thread: threading.Thread | None = None

    def answer(self, resource: str) -> Response:
        self.calls += 1
        if self.failing:
            return Response('{"code": "unavailable"}', status=503, mimetype="application/problem+json")
        return jsonify(items=[], next_cursor=None)

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def projects() -> Iterator[Switchable]:
    service = Switchable()
    yield service
    service.stop()


@pytest.fixture
def env(env: dict[str, str], projects: Switchable) -> dict[str, str]:
    return env | {"CRM_SERVICE_URL_PROJECTS": projects.url}


@pytest.fixture(autouse=True)
def breaker_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_BREAKER_FAILURES", "3")
    monkeypatch.setenv("CRM_BREAKER_OPEN_SECONDS", "0.5")


def test_a_down_service_answers_503_quickly_and_the_other_routes_keep_working(
    client, upstream, projects, admin_headers
):
    for _ in range(3):  # connection refused: 503 service_unavailable, counted by the breaker
        response = client.get("/api/v1/projects", headers=admin_headers)
        assert (response.status_code, response.get_json()["code"]) == (503, "gateway.service_unavailable")
    started = time.monotonic()
    for _ in range(20):
        response = client.get("/api/v1/tasks", headers=admin_headers)
        assert response.status_code == 503
        body = response.get_json()
        assert (body["code"], body["service"]) == ("gateway.circuit_open", "projects")
        assert int(response.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < 1.0
    # Every other service's routes work meanwhile.
    assert client.get("/api/v1/accounts", headers=admin_headers).status_code == 200
    assert client.post("/api/v1/leads", json={}, headers=admin_headers).status_code == 201


def test_the_circuit_closes_when_the_service_is_back(client, projects, admin_headers):
    for _ in range(3):
        client.get("/api/v1/projects", headers=admin_headers)
    assert client.get("/api/v1/projects", headers=admin_headers).get_json()["code"] == "gateway.circuit_open"
    projects.start()
    assert client.get("/api/v1/projects", headers=admin_headers).get_json()["code"] == "gateway.circuit_open"
    time.sleep(0.6)
    assert client.get("/api/v1/projects", headers=admin_headers).status_code == 200  # the half-open trial
    assert client.get("/api/v1/timesheets", headers=admin_headers).status_code == 200


def test_a_service_answering_503_opens_its_circuit_without_being_asked_again(client, projects, admin_headers):
    projects.start()
    projects.failing = True
    for _ in range(3):
        assert client.get("/api/v1/projects", headers=admin_headers).status_code == 503
    calls = projects.calls
    response = client.post("/api/v1/projects", json={}, headers=admin_headers)
    assert response.get_json()["code"] == "gateway.circuit_open"
    assert projects.calls == calls  # refused at the gateway: the struggling service is left alone
