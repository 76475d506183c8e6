"""GET /api/v1/accounts/<id>/overview against fake services on real sockets: parts asked in parallel with
the caller's token, what is available answered, stale and missing parts named, masking applied."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Fakes:
    """customer, sales and projects as tiny Flask apps; each records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []
        self.delay = 0.0
        self.sales_down = False
        self.customer = Flask("customer")
        self.customer.add_url_rule("/api/v1/accounts/<account_id>", view_func=self.account)
        self.customer.add_url_rule("/api/v1/contacts", view_func=self.contacts)
        self.sales = Flask("sales")
        self.sales.add_url_rule("/api/v1/opportunities", view_func=self.opportunities)
        self.projects = Flask("projects")
        self.projects.add_url_rule("/api/v1/projects", view_func=self.forbidden)

    def _seen(self) -> None:
        self.asked.append(
            {"path": request.path, "args": dict(request.args), "auth": request.headers.get("Authorization")}
        )
        time.sleep(self.delay)

    def account(self, account_id: str) -> Response:
        self._seen()
        if account_id == "missing":
            return Response(
                '{"code": "not_found", "detail": "no such account"}', 404, mimetype="application/problem+json"
            )
        return jsonify(id=account_id, name="Acme")

    def contacts(self) -> Response:
        self._seen()
        return jsonify(items=[{"id": "c1", "account_id": request.args["account_id"]}], next_cursor=None)

    def opportunities(self) -> Response:
        self._seen()
        if self.sales_down:
            return Response('{"code": "unavailable"}', 503, mimetype="application/problem+json")
        return jsonify(items=[{"id": "o1", "amount": "100.00", "discount_percent": "10"}], next_cursor="more")

    def forbidden(self) -> Response:
        self._seen()
        return Response(
            '{"code": "forbidden", "detail": "not your projects"}', 403, mimetype="application/problem+json"
        )


@pytest.fixture
def fakes(serve_wsgi) -> Fakes:
    services = Fakes()
    services.customer_url = serve_wsgi(services.customer)  # type: ignore[attr-defined]
    services.sales_url = serve_wsgi(services.sales)  # type: ignore[attr-defined]
    services.projects_url = serve_wsgi(services.projects)  # type: ignore[attr-defined]
    return services


@pytest.fixture
def env(env: dict[str, str], fakes: Fakes) -> dict[str, str]:
    return env | {
        "CRM_SERVICE_URL_CUSTOMER": fakes.customer_url,  # type: ignore[attr-defined]
        "CRM_SERVICE_URL_SALES": fakes.sales_url,  # type: ignore[attr-defined]
        "CRM_SERVICE_URL_SERVICE_DESK": f"http://127.0.0.1:{free_port()}",  # down
        "CRM_SERVICE_URL_PROJECTS": fakes.projects_url,  # type: ignore[attr-defined]
    }


def test_answers_every_available_part_and_names_the_missing_ones(client, fakes, admin_headers):
    response = client.get("/api/v1/accounts/a1/overview", headers=admin_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["account"] == {"status": "ok", "service": "customer", "data": {"id": "a1", "name": "Acme"}}
    assert body["contacts"]["items"] == [{"id": "c1", "account_id": "a1"}]
    assert (body["opportunities"]["status"], body["opportunities"]["more"]) == ("ok", True)
    assert body["tickets"]["status"] == "unavailable"
    assert body["tickets"]["service"] == "service-desk"
    assert (body["projects"]["status"], body["projects"]["detail"]) == ("forbidden", "not your projects")
    assert body["missing"] == ["projects", "tickets"]
    assert (body["stale"], body["complete"]) == ([], False)


def test_asks_each_service_with_the_callers_token_and_the_right_filters(client, fakes, admin_headers):
    client.get("/api/v1/accounts/a1/overview", headers=admin_headers)
    asked = {item["path"]: item for item in fakes.asked}
    assert asked["/api/v1/opportunities"]["args"] == {"account_id": "a1", "status": "open", "limit": "50"}
    assert asked["/api/v1/projects"]["args"]["status"] == "active"
    assert asked["/api/v1/contacts"]["args"]["account_id"] == "a1"
    assert {item["auth"] for item in fakes.asked} == {admin_headers["Authorization"]}


def test_the_parts_are_asked_in_parallel(client, fakes, admin_headers):
    fakes.delay = 0.3
    started = time.monotonic()
    assert client.get("/api/v1/accounts/a1/overview", headers=admin_headers).status_code == 200
    assert time.monotonic() - started < 0.3 * 4 - 0.2  # four parts of 0.3 s each, not one after another


def test_a_part_whose_service_fails_is_answered_stale_from_its_last_good_answer(client, fakes, admin_headers):
    client.get("/api/v1/accounts/a1/overview", headers=admin_headers)
    fakes.sales_down = True
    body = client.get("/api/v1/accounts/a1/overview", headers=admin_headers).get_json()
    assert body["opportunities"]["status"] == "stale"
    assert body["opportunities"]["items"][0]["id"] == "o1"
    assert body["opportunities"]["as_of"]
    assert body["stale"] == ["opportunities"]


def test_an_unknown_account_is_a_404(client, fakes, admin_headers):
    response = client.get("/api/v1/accounts/missing/overview", headers=admin_headers)
    assert (response.status_code, response.get_json()["code"]) == (404, "gateway.overview.account_not_found")


def test_fields_are_masked_as_in_each_resources_own_answers(client, fakes, make_user, headers_for):
    headers = headers_for(make_user("service_agent"))
    body = client.get("/api/v1/accounts/a1/overview", headers=headers).get_json()
    assert body["opportunities"]["items"] == [{"id": "o1", "amount": "100.00"}]


def test_needs_a_token(client):
    assert client.get("/api/v1/accounts/a1/overview").status_code == 401


def test_a_slow_service_is_cut_off_by_the_short_timeout(client, fakes, admin_headers, monkeypatch):
    monkeypatch.setenv("CRM_OVERVIEW_TIMEOUT", "0.3")
    fakes.delay = 1.0
    started = time.monotonic()
    body = client.get("/api/v1/accounts/a1/overview", headers=admin_headers).get_json()
    assert time.monotonic() - started < 0.9
    assert {body[part]["status"] for part in ("account", "contacts", "opportunities")} == {"unavailable"}
    assert body["complete"] is False


def test_a_part_the_access_table_refuses_is_forbidden_without_asking_its_service(
    client, fakes, make_user, headers_for
):
    headers = headers_for(make_user("marketing"))  # marketing may not read projects at all
    body = client.get("/api/v1/accounts/a1/overview", headers=headers).get_json()
    assert body["projects"]["status"] == "forbidden"
    assert "/api/v1/projects" not in {item["path"] for item in fakes.asked}
    assert body["account"]["status"] == "ok"
