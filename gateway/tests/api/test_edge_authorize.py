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


def test_an_api_key_is_exchanged_and_its_scopes_decide(client, admin_headers) -> None:
    body = {"name": "erp", "resources": ["accounts"], "event_types": ["customer.*"]}
    created = client.post("/api/v1/api-keys", json=body, headers=admin_headers)
    assert created.status_code == 201, created.json
    key = {"Authorization": f"ApiKey {created.json['key']}"}
    allowed = ask(client, key, "GET", "/api/v1/accounts/a-1")
    assert allowed.status_code == 204
    forwarded = allowed.headers["X-Crm-Authorization"]
    assert forwarded.startswith("Bearer ") and created.json["key"] not in forwarded  # a token, not the key
    assert ask(client, key, "POST", "/api/v1/accounts").status_code == 403  # integrators only read
    assert ask(client, key, "GET", "/api/v1/leads").status_code == 403  # not in its scopes


def test_the_fast_path_and_the_flask_view_agree(app, client, make_user, headers_for) -> None:
    """Bearer tokens are answered below Flask; the view (API keys' path) must give the same answers."""
    from gateway.edge.views import AuthorizeFastPath

    flask_only = app.test_client()
    assert isinstance(app.wsgi_app, AuthorizeFastPath)
    fast = app.wsgi_app
    app.wsgi_app = fast.wrapped
    try:
        cases = [
            (headers_for(make_user("service_agent")), "GET", "/api/v1/quotes/q-1"),
            (headers_for(make_user("sales_rep")), "POST", "/api/v1/accounts"),
            (headers_for(make_user("marketing")), "GET", "/api/v1/projects"),
            ({"Authorization": "Bearer nope"}, "GET", "/api/v1/accounts"),
        ]
        by_view = [ask(flask_only, *case) for case in cases]
    finally:
        app.wsgi_app = fast
    by_fast_path = [ask(client, *case) for case in cases]
    summary = lambda answer: (answer.status_code, answer.headers.get("X-Crm-Route"))  # noqa: E731
    assert [summary(a) for a in by_fast_path] == [summary(a) for a in by_view]
    assert [a.status_code for a in by_view] == [204, 204, 403, 401]
