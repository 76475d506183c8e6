"""Every endpoint needs a valid token; writes need the right role (admin passes everything)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from crmkit.testing.auth import TokenFactory

Headers = dict[str, str]
ENDPOINTS = [
    ("get", "/api/v1/accounts"),
    ("post", "/api/v1/accounts"),
    ("get", "/api/v1/accounts/duplicates?name=a"),
    ("get", "/api/v1/accounts/a1"),
    ("patch", "/api/v1/accounts/a1"),
    ("delete", "/api/v1/accounts/a1"),
    ("post", "/api/v1/accounts/a1/merge"),
    ("get", "/api/v1/accounts/a1/contacts"),
    ("post", "/api/v1/accounts/a1/contacts"),
    ("get", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/c1"),
    ("patch", "/api/v1/contacts/c1"),
    ("delete", "/api/v1/contacts/c1"),
    ("get", "/api/v1/accounts/a1/interactions"),
    ("post", "/api/v1/accounts/a1/interactions"),
    ("get", "/api/v1/custom-fields"),
    ("post", "/api/v1/custom-fields"),
    ("get", "/api/v1/custom-fields/k"),
    ("patch", "/api/v1/custom-fields/k"),
    ("delete", "/api/v1/custom-fields/k"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_every_endpoint_answers_401_without_a_token(client: FlaskClient, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 401 and response.json["code"] == "auth.missing_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_forged_or_expired_token_is_401(client: FlaskClient, token_factory: TokenFactory) -> None:
    forged = client.get("/api/v1/accounts", headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401 and forged.json["code"] == "auth.invalid_token"
    expired = client.get("/api/v1/accounts", headers=token_factory.headers("admin", ttl=-60))
    assert expired.status_code == 401 and expired.json["code"] == "auth.token_expired"


@pytest.mark.parametrize(
    ("role", "method", "url", "body"),
    [
        ("integrator", "post", "/api/v1/accounts", {"name": "A"}),
        ("integrator", "post", "/api/v1/accounts/{id}/interactions", {"type": "note", "summary": "s"}),
        ("integrator", "post", "/api/v1/accounts/{id}/contacts", {"name": "C"}),
        ("sales_rep", "delete", "/api/v1/accounts/{id}", None),
        ("service_agent", "post", "/api/v1/accounts/{id}/merge", {"merged_account_id": "x"}),
        ("management", "post", "/api/v1/custom-fields", {"key": "k", "label": "K", "type": "string"}),
    ],
)
def test_a_caller_without_the_role_gets_403_and_nothing_changes(
    client: FlaskClient,
    as_role: Callable[..., Headers],
    create_account: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
    role: str,
    method: str,
    url: str,
    body: dict[str, Any] | None,
) -> None:
    account = create_account()
    headers = {**as_role(role), "If-Match": '"1"'}
    response = getattr(client, method)(url.format(id=account["id"]), json=body, headers=headers)
    assert response.status_code == 403 and response.json["code"] == "auth.role_required"
    assert len(outbox()) == 1


@pytest.mark.parametrize(
    "role",
    ["sales_rep", "sales_manager", "service_agent", "service_manager", "marketing", "management",
     "project_manager", "delivery_member", "admin"],
)  # fmt: skip
def test_every_editing_role_may_create_accounts(
    client: FlaskClient, as_role: Callable[..., Headers], role: str
) -> None:
    response = client.post("/api/v1/accounts", json={"name": f"Acme {role}"}, headers=as_role(role))
    assert response.status_code == 201


def test_health_and_openapi_need_no_token_and_openapi_lists_every_resource(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json["status"] == "ok"
    paths = client.get("/openapi.json").json["paths"]
    assert {
        "/api/v1/accounts",
        "/api/v1/accounts/duplicates",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/merge",
        "/api/v1/accounts/{account_id}/contacts",
        "/api/v1/accounts/{account_id}/interactions",
        "/api/v1/contacts",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/custom-fields",
        "/api/v1/custom-fields/{key}",
    } <= set(paths)
    assert paths["/api/v1/accounts"]["post"]["summary"]
