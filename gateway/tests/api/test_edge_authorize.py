"""GET /api/v1/auth/authorize: what the nginx edge asks before sending a routed request to a service."""

from __future__ import annotations

import pytest

AUTHORIZE = "/api/v1/auth/authorize"


def ask(client, headers: dict[str, str], method: str, uri: str):
    return client.get(AUTHORIZE, headers={**headers, "X-Original-Method": method, "X-Original-URI": uri})


def test_an_allowed_request_goes_straight_to_the_service_with_its_token(
    client, make_user, headers_for
) -> None:
    headers = headers_for(make_user("sales_rep"))
    response = ask(client, headers, "POST", "/api/v1/accounts?limit=5")
    assert response.status_code == 204
    assert response.headers["X-Crm-Route"] == "service"
    assert response.headers["X-Crm-Authorization"] == headers["Authorization"]


def test_an_answer_that_must_be_masked_goes_through_the_gateway(client, make_user, headers_for) -> None:
    response = ask(client, headers_for(make_user("service_agent")), "GET", "/api/v1/quotes/q-1")
    assert response.status_code == 204
    assert response.headers["X-Crm-Route"] == "gateway"
    sales = ask(client, headers_for(make_user("sales_rep")), "GET", "/api/v1/quotes/q-1")
    assert sales.headers["X-Crm-Route"] == "service"


@pytest.mark.parametrize(
    ("role", "method", "uri"),
    [
        ("marketing", "GET", "/api/v1/projects"),  # the role table gives marketing no projects
        ("service_agent", "POST", "/api/v1/opportunities"),  # read-only on sales
        ("sales_rep", "GET", "/api/v1/no-such-resource"),
        ("sales_rep", "", "/api/v1/accounts"),
    ],
)
def test_a_request_the_role_table_refuses_is_403(client, make_user, headers_for, role, method, uri) -> None:
    assert ask(client, headers_for(make_user(role)), method, uri).status_code == 403


def test_a_bad_token_is_401_and_not_audited_here(client, admin_headers) -> None:
    response = ask(client, {"Authorization": "Bearer nope"}, "GET", "/api/v1/accounts")
    assert response.status_code == 401
    assert client.get("/api/v1/accounts", headers={"Authorization": "Bearer nope"}).status_code == 401
    log = client.get("/api/v1/audit-log?limit=100", headers=admin_headers).json["items"]
    denied = [entry["path"] for entry in log if entry["status"] == 401]
    assert denied == ["/api/v1/accounts"]  # the gateway's own answer is audited, the edge's question is not


def test_a_rate_limited_caller_gets_403_which_nginx_understands(
    make_settings, start_app, make_user, login
) -> None:
    app = start_app(make_settings(CRM_RATE_LIMIT_PER_USER="2"))
    client = app.test_client()
    from gateway.context import gateway
    from gateway.identity import service

    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        service.create_user(
            uow=uow,
            passwords=gateway(app).passwords,
            data={
                "username": "busy",
                "password": "correct horse battery",
                "roles": ["sales_rep"],
                "team": None,
                "active": True,
            },
        )
    token = client.post(
        "/api/v1/auth/token", json={"username": "busy", "password": "correct horse battery"}
    ).json
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    statuses = [ask(client, headers, "GET", "/api/v1/accounts").status_code for _ in range(3)]
    assert statuses[:2] == [204, 204]
    assert statuses[2] == 403
    refused = ask(client, headers, "GET", "/api/v1/accounts")
    assert refused.headers["X-Crm-Refused-With"] == "429"
