"""POST /api/v1/auth/token and /refresh, GET /jwks.json, and how the gateway treats bearer tokens."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import sqlalchemy as sa

from gateway.context import gateway
from gateway.identity.models import RefreshToken


def problem(response) -> dict:
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_issues_a_token_pair_for_the_right_password(client, admin_password):
    response = client.post("/api/v1/auth/token", json={"username": "admin", "password": admin_password})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900


def test_the_access_token_carries_the_contract_claims(app, client, login, make_user, user_password):
    user = make_user("sales_rep", "sales_manager", team="north")
    token = login(user.username, user_password)["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["kid"] == gateway(app).keys.signing_key().kid
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == user.id
    assert claims["preferred_username"] == user.username
    assert claims["roles"] == ["sales_manager", "sales_rep"]
    assert claims["team"] == "north"
    assert (claims["iss"], claims["aud"]) == ("crm-gateway", "crm")
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]


def test_usernames_sign_in_regardless_of_case(client, admin_password):
    response = client.post("/api/v1/auth/token", json={"username": "ADMIN", "password": admin_password})
    assert response.status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = client.post("/api/v1/auth/token", json={"username": "admin", "password": "not the password"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k != "request_id"}  # noqa: E731
    assert strip(problem(wrong)) == strip(problem(unknown))
    assert problem(wrong)["code"] == "auth.invalid_credentials"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_user_costs_a_password_check_too(app, client, monkeypatch):
    checks = []
    monkeypatch.setattr(gateway(app).passwords, "verify_dummy", checks.append)
    client.post("/api/v1/auth/token", json={"username": "nobody", "password": "guess-guess"})
    assert checks == ["guess-guess"]


def test_a_disabled_user_cannot_sign_in(client, make_user, user_password):
    user = make_user("marketing", active=False)
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": user_password})
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.account_disabled"


def test_a_missing_field_is_named(client):
    response = client.post("/api/v1/auth/token", json={"username": "admin"})
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"field": "password", "message": "Missing data for required field.", "in": "json"}
    ]


def test_a_form_body_is_refused(client):
    response = client.post("/api/v1/auth/token", data={"username": "admin", "password": "x"})
    assert response.status_code == 415


def test_refresh_rotates_the_pair(client, login):
    first = login()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert again.status_code == 200


def test_a_reused_refresh_token_revokes_its_whole_sign_in(client, login):
    first = login()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert problem(reused)["code"] == "auth.refresh_token_reused"
    later = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert later.status_code == 401
    assert problem(later)["code"] == "auth.invalid_refresh_token"


def test_other_sign_ins_survive_a_reuse(client, login):
    mine, other = login(), login()
    client.post("/api/v1/auth/refresh", json={"refresh_token": mine["refresh_token"]})
    client.post("/api/v1/auth/refresh", json={"refresh_token": mine["refresh_token"]})
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert response.status_code == 200


def test_refresh_tokens_are_stored_hashed(app, login):
    secret = login()["refresh_token"]
    with app.extensions["crm"].database.uow() as uow:
        stored = uow.session.scalars(sa.select(RefreshToken.token_hash)).all()
    assert secret not in stored
    assert all(len(value) == 64 for value in stored)


def test_an_expired_refresh_token_is_refused(app, client, login):
    secret = login()["refresh_token"]
    with app.extensions["crm"].database.uow() as uow:
        for row in uow.session.scalars(sa.select(RefreshToken)):
            row.expires_at = row.created_at - timedelta(seconds=1)
        uow.commit()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": secret})
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.invalid_refresh_token"


def test_an_unknown_refresh_token_is_refused(client):
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.invalid_refresh_token"


def test_an_expired_access_token_gets_401(app, client):
    tokens = gateway(app).tokens
    now = int(time.time())
    claims = {"sub": "u1", "iss": "crm-gateway", "aud": "crm", "iat": now - 3600, "exp": now - 1800}
    response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {tokens.sign(claims)}"})
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.token_expired"


def test_a_token_signed_by_another_key_gets_401(client, token_factory):
    response = client.get("/api/v1/users", headers=token_factory.headers("admin"))
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.unknown_key"


def test_a_request_without_a_token_gets_401(client):
    response = client.get("/api/v1/users")
    assert response.status_code == 401
    assert problem(response)["code"] == "auth.missing_token"


def test_the_key_set_is_public_and_names_the_signing_key(app, client):
    response = client.get("/api/v1/auth/jwks.json")
    assert response.status_code == 200
    kids = [key["kid"] for key in response.get_json()["keys"]]
    assert kids == [gateway(app).keys.signing_key().kid]


def test_the_request_id_comes_back_on_success_and_on_problems(client, admin_password):
    ok = client.post(
        "/api/v1/auth/token",
        json={"username": "admin", "password": admin_password},
        headers={"X-Request-ID": "req-ok-1"},
    )
    failed = client.post(
        "/api/v1/auth/token",
        json={"username": "admin", "password": "wrong"},
        headers={"X-Request-ID": "req-no-2"},
    )
    assert ok.headers["X-Request-ID"] == "req-ok-1"
    assert failed.headers["X-Request-ID"] == "req-no-2"
    assert problem(failed)["request_id"] == "req-no-2"


def test_a_request_id_is_made_when_the_caller_sends_none(client):
    response = client.get("/api/v1/auth/jwks.json")
    assert len(response.headers["X-Request-ID"]) == 32
