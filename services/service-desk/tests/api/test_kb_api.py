"""/api/v1/kb: categories, articles with drafts, revisions and publishing, full-text search (FTS5 here),
links to tickets and suggestions for a ticket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]
Factory = Callable[..., dict[str, Any]]


@pytest.fixture
def write_article(client: FlaskClient, agent: Headers, manager: Headers) -> Factory:
    """Write an article as an agent and (unless publish=False) publish it as a manager; return its JSON."""

    def write(title: str, body: str, *, publish: bool = True, **fields: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/kb/articles", json={"title": title, "body": body, **fields}, headers=agent
        )
        assert response.status_code == 201, response.json
        if not publish:
            return dict(response.json)
        published = client.post(
            f"/api/v1/kb/articles/{response.json['id']}/publish", json={}, headers=manager
        )
        assert published.status_code == 200, published.json
        return dict(published.json)

    return write


@pytest.fixture
def library(write_article: Factory) -> dict[str, dict[str, Any]]:
    return {
        "export": write_article(
            "Invoice export fails with error 500",
            "When the invoice export fails, check that the export folder exists and the PDF printer is set up.",
        ),
        "password": write_article(
            "Reset a forgotten password", "Use the 'Forgot password' link on the login page."
        ),
        "printer": write_article(
            "Printer setup", "Install the PDF printer driver before exporting invoices."
        ),
        "draft": write_article(
            "Invoice numbering (draft)", "Invoice numbers restart every year.", publish=False
        ),
    }


def search(client: FlaskClient, headers: Headers, q: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/kb/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.json
    return list(response.json["items"])


def test_search_ranks_title_matches_first_and_skips_drafts(
    client: FlaskClient, agent: Headers, library: dict[str, dict[str, Any]]
) -> None:
    hits = search(client, agent, "invoice")
    assert [hit["article"]["id"] for hit in hits] == [library["export"]["id"], library["printer"]["id"]]
    assert hits[0]["rank"] > hits[1]["rank"]
    assert "<mark>" in hits[0]["snippet"]


def test_search_stems_words_and_honours_phrases_and_exclusions(
    client: FlaskClient, agent: Headers, library: dict[str, dict[str, Any]]
) -> None:
    assert search(client, agent, "exporting")[0]["article"]["id"] == library["export"]["id"]
    assert [hit["article"]["id"] for hit in search(client, agent, '"printer driver"')] == [
        library["printer"]["id"]
    ]
    assert [hit["article"]["id"] for hit in search(client, agent, "invoice -printer")] == []
    assert [hit["article"]["id"] for hit in search(client, agent, "pdf -driver")] == [library["export"]["id"]]


def test_search_survives_query_syntax_in_user_text(
    client: FlaskClient, agent: Headers, library: dict[str, dict[str, Any]]
) -> None:
    for text in ['password" OR 1=1 --', "NEAR(password", "pass*word", "AND", '"""', "password:"]:
        assert isinstance(search(client, agent, text), list)
    assert search(client, agent, "forgot OR")[0]["article"]["id"] == library["password"]["id"]


def test_search_needs_a_query(client: FlaskClient, agent: Headers) -> None:
    response = client.get("/api/v1/kb/search", headers=agent)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "q"


def test_editing_a_published_article_makes_a_revision_and_republishing_updates_search(
    client: FlaskClient,
    agent: Headers,
    manager: Headers,
    write_article: Factory,
    patch_json: Callable[..., Any],
) -> None:
    article = write_article("VPN access", "Install the client.")
    url = f"/api/v1/kb/articles/{article['id']}"
    edited = patch_json(url, {"body": "Install the WireGuard client."}, agent, article["version"])
    assert edited.status_code == 200, edited.json
    assert (edited.json["revision"], edited.json["published_revision"]) == (2, 1)
    assert edited.json["has_unpublished_changes"] is True
    assert search(client, agent, "wireguard") == []
    versions = client.get(f"{url}/versions", headers=agent).json["items"]
    assert [(item["number"], item["body"]) for item in versions] == [
        (2, "Install the WireGuard client."),
        (1, "Install the client."),
    ]
    assert client.get(f"{url}/versions/1", headers=agent).json["body"] == "Install the client."
    assert (
        client.get(f"{url}/versions/9", headers=agent).json["code"]
        == "servicedesk.kb_article.revision_not_found"
    )
    client.post(f"{url}/publish", json={}, headers=manager)
    assert [hit["article"]["id"] for hit in search(client, agent, "wireguard")] == [article["id"]]
    rolled_back = client.post(f"{url}/publish", json={"revision": 1}, headers=manager)
    assert rolled_back.json["published_body"] == "Install the client."
    assert search(client, agent, "wireguard") == []
    missing = client.post(f"{url}/publish", json={"revision": 7}, headers=manager)
    assert missing.status_code == 422
    assert missing.json["errors"][0]["field"] == "revision"


def test_archived_articles_leave_search_and_readers_never_see_drafts(
    client: FlaskClient,
    agent: Headers,
    manager: Headers,
    rep: Headers,
    library: dict[str, dict[str, Any]],
) -> None:
    client.post(f"/api/v1/kb/articles/{library['password']['id']}/archive", headers=manager)
    assert search(client, agent, "password") == []
    draft_url = f"/api/v1/kb/articles/{library['draft']['id']}"
    assert client.get(draft_url, headers=agent).status_code == 200
    hidden = client.get(draft_url, headers=rep)
    assert hidden.status_code == 404
    assert hidden.json["code"] == "servicedesk.kb_article.not_found"
    listed = client.get("/api/v1/kb/articles", headers=rep).json["items"]
    assert {item["status"] for item in listed} == {"published"}
    assert len(client.get("/api/v1/kb/articles?status=draft", headers=agent).json["items"]) == 1


def test_only_agents_write_and_only_managers_publish(
    client: FlaskClient, rep: Headers, agent: Headers
) -> None:
    assert (
        client.post("/api/v1/kb/articles", json={"title": "T", "body": "B"}, headers=rep).status_code == 403
    )
    draft = client.post("/api/v1/kb/articles", json={"title": "T", "body": "B"}, headers=agent).json
    assert (
        client.post(f"/api/v1/kb/articles/{draft['id']}/publish", json={}, headers=agent).status_code == 403
    )


def test_categories_file_articles_and_filter_search(
    client: FlaskClient, agent: Headers, manager: Headers, write_article: Factory
) -> None:
    billing = client.post("/api/v1/kb/categories", json={"name": "Billing"}, headers=manager).json
    write_article("Invoice export", "Export invoices as PDF.", category_id=billing["id"])
    write_article("Invoice printing", "Print invoices.")
    hits = search(client, agent, "invoice", category_id=billing["id"])
    assert [hit["article"]["title"] for hit in hits] == ["Invoice export"]
    taken = client.post("/api/v1/kb/categories", json={"name": "Billing"}, headers=manager)
    assert taken.json["code"] == "servicedesk.kb_category.name_taken"
    in_use = client.delete(f"/api/v1/kb/categories/{billing['id']}", headers={**manager, "If-Match": '"1"'})
    assert in_use.status_code == 409
    assert in_use.json["code"] == "servicedesk.kb_category.in_use"
    unknown = client.post(
        "/api/v1/kb/articles", json={"title": "T", "body": "B", "category_id": "nope"}, headers=agent
    )
    assert unknown.status_code == 422
    assert unknown.json["code"] == "servicedesk.kb_article.invalid"
    assert unknown.json["errors"][0]["field"] == "category_id"


def test_articles_link_to_tickets_and_are_suggested_for_new_ones(
    client: FlaskClient,
    agent: Headers,
    library: dict[str, dict[str, Any]],
    open_ticket: Factory,
) -> None:
    ticket = open_ticket(
        "Hello, our invoice export fails",
        description="Since Monday we get error 500 when exporting invoices.",
    )
    suggested = client.get(f"/api/v1/tickets/{ticket['id']}/suggested-articles", headers=agent)
    assert suggested.status_code == 200, suggested.json
    ids = [hit["article"]["id"] for hit in suggested.json["items"]]
    assert ids[0] == library["export"]["id"]
    assert library["draft"]["id"] not in ids and library["password"]["id"] not in ids

    url = f"/api/v1/kb/articles/{library['export']['id']}/tickets"
    linked = client.post(url, json={"ticket_id": ticket["id"]}, headers=agent)
    assert linked.status_code == 201, linked.json
    assert client.post(url, json={"ticket_id": ticket["id"]}, headers=agent).status_code == 201  # idempotent
    assert [link["ticket_id"] for link in client.get(url, headers=agent).json["items"]] == [ticket["id"]]
    on_ticket = client.get(f"/api/v1/tickets/{ticket['id']}/articles", headers=agent).json["items"]
    assert [article["id"] for article in on_ticket] == [library["export"]["id"]]
    bad = client.post(url, json={"ticket_id": "nope"}, headers=agent)
    assert bad.status_code == 422
    assert bad.json["code"] == "servicedesk.kb_link.invalid"
    assert client.delete(f"{url}/{ticket['id']}", headers=agent).status_code == 204
    assert client.get(f"/api/v1/tickets/{ticket['id']}/articles", headers=agent).json["items"] == []
