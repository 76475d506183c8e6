"""Teams, department roles, and the token's `team`."""

from __future__ import annotations

import jwt


def test_admin_creates_lists_and_describes_teams(client, admin_headers):
    created = client.post(
        "/api/v1/teams", json={"name": "north", "description": "Sales north"}, headers=admin_headers
    )
    assert created.status_code == 201, created.get_json()
    team = created.get_json()
    assert (team["name"], team["description"]) == ("north", "Sales north")
    assert created.headers["Location"].endswith(f"/api/v1/teams/{team['id']}")
    again = client.post("/api/v1/teams", json={"name": "north"}, headers=admin_headers)
    assert (again.status_code, again.get_json()["code"]) == (409, "identity.team_name_taken")
    page = client.get("/api/v1/teams", headers=admin_headers).get_json()
    assert [item["name"] for item in page["items"]] == ["north"]
    changed = client.patch(
        f"/api/v1/teams/{team['id']}",
        json={"description": "North and east"},
        headers=admin_headers | {"If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.get_json()["description"] == "North and east"


def test_assigning_a_new_team_name_creates_the_team(client, admin_headers, make_user):
    make_user("sales_rep", team="south")
    names = [item["name"] for item in client.get("/api/v1/teams", headers=admin_headers).get_json()["items"]]
    assert names == ["south"]


def test_a_team_with_members_cannot_be_deleted(client, admin_headers, make_user):
    user = make_user("sales_rep", team="west")
    team = client.get("/api/v1/teams?name=west", headers=admin_headers).get_json()["items"][0]
    etag = client.get(f"/api/v1/teams/{team['id']}", headers=admin_headers).headers["ETag"]
    refused = client.delete(f"/api/v1/teams/{team['id']}", headers=admin_headers | {"If-Match": etag})
    assert (refused.status_code, refused.get_json()["code"]) == (409, "identity.team_in_use")
    user_etag = client.get(f"/api/v1/users/{user.id}", headers=admin_headers).headers["ETag"]
    client.patch(
        f"/api/v1/users/{user.id}", json={"team": None}, headers=admin_headers | {"If-Match": user_etag}
    )
    deleted = client.delete(f"/api/v1/teams/{team['id']}", headers=admin_headers | {"If-Match": etag})
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/teams/{team['id']}", headers=admin_headers).status_code == 404


def test_only_admins_manage_teams(client, make_user, headers_for):
    rep = make_user("sales_manager")
    response = client.post("/api/v1/teams", json={"name": "x"}, headers=headers_for(rep))
    assert response.status_code == 403


def test_the_token_carries_roles_and_team(client, make_user, login, user_password):
    user = make_user("sales_rep", team="north")
    claims = jwt.decode(
        login(user.username, user_password)["access_token"], options={"verify_signature": False}
    )
    assert (claims["roles"], claims["team"]) == (["sales_rep"], "north")


def test_roles_lists_every_department_role_with_its_access_and_visible_fields(client, make_user, headers_for):
    user = make_user("marketing")
    body = client.get("/api/v1/roles", headers=headers_for(user)).get_json()
    roles = {item["name"]: item for item in body["items"]}
    assert list(roles) == [
        "sales_rep", "sales_manager", "service_agent", "service_manager", "project_manager",
        "delivery_member", "marketing", "management", "admin",
    ]  # fmt: skip
    assert roles["marketing"]["access"]["campaigns"] == ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"]
    assert "projects" not in roles["marketing"]["access"]
    assert roles["marketing"]["sees_fields_of"] == []
    assert roles["sales_rep"]["sees_fields_of"] == ["commercial_terms"]
