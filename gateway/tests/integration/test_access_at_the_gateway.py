"""Access at the gateway against a fake sales service that checks the forwarded token as sales will.

Covers the issue's "Done when": an admin creates users and roles, a rep gets 403 on another team's
opportunity (record-level, enforced by the service on the forwarded token's `team`), a marketing user
gets masked fields; plus the role table (403 at the gateway, audited), API keys exchanged for a
gateway-signed token, and rate limits.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request

from crmkit.auth import KeySet, TokenVerifier
from crmkit.errors import PROBLEM_CONTENT_TYPE

OPPORTUNITIES = {
    "o-north": {
        "id": "o-north",
        "team": "north",
        "name": "Big deal",
        "amount": "1000.00",
        "margin": "250.00",
    },
    "o-south": {
        "id": "o-south",
        "team": "south",
        "name": "Other deal",
        "amount": "500.00",
        "margin": "90.00",
    },
}
QUOTE = {
    "id": "q1",
    "opportunity_id": "o-north",
    "total": "900.00",
    "discount_percent": "10",
    "margin": "300.00",
    "lines": [
        {
            "line_no": 1,
            "name": "Consulting",
            "unit_price": "100.00",
            "discount_percent": "10",
            "cost": "60.00",
        },
        {
            "line_no": 2,
            "name": "Licence",
            "unit_price": "50.00",
            "discount_percent": "0",
            "unit_cost": "20.00",
        },
    ],
}


class FakeSales:
    """Verifies every token with the gateway's key set; applies the record rule `team` on opportunities."""

    def __init__(self, jwks_url: str) -> None:
        self.verifier = TokenVerifier(KeySet(jwks_url), issuer="crm-gateway", audience="crm")
        self.principals: list[Any] = []
        self.app = Flask("fake-sales")
        self.app.add_url_rule("/api/v1/opportunities/<opportunity_id>", view_func=self.opportunity)
        self.app.add_url_rule("/api/v1/opportunities", view_func=self.create, methods=["POST"])
        self.app.add_url_rule("/api/v1/quotes", view_func=self.quotes)
        self.app.add_url_rule("/api/v1/quotes/<quote_id>", view_func=self.quote)
        self.app.add_url_rule("/api/v1/accounts", view_func=self.accounts)

    def _principal(self) -> Any:
        principal = self.verifier.verify(request.headers.get("Authorization", "").removeprefix("Bearer "))
        self.principals.append(principal)
        return principal

    def opportunity(self, opportunity_id: str) -> Response:
        principal = self._principal()
        record = OPPORTUNITIES[opportunity_id]
        if "sales_manager" not in principal.roles and record["team"] != principal.team:
            body = {"type": "about:blank", "title": "Forbidden", "status": 403, "code": "sales.not_your_team"}
            return Response(json.dumps(body), status=403, mimetype=PROBLEM_CONTENT_TYPE)
        return jsonify(record)

    def create(self) -> Response:
        self._principal()
        response = jsonify(id="o-new", **request.get_json())
        response.status_code = 201
        return response

    def quotes(self) -> Response:
        self._principal()
        return jsonify(items=[QUOTE, QUOTE | {"id": "q2"}], next_cursor=None)

    def quote(self, quote_id: str) -> Response:
        self._principal()
        return jsonify(QUOTE | {"id": quote_id})

    def accounts(self) -> Response:
        principal = self._principal()
        return jsonify(
            items=[{"id": "a1", "name": "ACME"}],
            caller={
                "kind": principal.kind,
                "roles": sorted(principal.roles),
                "scopes": sorted(principal.scopes),
            },
        )


@pytest.fixture
def sales(serve_wsgi, tmp_path) -> FakeSales:
    service = FakeSales((tmp_path / "keys" / "jwks.json").as_uri())
    service.base_url = serve_wsgi(service.app)  # type: ignore[attr-defined]
    return service


@pytest.fixture
def env(env: dict[str, str], sales: FakeSales) -> dict[str, str]:
    url = sales.base_url  # type: ignore[attr-defined]
    return env | {
        "CRM_SERVICE_URL_SALES": url,
        "CRM_SERVICE_URL_CUSTOMER": url,
        "CRM_RATE_LIMIT_PER_USER": "50",
    }


def bearer(client, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def create_user(client, admin_headers, username: str, roles: list[str], team: str | None) -> dict[str, Any]:
    body = {"username": username, "password": "a long password 123", "roles": roles, "team": team}
    response = client.post("/api/v1/users", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_done_when_users_and_roles_a_rep_gets_403_on_another_team_and_marketing_sees_masked_fields(
    client, admin_headers, sales
):
    # An admin creates teams and users with department roles, through the API.
    assert client.post("/api/v1/teams", json={"name": "north"}, headers=admin_headers).status_code == 201
    create_user(client, admin_headers, "rita", ["sales_rep"], "north")
    create_user(client, admin_headers, "mark", ["marketing"], "brand")
    rita = bearer(client, "rita", "a long password 123")
    mark = bearer(client, "mark", "a long password 123")

    # The rep reads her team's opportunity and gets 403 on another team's (the service decides, on `team`).
    assert client.get("/api/v1/opportunities/o-north", headers=rita).status_code == 200
    denied = client.get("/api/v1/opportunities/o-south", headers=rita)
    assert (denied.status_code, denied.get_json()["code"]) == (403, "sales.not_your_team")
    assert sales.principals[-1].team == "north"

    # The rep sees discounts and margins; marketing reads the same quotes without them, lines included.
    assert client.get("/api/v1/quotes/q1", headers=rita).get_json() == QUOTE | {"id": "q1"}
    page = client.get("/api/v1/quotes", headers=mark).get_json()
    for quote in page["items"]:
        assert not {"discount_percent", "margin"} & set(quote)
        assert quote["total"] == "900.00"
        assert [set(line) for line in quote["lines"]] == [{"line_no", "name", "unit_price"}] * 2
    single = client.get("/api/v1/quotes/q1", headers=mark)
    assert "margin" not in single.get_json()
    assert int(single.headers["Content-Length"]) == len(single.get_data())

    # Every denial is in the audit log, for admins.
    log = client.get("/api/v1/audit-log?action=access.denied", headers=admin_headers).get_json()["items"]
    assert [(e["actor_name"], e["status"], e["path"], e["details"]["code"]) for e in log] == [
        ("rita", 403, "/api/v1/opportunities/o-south", "sales.not_your_team")
    ]
    created = client.get("/api/v1/audit-log?action=admin.user_created", headers=admin_headers).get_json()
    assert {entry["details"]["username"] for entry in created["items"]} == {"admin", "rita", "mark"}


def test_the_role_table_refuses_at_the_gateway_and_audits(
    client, make_user, headers_for, admin_headers, sales
):
    agent = make_user("service_agent", username="sam")
    headers = headers_for(agent)
    assert client.get("/api/v1/quotes", headers=headers).status_code == 200
    refused = client.post("/api/v1/opportunities", json={"name": "x"}, headers=headers)
    assert refused.status_code == 403
    assert (refused.get_json()["code"], refused.get_json()["resource"]) == ("access.denied", "opportunities")
    assert len(sales.principals) == 1  # the refused request never reached the service
    entry = client.get("/api/v1/audit-log?status=403", headers=admin_headers).get_json()["items"][0]
    assert (entry["action"], entry["outcome"], entry["actor_name"], entry["method"]) == (
        "access.denied", "denied", "sam", "POST"
    )  # fmt: skip
    rep = make_user("sales_rep")
    assert (
        client.post("/api/v1/opportunities", json={"name": "x"}, headers=headers_for(rep)).status_code == 201
    )


def test_a_request_without_a_token_is_401_and_audited(client, admin_headers):
    assert client.get("/api/v1/quotes").status_code == 401
    entry = client.get("/api/v1/audit-log?status=401", headers=admin_headers).get_json()["items"][0]
    assert (entry["actor_kind"], entry["details"]["code"], entry["path"]) == (
        "anonymous", "auth.missing_token", "/api/v1/quotes"
    )  # fmt: skip


def test_an_api_key_is_shown_once_exchanged_for_a_gateway_token_and_read_only(client, admin_headers, sales):
    created = client.post(
        "/api/v1/api-keys",
        json={"name": "erp-sync", "resources": ["accounts", "quotes"], "event_types": ["sales.order.*"]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    key = body["key"]
    assert key.startswith("crmk_") and body["scopes"] == [
        "read:accounts",
        "read:quotes",
        "events:sales.order.*",
    ]
    listed = client.get("/api/v1/api-keys", headers=admin_headers).get_json()["items"]
    assert "key" not in listed[0] and listed[0]["status"] == "active"
    assert key not in client.get(f"/api/v1/api-keys/{body['id']}", headers=admin_headers).get_data(
        as_text=True
    )

    integrator = {"Authorization": f"ApiKey {key}"}
    answer = client.get("/api/v1/accounts", headers=integrator)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["caller"] == {
        "kind": "api_key",
        "roles": ["integrator"],
        "scopes": ["events:sales.order.*", "read:accounts", "read:quotes"],
    }
    assert sales.principals[-1].subject == body["id"]
    quote = client.get("/api/v1/quotes/q1", headers=integrator).get_json()
    assert "discount_percent" not in quote  # integrators see masked fields too
    assert client.post("/api/v1/opportunities", json={}, headers=integrator).status_code == 403
    assert client.get("/api/v1/opportunities/o-north", headers=integrator).status_code == 403
    assert client.get("/api/v1/users", headers=integrator).status_code == 403

    used = client.get("/api/v1/audit-log?action=auth.api_key_used", headers=admin_headers).get_json()["items"]
    assert {entry["actor_id"] for entry in used} == {body["id"]} and len(used) == 5
    assert client.get(f"/api/v1/api-keys/{body['id']}", headers=admin_headers).get_json()["last_used_at"]


def test_a_revoked_or_unknown_key_is_refused_and_audited(client, admin_headers):
    created = client.post(
        "/api/v1/api-keys", json={"name": "old", "resources": ["accounts"]}, headers=admin_headers
    )
    body = created.get_json()
    revoked = client.delete(
        f"/api/v1/api-keys/{body['id']}", headers=admin_headers | {"If-Match": created.headers["ETag"]}
    )
    assert revoked.status_code == 204
    for key in (body["key"], "crmk_not-a-key"):
        refused = client.get("/api/v1/accounts", headers={"Authorization": f"ApiKey {key}"})
        assert (refused.status_code, refused.get_json()["code"]) == (401, "auth.invalid_api_key")
    log = client.get("/api/v1/audit-log?action=auth.api_key_refused", headers=admin_headers).get_json()[
        "items"
    ]
    assert [entry["details"]["reason"] for entry in log] == ["unknown", "revoked"]
    assert (
        client.get("/api/v1/audit-log?action=access.denied", headers=admin_headers).get_json()["items"] == []
    )


def test_api_key_scopes_are_checked_when_created(client, admin_headers):
    bad = client.post(
        "/api/v1/api-keys",
        json={"name": "x", "resources": ["nope"], "event_types": ["sales..x"]},
        headers=admin_headers,
    )
    assert (bad.status_code, bad.get_json()["code"]) == (422, "access.invalid_scope")
    assert bad.get_json()["errors"][0]["field"] == "resources"
    empty = client.post("/api/v1/api-keys", json={"name": "x"}, headers=admin_headers)
    assert empty.status_code == 422


def test_rate_limit_per_user_answers_429_with_retry_after_and_audits(
    client, make_user, headers_for, admin_headers
):
    user = make_user("sales_rep")
    headers = headers_for(user)
    statuses = [client.get("/api/v1/quotes", headers=headers).status_code for _ in range(51)]
    assert statuses[:50] == [200] * 50 and statuses[50] == 429
    limited = client.get("/api/v1/quotes", headers=headers)
    assert limited.get_json()["code"] == "access.rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/quotes", headers=admin_headers).status_code == 200  # another caller
    entries = client.get("/api/v1/audit-log?status=429", headers=admin_headers).get_json()["items"]
    assert len(entries) == 2 and entries[0]["actor_id"] == user.id
