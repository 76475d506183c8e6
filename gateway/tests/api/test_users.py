"""Admin-only user administration: /api/v1/users and /api/v1/users/<id>."""

from __future__ import annotations

import pytest


def problem(response) -> dict:
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def new_user(**overrides) -> dict:
    return {
        "username": "dana",
        "password": "dana-password-1",
        "roles": ["service_agent"],
        "team": "desk",
    } | overrides


def test_an_admin_creates_a_user(client, admin_headers, login):
    response = client.post("/api/v1/users", json=new_user(username="Dana"), headers=admin_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "dana"
    assert body["roles"] == ["service_agent"]
    assert (body["team"], body["active"]) == ("desk", True)
    assert "password" not in body and "password_hash" not in body
    assert response.headers["Location"] == f"/api/v1/users/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert login("dana", "dana-password-1")["token_type"] == "Bearer"


def test_usernames_are_unique_regardless_of_case(client, admin_headers):
    client.post("/api/v1/users", json=new_user(), headers=admin_headers)
    response = client.post("/api/v1/users", json=new_user(username="DANA"), headers=admin_headers)
    assert response.status_code == 409
    assert problem(response)["code"] == "identity.username_taken"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"roles": ["wizard"]}, "roles.0"),
        ({"roles": []}, "roles"),
        ({"password": None}, "password"),
        ({"nickname": "d"}, "nickname"),
    ],
)
def test_invalid_fields_are_named(client, admin_headers, overrides, field):
    response = client.post("/api/v1/users", json=new_user(**overrides), headers=admin_headers)
    assert response.status_code == 422
    assert field in [error["field"] for error in problem(response)["errors"]]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"password": "short"}, "identity.weak_password", "password"),
        ({"username": "no spaces"}, "identity.invalid_username", "username"),
    ],
)
def test_identity_rules_answer_422_with_their_code(client, admin_headers, overrides, code, field):
    response = client.post("/api/v1/users", json=new_user(**overrides), headers=admin_headers)
    assert response.status_code == 422
    assert problem(response)["code"] == code
    assert problem(response)["errors"][0]["field"] == field


def test_non_admins_are_refused_everywhere(client, make_user, headers_for):
    headers = headers_for(make_user("sales_manager"))
    someone = make_user("sales_rep")
    answers = [
        client.get("/api/v1/users", headers=headers),
        client.post("/api/v1/users", json=new_user(), headers=headers),
        client.get(f"/api/v1/users/{someone.id}", headers=headers),
        client.patch(f"/api/v1/users/{someone.id}", json={"active": False}, headers=headers),
    ]
    assert [response.status_code for response in answers] == [403] * 4
    assert {problem(response)["code"] for response in answers} == {"auth.role_required"}


def test_lists_users_a_page_at_a_time(client, admin_headers, make_user):
    for name in ("bea", "cid", "dot"):
        make_user("sales_rep", username=name)
    first = client.get("/api/v1/users?limit=2", headers=admin_headers).get_json()
    assert [user["username"] for user in first["items"]] == ["admin", "bea"]
    second = client.get(
        f"/api/v1/users?limit=2&cursor={first['next_cursor']}", headers=admin_headers
    ).get_json()
    assert [user["username"] for user in second["items"]] == ["cid", "dot"]
    assert second["next_cursor"] is None


def test_filters_users_by_role_team_and_active_flag(client, admin_headers, make_user):
    make_user("sales_rep", username="rep-north", team="north")
    make_user("sales_rep", username="rep-south", team="south")
    make_user("sales_manager", username="boss-north", team="north", active=False)

    def get(query: str) -> list[str]:
        items = client.get(f"/api/v1/users?{query}", headers=admin_headers).get_json()["items"]
        return [user["username"] for user in items]

    assert get("role=sales_rep") == ["rep-north", "rep-south"]
    assert get("team=north") == ["boss-north", "rep-north"]
    assert get("team=north&active=true") == ["rep-north"]
    assert get("sort=-username&role=sales_rep") == ["rep-south", "rep-north"]


def test_an_unknown_role_filter_is_named(client, admin_headers):
    response = client.get("/api/v1/users?role=wizard", headers=admin_headers)
    assert response.status_code == 422
    (error,) = problem(response)["errors"]
    assert (error["field"], error["in"]) == ("role", "query")
    assert error["message"].startswith("Must be one of: sales_rep")


def test_reads_a_user_with_its_version_as_etag(client, admin_headers, make_user):
    user = make_user("marketing")
    response = client.get(f"/api/v1/users/{user.id}", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["username"] == user.username
    assert response.headers["ETag"] == '"1"'


def test_an_unknown_user_is_404(client, admin_headers):
    response = client.get("/api/v1/users/nope", headers=admin_headers)
    assert response.status_code == 404
    assert problem(response)["code"] == "identity.user_not_found"


def test_changes_roles_and_team_with_if_match(client, admin_headers, make_user):
    user = make_user("sales_rep")
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"roles": ["sales_manager", "marketing"], "team": "west"},
        headers=admin_headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.get_json()["roles"] == ["marketing", "sales_manager"]
    assert response.get_json()["team"] == "west"
    assert response.headers["ETag"] == '"2"'


def test_a_change_without_if_match_is_428_and_a_stale_one_412(client, admin_headers, make_user):
    user = make_user("sales_rep")
    missing = client.patch(f"/api/v1/users/{user.id}", json={"team": "x"}, headers=admin_headers)
    stale = client.patch(
        f"/api/v1/users/{user.id}", json={"team": "x"}, headers=admin_headers | {"If-Match": '"7"'}
    )
    assert missing.status_code == 428
    assert stale.status_code == 412
    assert problem(stale)["code"] == "stale_version"


def test_an_empty_change_is_refused(client, admin_headers, make_user):
    user = make_user("sales_rep")
    response = client.patch(f"/api/v1/users/{user.id}", json={}, headers=admin_headers | {"If-Match": '"1"'})
    assert response.status_code == 422


def test_a_password_reset_signs_the_user_out(client, admin_headers, make_user, login, user_password):
    user = make_user("sales_rep")
    session = login(user.username, user_password)
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"password": "brand-new-password"},
        headers=admin_headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 401
    old = client.post("/api/v1/auth/token", json={"username": user.username, "password": user_password})
    assert old.status_code == 401
    assert login(user.username, "brand-new-password")["access_token"]


def test_deactivating_a_user_stops_sign_in_and_refresh(
    client, admin_headers, make_user, login, user_password
):
    user = make_user("sales_rep")
    session = login(user.username, user_password)
    client.patch(
        f"/api/v1/users/{user.id}", json={"active": False}, headers=admin_headers | {"If-Match": '"1"'}
    )
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 401
    signed_in = client.post("/api/v1/auth/token", json={"username": user.username, "password": user_password})
    assert problem(signed_in)["code"] == "auth.account_disabled"


def test_the_last_active_admin_cannot_be_demoted_or_disabled(client, admin_headers, login):
    me = client.get("/api/v1/users?role=admin", headers=admin_headers).get_json()["items"][0]
    for change in ({"roles": ["management"]}, {"active": False}):
        response = client.patch(
            f"/api/v1/users/{me['id']}", json=change, headers=admin_headers | {"If-Match": '"1"'}
        )
        assert response.status_code == 409
        assert problem(response)["code"] == "identity.last_admin"


def test_an_admin_may_step_down_once_another_admin_exists(client, admin_headers, make_user):
    make_user("admin", username="second-admin")
    admin = client.get("/api/v1/users?role=admin", headers=admin_headers).get_json()["items"][0]
    response = client.patch(
        f"/api/v1/users/{admin['id']}",
        json={"roles": ["management"]},
        headers=admin_headers | {"If-Match": '"1"'},
    )
    assert response.status_code == 200


def test_a_repeated_idempotency_key_creates_the_user_once(client, admin_headers):
    headers = admin_headers | {"Idempotency-Key": "create-dana-1"}
    first = client.post("/api/v1/users", json=new_user(), headers=headers)
    second = client.post("/api/v1/users", json=new_user(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json()["id"] == first.get_json()["id"]
