"""The kit's HTTP mechanics through a real app: problems, request ids, auth, pagination, ETags, keys."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from crmkit.testing.auth import TokenFactory

PROBLEM = "application/problem+json"


def create(client: FlaskClient, auth: dict[str, str], name: str, **extra: Any) -> Any:
    response = client.post("/api/v1/items", json={"name": name, **extra}, headers=auth)
    assert response.status_code == 201, response.json
    return response


def test_validation_errors_are_problems_naming_each_bad_field(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/items", json={"rank": "high", "colour": "red"}, headers=auth)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["status"] == 422 and body["code"] == "validation_failed"
    assert body["type"].endswith("/validation_failed")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"name", "rank", "colour"}
    assert all(error["in"] == "json" for error in body["errors"])
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_malformed_json_is_a_400_problem(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/items", data="{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_non_json_body_is_refused_with_415(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/items", data="name=x", headers={**auth, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json["code"] == "unsupported_media_type"


def test_unknown_route_and_method_are_problems(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/nothing", headers=auth).json["status"] == 404
    response = client.delete("/api/v1/items", headers=auth)
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


def test_unexpected_error_is_a_500_problem_without_internals(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/items", json={"name": "explode"}, headers=auth)
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert "boom" not in response.get_data(as_text=True)


def test_request_id_is_kept_when_sane_and_made_when_missing(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    kept = client.get("/api/v1/items", headers={**auth, "X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/items", headers={**auth, "X-Request-ID": "bad id with spaces"})
    assert made.headers["X-Request-ID"] not in ("", "bad id with spaces")
    assert len(made.headers["X-Request-ID"]) == 32


def test_missing_and_bad_tokens_get_401(client: FlaskClient, token_factory: TokenFactory) -> None:
    missing = client.get("/api/v1/items")
    assert missing.status_code == 401 and missing.json["code"] == "auth.missing_token"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    expired = client.get("/api/v1/items", headers={"Authorization": f"Bearer {token_factory.token(ttl=-60)}"})
    assert expired.json["code"] == "auth.token_expired"
    garbage = client.get("/api/v1/items", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401 and garbage.json["code"] == "auth.invalid_token"


def test_token_for_another_audience_is_refused(client: FlaskClient, token_factory: TokenFactory) -> None:
    token = token_factory.token("editor", aud="someone-else")
    response = client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_role_check_gives_403_problem(
    client: FlaskClient, auth: dict[str, str], token_factory: TokenFactory
) -> None:
    item = create(client, auth, "a").json
    reader = token_factory.headers("viewer")
    response = client.patch(
        f"/api/v1/items/{item['id']}", json={"rank": 2}, headers={**reader, "If-Match": '"1"'}
    )
    assert response.status_code == 403 and response.json["code"] == "auth.role_required"
    admin = token_factory.headers("admin")
    assert (
        client.patch(
            f"/api/v1/items/{item['id']}", json={"rank": 2}, headers={**admin, "If-Match": '"1"'}
        ).status_code
        == 200
    )


def test_health_endpoints_need_no_token(client: FlaskClient) -> None:
    assert client.get("/healthz").json["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"database": "ok", "broker": "ok"}


def test_openapi_document_describes_problems_and_bearer_auth(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "bearer" in spec["components"]["securitySchemes"]
    assert "ProblemSchema" in json.dumps(spec["components"]) or "Problem" in json.dumps(spec["components"])
    assert "/api/v1/items/{item_id}" in spec["paths"]


def test_patch_without_if_match_is_428_and_stale_is_412(client: FlaskClient, auth: dict[str, str]) -> None:
    item = create(client, auth, "a").json
    url = f"/api/v1/items/{item['id']}"
    assert client.patch(url, json={"rank": 1}, headers=auth).status_code == 428
    first = client.patch(url, json={"rank": 1}, headers={**auth, "If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"' and first.json["version"] == 2
    stale = client.patch(url, json={"rank": 5}, headers={**auth, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json["code"] == "stale_version"
    assert client.get(url, headers=auth).json["rank"] == 1
    assert client.patch(url, json={"rank": 1}, headers={**auth, "If-Match": "garbage"}).status_code == 412


def test_idempotency_key_replays_first_response_and_creates_nothing_new(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": "k-1"}
    first = client.post("/api/v1/items", json={"name": "once"}, headers=headers)
    again = client.post("/api/v1/items", json={"name": "once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    names = [item["name"] for item in client.get("/api/v1/items", headers=auth).json["items"]]
    assert names == ["once"]


def test_idempotency_key_reused_for_another_body_is_refused(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/items", json={"name": "one"}, headers=headers).status_code == 201
    other = client.post("/api/v1/items", json={"name": "two"}, headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key.reused"


def test_failed_request_releases_its_idempotency_key(client: FlaskClient, auth: dict[str, str]) -> None:
    headers = {**auth, "Idempotency-Key": "k-3"}
    assert client.post("/api/v1/items", json={"name": ""}, headers=headers).status_code == 422
    assert client.post("/api/v1/items", json={"name": ""}, headers=headers).status_code == 422


def test_idempotency_keys_are_scoped_to_the_caller(client: FlaskClient, token_factory: TokenFactory) -> None:
    alice = {**token_factory.headers("editor", sub="alice"), "Idempotency-Key": "same"}
    bob = {**token_factory.headers("editor", sub="bob"), "Idempotency-Key": "same"}
    assert client.post("/api/v1/items", json={"name": "a"}, headers=alice).status_code == 201
    response = client.post("/api/v1/items", json={"name": "b"}, headers=bob)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


def test_nul_characters_are_refused_naming_the_field_not_stored(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/items", json={"name": "bad\u0000name"}, headers=auth)
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["name"]
    assert client.get("/api/v1/items", headers=auth).json["items"] == []


def test_nul_characters_in_the_url_are_a_400_problem(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/items/a%00b", headers=auth).json["code"] == "bad_request"
    response = client.get("/api/v1/items?sort=na%00me", headers=auth)
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_nul_paths_name_nested_strings_and_keys() -> None:
    from crmkit.api import nul_paths

    data = {"a": "ok", "b": ["x", "y\u0000"], "c": {"d\u0000": 1, "e": {"f": "\u0000"}}}
    assert sorted(nul_paths(data)) == ["b.1", "c.d\u0000", "c.e.f"]
