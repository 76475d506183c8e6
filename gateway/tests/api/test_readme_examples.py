"""The curl examples of gateway/README.md, one test each (the proxied one is in integration/test_proxy.py)."""

from __future__ import annotations


def test_sign_in(client, admin_password):
    """curl -s -X POST localhost:8080/api/v1/auth/token -H 'Content-Type: application/json' -d '{...}'"""
    response = client.post(
        "/api/v1/auth/token",
        data=f'{{"username":"admin","password":"{admin_password}"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert body["access_token"].startswith("eyJ") and body["refresh_token"]


def test_refresh(client, login):
    """curl -s -X POST localhost:8080/api/v1/auth/refresh -H 'Content-Type: application/json' -d '{...}'"""
    refresh_token = login()["refresh_token"]
    response = client.post(
        "/api/v1/auth/refresh",
        data=f'{{"refresh_token":"{refresh_token}"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json()["refresh_token"] != refresh_token


def test_key_set(client):
    """curl -s localhost:8080/api/v1/auth/jwks.json"""
    response = client.get("/api/v1/auth/jwks.json")
    assert response.status_code == 200
    assert response.get_json()["keys"][0]["kty"] == "RSA"


def test_create_list_and_change_a_user(client, admin_headers):
    """The three /api/v1/users examples: POST, GET with filters, PATCH with If-Match."""
    created = client.post(
        "/api/v1/users",
        data='{"username":"dana","password":"a long password","roles":["service_agent"],"team":"desk"}',
        headers=admin_headers | {"Content-Type": "application/json"},
    )
    assert created.status_code == 201
    user_id = created.get_json()["id"]
    listed = client.get("/api/v1/users?role=service_agent&limit=20", headers=admin_headers)
    assert [user["id"] for user in listed.get_json()["items"]] == [user_id]
    changed = client.patch(
        f"/api/v1/users/{user_id}",
        data='{"roles":["service_manager"]}',
        headers=admin_headers | {"Content-Type": "application/json", "If-Match": '"1"'},
    )
    assert changed.status_code == 200
    assert changed.get_json()["roles"] == ["service_manager"]


def test_teams_roles_api_keys_and_the_audit_log(client, admin_headers):
    """The identity and access examples: a team, the access table, an integrator key, the audit log."""
    json_headers = admin_headers | {"Content-Type": "application/json"}
    team = client.post(
        "/api/v1/teams", data='{"name":"north","description":"Sales north"}', headers=json_headers
    )
    assert team.status_code == 201
    roles = client.get("/api/v1/roles", headers=admin_headers).get_json()["items"]
    assert roles[0]["name"] == "sales_rep"
    key = client.post(
        "/api/v1/api-keys",
        data='{"name":"erp-sync","resources":["accounts"],"event_types":["sales.order.*"]}',
        headers=json_headers,
    )
    assert key.status_code == 201 and key.get_json()["key"].startswith("crmk_")
    client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong password"})
    log = client.get("/api/v1/audit-log?action=auth.login_failed&limit=20", headers=admin_headers)
    assert [entry["actor_name"] for entry in log.get_json()["items"]] == ["admin"]
