"""Administration of integrator API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from flask import request


def create_key(client, admin_headers, **changes):
    body = {"name": "erp", "resources": ["accounts"], "event_types": ["sales.#"]} | changes
    response = client.post("/api/v1/api-keys", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    return response


def test_the_secret_is_stored_only_as_a_hash(app, client, admin_headers):
    created = create_key(client, admin_headers)
    key = created.get_json()["key"]
    with app.extensions["crm"].database.engine.connect() as connection:
        rows = [tuple(row) for row in connection.exec_driver_sql("SELECT * FROM api_keys")]
    assert key not in repr(rows)
    assert created.get_json()["prefix"] == key.removeprefix("crmk_")[:8]


def test_admin_changes_scopes_with_if_match_and_the_next_exchange_uses_them(client, admin_headers):
    created = create_key(client, admin_headers)
    body = created.get_json()
    missing = client.patch(f"/api/v1/api-keys/{body['id']}", json={"name": "x"}, headers=admin_headers)
    assert missing.status_code == 428
    changed = client.patch(
        f"/api/v1/api-keys/{body['id']}",
        json={"resources": ["contacts"], "field_groups": ["commercial_terms"]},
        headers=admin_headers | {"If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["scopes"] == ["read:contacts", "events:sales.#", "fields:commercial_terms"]
    stale = client.patch(
        f"/api/v1/api-keys/{body['id']}",
        json={"name": "y"},
        headers=admin_headers | {"If-Match": created.headers["ETag"]},
    )
    assert stale.status_code == 412
    log = client.get("/api/v1/audit-log?target_id=" + body["id"], headers=admin_headers).get_json()["items"]
    assert [entry["action"] for entry in log] == ["admin.api_key_updated", "admin.api_key_created"]
    assert log[0]["details"]["after"]["scopes"] == changed.get_json()["scopes"]


def test_an_expired_key_is_refused_and_listed_as_expired(client, admin_headers):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = create_key(client, admin_headers, expires_at=past).get_json()
    assert body["status"] == "expired"
    refused = client.get("/api/v1/roles", headers={"Authorization": f"ApiKey {body['key']}"})
    assert refused.status_code == 401
    active = client.get("/api/v1/api-keys?active=true", headers=admin_headers).get_json()["items"]
    inactive = client.get("/api/v1/api-keys?active=false", headers=admin_headers).get_json()["items"]
    assert (active, [item["id"] for item in inactive]) == ([], [body["id"]])


def test_only_admins_manage_keys(client, make_user, headers_for):
    user = make_user("sales_manager")
    response = client.post(
        "/api/v1/api-keys", json={"name": "x", "resources": ["accounts"]}, headers=headers_for(user)
    )
    assert response.status_code == 403


def test_an_api_key_gets_a_short_lived_token_with_its_scopes(start_app, settings, client, admin_headers):
    body = create_key(client, admin_headers).get_json()
    other = start_app(settings)  # a second instance, to add a probe view before its first request
    seen: dict[str, str] = {}

    @other.route("/test-only/whoami")
    def whoami() -> dict[str, str]:
        seen["authorization"] = request.headers["Authorization"]
        return {}

    other.test_client().get("/test-only/whoami", headers={"Authorization": f"ApiKey {body['key']}"})
    claims = jwt.decode(seen["authorization"].removeprefix("Bearer "), options={"verify_signature": False})
    assert (claims["kind"], claims["roles"], claims["sub"]) == ("api_key", ["integrator"], body["id"])
    assert claims["scope"] == "read:accounts events:sales.#"
    assert claims["exp"] - claims["iat"] == 300


def test_rotation_answers_a_new_secret_once_and_the_old_one_stops_working(client, admin_headers):
    body = create_key(client, admin_headers).get_json()
    old = {"Authorization": f"ApiKey {body['key']}"}
    assert client.get("/api/v1/roles", headers=old).status_code == 200
    rotated = client.post(f"/api/v1/api-keys/{body['id']}/rotate", headers=admin_headers)
    assert rotated.status_code == 200
    new_key = rotated.get_json()["key"]
    assert new_key != body["key"] and rotated.get_json()["prefix"] == new_key.removeprefix("crmk_")[:8]
    assert client.get("/api/v1/roles", headers=old).status_code == 401
    assert client.get("/api/v1/roles", headers={"Authorization": f"ApiKey {new_key}"}).status_code == 200
    log = client.get(f"/api/v1/audit-log?target_id={body['id']}&outcome=success", headers=admin_headers)
    assert "admin.api_key_rotated" in [entry["action"] for entry in log.get_json()["items"]]


def test_a_revoked_key_cannot_be_rotated(client, admin_headers):
    created = create_key(client, admin_headers)
    key_id = created.get_json()["id"]
    client.delete(f"/api/v1/api-keys/{key_id}", headers=admin_headers | {"If-Match": created.headers["ETag"]})
    refused = client.post(f"/api/v1/api-keys/{key_id}/rotate", headers=admin_headers)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "access.api_key_revoked")
    assert client.post("/api/v1/api-keys/nope/rotate", headers=admin_headers).status_code == 404
