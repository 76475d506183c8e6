"""Listing accounts: every filter with every sort pages through each match exactly once, in order."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient

from customer.accounts.models import TIERS
from customer.normalize import name_key

Headers = dict[str, str]
NAMES = [
    "Acme GmbH", "acme analytics", "Acme Bakery", "Ácme Werke", "Apex", "Blue Ocean", "Bluebird", "Beta Ltd",
    "Cobalt", "Cyan & Co", "Delta", "Müller AG", "Mueller", "Muller Brothers", "Omega", "Zenith",
    "Acme GmbH", "Alpha", "Aster", "Zeta", "Quartz", "Quasar", "Nova", "Nimbus",
]  # fmt: skip
SORT_KEYS: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {
    "name": lambda a: (name_key(a["name"]), a["id"]),
    "created_at": lambda a: (a["created_at"], a["id"]),
    "tier": lambda a: (TIERS.index(a["tier"]), name_key(a["name"]), a["id"]),
}
FILTERS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "": lambda a: True,
    "q=acme": lambda a: name_key(a["name"]).startswith("acme"),
    "q=M%C3%9CL": lambda a: name_key(a["name"]).startswith("mul"),
    "tag=emea": lambda a: "emea" in a["tags"],
    "tier=key": lambda a: a["tier"] == "key",
    "owner=u-2": lambda a: a["owner_id"] == "u-2",
    "stage=active": lambda a: a["lifecycle_stage"] == "active",
    "tag=emea&q=a&tier=standard": lambda a: (
        "emea" in a["tags"] and name_key(a["name"]).startswith("a") and a["tier"] == "standard"
    ),
}


def seed(create_account: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    accounts = []
    for index, name in enumerate(NAMES):
        accounts.append(
            create_account(
                name,
                tier=TIERS[index % 3],
                owner_id=f"u-{index % 4}",
                lifecycle_stage=("prospect", "active")[index % 2],
                tags=["emea"] if index % 3 != 1 else ["apac"],
            )
        )
    return accounts


def test_every_filter_with_every_sort_pages_through_each_match_once_in_order(
    reader: Headers, create_account: Callable[..., dict[str, Any]], walk: Callable[..., list[dict[str, Any]]]
) -> None:
    accounts = seed(create_account)
    for (query, keep), (sort, key), descending in itertools.product(
        FILTERS.items(), SORT_KEYS.items(), (False, True)
    ):
        sort_spec = ("-" if descending else "") + sort
        expected = sorted((a for a in accounts if keep(a)), key=key, reverse=descending)
        got = walk(f"/api/v1/accounts?sort={sort_spec}&{query}", reader, limit=3)
        assert [a["id"] for a in got] == [a["id"] for a in expected], (query, sort_spec)
    assert len(walk("/api/v1/accounts", reader, limit=5)) == len(NAMES)


def test_default_order_is_by_name_and_the_first_page_says_where_to_go_next(
    client: FlaskClient, reader: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    for name in ("beta", "Alpha", "gamma"):
        create_account(name)
    page = client.get("/api/v1/accounts?limit=2", headers=reader).json
    assert [a["name"] for a in page["items"]] == ["Alpha", "beta"] and page["next_cursor"]
    rest = client.get(f"/api/v1/accounts?limit=2&cursor={page['next_cursor']}", headers=reader).json
    assert [a["name"] for a in rest["items"]] == ["gamma"] and rest["next_cursor"] is None


def test_name_prefix_search_ignores_case_accents_and_punctuation(
    client: FlaskClient, reader: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    for name in ("Müller & Söhne GmbH", "O'Reilly Media", "Mullerton", "Other"):
        create_account(name)

    def names(q: str) -> list[str]:
        return [a["name"] for a in client.get(f"/api/v1/accounts?q={quote(q)}", headers=reader).json["items"]]

    assert names("MULLER") == ["Müller & Söhne GmbH", "Mullerton"]
    assert names("müller ") == ["Müller & Söhne GmbH"]
    assert names("oreilly") == ["O'Reilly Media"]


def test_merged_and_deleted_accounts_are_not_listed(
    client: FlaskClient,
    manager: Headers,
    create_account: Callable[..., dict[str, Any]],
) -> None:
    keep, merged, deleted = create_account("Keep"), create_account("Merged"), create_account("Deleted")
    client.post(
        f"/api/v1/accounts/{keep['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    client.delete(f"/api/v1/accounts/{deleted['id']}", headers={**manager, "If-Match": '"1"'})
    listed = client.get("/api/v1/accounts", headers=manager).json["items"]
    assert [a["id"] for a in listed] == [keep["id"]]


def test_renaming_or_retiering_a_tagged_account_keeps_tag_lists_in_step(
    reader: Headers,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
    walk: Callable[..., list[dict[str, Any]]],
) -> None:
    first, second = create_account("Alpha", tags=["emea"]), create_account("Beta", tags=["emea"])
    patch_json(f"/api/v1/accounts/{first['id']}", {"name": "Zulu", "tier": "key"}, rep, 1)
    by_name = walk("/api/v1/accounts?tag=emea&sort=name", reader, limit=1)
    assert [a["name"] for a in by_name] == ["Beta", "Zulu"]
    by_tier = walk("/api/v1/accounts?tag=emea&sort=tier&tier=key", reader, limit=1)
    assert [a["id"] for a in by_tier] == [first["id"]]
    assert [a["name"] for a in walk("/api/v1/accounts?tag=emea&q=zu", reader, limit=1)] == ["Zulu"]
    assert second["id"] in {a["id"] for a in walk("/api/v1/accounts?tag=emea&q=b", reader, limit=1)}


def test_bad_list_parameters_are_422_problems_naming_the_parameter(
    client: FlaskClient, reader: Headers
) -> None:
    cases = {
        "sort=colour": "sort",
        "limit=1000": "limit",
        "tier=gold": "tier",
        "stage=zombie": "stage",
        "cursor=%25%25%25": "cursor",
    }
    for query, field in cases.items():
        response = client.get(f"/api/v1/accounts?{query}", headers=reader)
        assert response.status_code == 422, query
        assert [(e["field"], e["in"]) for e in response.json["errors"]] == [(field, "query")], query


def test_a_cursor_from_another_sort_is_refused(
    client: FlaskClient, reader: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    for name in ("a", "b", "c"):
        create_account(name)
    cursor = client.get("/api/v1/accounts?limit=1&sort=name", headers=reader).json["next_cursor"]
    response = client.get(f"/api/v1/accounts?limit=1&sort=created_at&cursor={cursor}", headers=reader)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "cursor"
