"""GET /api/v1/audit-log: admins query the audit and security log with filters and cursor pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote


def test_only_admins_read_the_log_and_the_refusal_is_itself_logged(
    client, make_user, headers_for, admin_headers
):
    user = make_user("management", username="boss")
    refused = client.get("/api/v1/audit-log", headers=headers_for(user))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "auth.role_required")
    entries = client.get("/api/v1/audit-log?action=access.denied", headers=admin_headers).get_json()["items"]
    assert [(e["actor_name"], e["path"], e["details"]["code"]) for e in entries] == [
        ("boss", "/api/v1/audit-log", "auth.role_required")
    ]


def test_sign_ins_and_admin_changes_are_logged_with_who_and_what(
    client, admin_headers, make_user, login, user_password
):
    user = make_user("sales_rep", username="rita", team="north")
    login("rita", user_password)
    etag = client.get(f"/api/v1/users/{user.id}", headers=admin_headers).headers["ETag"]
    client.patch(
        f"/api/v1/users/{user.id}",
        json={"roles": ["sales_manager"], "team": "south"},
        headers=admin_headers | {"If-Match": etag},
    )
    ok = client.get("/api/v1/audit-log?action=auth.login_succeeded&actor_name=rita", headers=admin_headers)
    [entry] = ok.get_json()["items"]
    assert (entry["outcome"], entry["target_type"], entry["target_id"]) == ("success", "user", user.id)
    assert entry["request_id"] and entry["method"] == "POST"
    [update] = client.get("/api/v1/audit-log?action=admin.user_updated", headers=admin_headers).get_json()[
        "items"
    ]
    assert update["actor_name"] == "admin" and update["actor_kind"] == "user"
    assert update["details"]["changes"] == {
        "roles": {"before": ["sales_rep"], "after": ["sales_manager"]},
        "team": {"before": "north", "after": "south"},
    }


def test_cursor_pages_walk_the_log_newest_first_without_gaps(client, admin_headers):
    for _ in range(5):
        client.get("/api/v1/quotes")  # 401, logged
    seen: list[int] = []
    url = "/api/v1/audit-log?status=401&limit=2"
    while url:
        page = client.get(url, headers=admin_headers).get_json()
        seen += [entry["id"] for entry in page["items"]]
        url = page["next_cursor"] and f"/api/v1/audit-log?status=401&limit=2&cursor={page['next_cursor']}"
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    oldest_first = client.get("/api/v1/audit-log?status=401&sort=id", headers=admin_headers).get_json()[
        "items"
    ]
    assert [entry["id"] for entry in oldest_first] == sorted(seen)


def test_filters_by_time_range_outcome_and_path(client, admin_headers):
    client.get("/api/v1/quotes")
    now = datetime.now(UTC)
    since = quote((now - timedelta(minutes=1)).isoformat())
    until = quote((now + timedelta(minutes=1)).isoformat())
    recent = client.get(
        f"/api/v1/audit-log?since={since}&until={until}&outcome=denied", headers=admin_headers
    )
    assert [entry["path"] for entry in recent.get_json()["items"]] == ["/api/v1/quotes"]
    future = client.get(f"/api/v1/audit-log?since={until}", headers=admin_headers).get_json()["items"]
    assert future == []
    by_path = client.get("/api/v1/audit-log?path_prefix=/api/v1/quo", headers=admin_headers).get_json()[
        "items"
    ]
    assert len(by_path) == 1


def test_bad_filters_name_the_field(client, admin_headers):
    response = client.get("/api/v1/audit-log?action=nope&since=yesterday", headers=admin_headers)
    assert response.status_code == 422
    assert {error["field"] for error in response.get_json()["errors"]} == {"action", "since"}
