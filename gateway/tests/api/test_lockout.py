"""Lockout after repeated failed sign-ins (configurable), audited."""

from __future__ import annotations

import pytest

from gateway.context import gateway
from gateway.identity import service


@pytest.fixture
def settings(make_settings):
    return make_settings(CRM_LOGIN_MAX_FAILURES="3", CRM_LOGIN_LOCKOUT_SECONDS="600")


def sign_in(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_locks_after_the_configured_failures_and_refuses_even_the_right_password(
    client, make_user, user_password
):
    user = make_user("sales_rep")
    codes = [sign_in(client, user.username, "wrong password!").get_json()["code"] for _ in range(3)]
    assert codes == ["auth.invalid_credentials", "auth.invalid_credentials", "auth.account_locked"]
    locked = sign_in(client, user.username, user_password)
    assert (locked.status_code, locked.get_json()["code"]) == (401, "auth.account_locked")
    assert 590 <= int(locked.headers["Retry-After"]) <= 600


def test_a_success_resets_the_count(client, make_user, user_password):
    user = make_user("sales_rep")
    for _ in range(2):
        sign_in(client, user.username, "wrong password!")
    assert sign_in(client, user.username, user_password).status_code == 200
    for _ in range(2):
        assert (
            sign_in(client, user.username, "wrong password!").get_json()["code"] == "auth.invalid_credentials"
        )


def test_an_admin_unlocks(client, make_user, user_password, admin_headers):
    user = make_user("sales_rep")
    for _ in range(3):
        sign_in(client, user.username, "wrong password!")
    unlocked = client.post(f"/api/v1/users/{user.id}/unlock", headers=admin_headers)
    assert unlocked.status_code == 200
    assert (unlocked.get_json()["failed_logins"], unlocked.get_json()["locked_until"]) == (0, None)
    assert sign_in(client, user.username, user_password).status_code == 200


def test_lockout_and_failures_are_audited(client, make_user, admin_headers):
    user = make_user("sales_rep")
    for _ in range(3):
        sign_in(client, user.username, "wrong password!")
    sign_in(client, "nobody-here", "wrong password!")
    log = client.get("/api/v1/audit-log?outcome=failure", headers=admin_headers).get_json()["items"]
    actions = [(entry["action"], entry["actor_name"], entry["details"].get("reason")) for entry in log]
    assert actions == [
        ("auth.login_failed", "nobody-here", "unknown_user"),
        ("auth.login_failed", user.username, "wrong_password"),
        ("auth.account_locked", user.username, None),
        ("auth.login_failed", user.username, "wrong_password"),
        ("auth.login_failed", user.username, "wrong_password"),
    ]
    assert all(entry["status"] == 401 and entry["path"] == "/api/v1/auth/token" for entry in log)
    # each refusal is logged once (not again as a generic denied request)
    assert (
        client.get("/api/v1/audit-log?action=access.denied", headers=admin_headers).get_json()["items"] == []
    )


def test_lockout_can_be_turned_off(make_settings, start_app, make_user):
    app = start_app(make_settings(CRM_LOGIN_MAX_FAILURES="0"))
    client = app.test_client()
    with app.app_context(), app.extensions["crm"].database.uow() as uow:
        user = service.create_user(
            uow=uow,
            passwords=gateway(app).passwords,
            data={"username": "solo", "password": "a long password", "roles": ["sales_rep"]},
        )
    for _ in range(6):
        assert (
            sign_in(client, user.username, "wrong password!").get_json()["code"] == "auth.invalid_credentials"
        )
    assert sign_in(client, user.username, "a long password").status_code == 200
