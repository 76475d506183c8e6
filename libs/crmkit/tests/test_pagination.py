"""Cursor pages: every row exactly once, in order, for every sort; bad cursors are problems."""

from __future__ import annotations

from flask.testing import FlaskClient


def fill(client: FlaskClient, auth: dict[str, str], count: int) -> None:
    for index in range(count):
        client.post("/api/v1/items", json={"name": f"item-{index % 7}", "rank": index % 3}, headers=auth)


def walk(client: FlaskClient, auth: dict[str, str], query: str) -> list[dict[str, object]]:
    seen: list[dict[str, object]] = []
    cursor = None
    for _ in range(50):
        url = f"/api/v1/items?limit=4&{query}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=auth).json
        assert len(page["items"]) <= 4
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


def test_pages_cover_every_row_once_in_order_for_each_sort(client: FlaskClient, auth: dict[str, str]) -> None:
    fill(client, auth, 17)
    for sort, key in (("name", "name"), ("-name", "name"), ("rank", "rank"), ("-rank", "rank")):
        rows = walk(client, auth, f"sort={sort}")
        assert len(rows) == 17 and len({row["id"] for row in rows}) == 17
        values = [row[key] for row in rows]
        assert values == sorted(values, reverse=sort.startswith("-")), sort


def test_filters_combine_with_cursors(client: FlaskClient, auth: dict[str, str]) -> None:
    fill(client, auth, 12)
    rows = walk(client, auth, "min_rank=2&sort=-created_at")
    assert len(rows) == 4 and all(row["rank"] == 2 for row in rows)


def test_cursor_from_another_sort_or_garbage_is_a_problem_on_cursor(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    fill(client, auth, 6)
    cursor = client.get("/api/v1/items?limit=2&sort=name", headers=auth).json["next_cursor"]
    other = client.get(f"/api/v1/items?limit=2&sort=rank&cursor={cursor}", headers=auth)
    assert other.status_code == 422 and other.json["errors"][0]["field"] == "cursor"
    garbage = client.get("/api/v1/items?cursor=%%%%", headers=auth)
    assert garbage.status_code == 422 and garbage.json["errors"][0]["field"] == "cursor"


def test_unknown_sort_and_limit_out_of_range_are_named(client: FlaskClient, auth: dict[str, str]) -> None:
    bad_sort = client.get("/api/v1/items?sort=colour", headers=auth)
    assert bad_sort.status_code == 422 and bad_sort.json["errors"][0]["field"] == "sort"
    bad_limit = client.get("/api/v1/items?limit=1000", headers=auth)
    assert bad_limit.status_code == 422
    error = bad_limit.json["errors"][0]
    assert (error["field"], error["in"]) == ("limit", "query")
