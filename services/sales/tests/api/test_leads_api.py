"""Leads through the HTTP API: capture, duplicates, status flow, assignment, conversion, access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_capture_assigns_by_rule_and_records_history(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
    outbox: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    add_rule(["rep-1"])
    lead = create_lead(email="Lena@Nordwind.example", region="Hamburg")
    assert lead["owner_id"] == "rep-1"
    assert lead["owner_team"] == "north"
    assert lead["status"] == "new"
    history = client.get(f"/api/v1/leads/{lead['id']}/assignments", headers=manager).json["items"]
    assert [(item["reason"], item["to_owner_id"]) for item in history] == [("rule", "rep-1")]
    assert [event.type for event in outbox()] == ["crm.sales.lead.created", "crm.sales.lead.assigned"]
    assigned = outbox("sales.lead.assigned")[0].data
    assert assigned["changes"]["owner_id"] == {"before": None, "after": "rep-1"}
    assert assigned["assignment"]["reason"] == "rule"


def test_capture_without_matching_rule_stays_unassigned(
    client: FlaskClient, manager: Headers, create_lead: Callable[..., Any]
) -> None:
    lead = create_lead()
    assert lead["owner_id"] is None
    history = client.get(f"/api/v1/leads/{lead['id']}/assignments", headers=manager).json["items"]
    assert [item["reason"] for item in history] == ["unmatched"]


def test_bad_input_names_the_field(client: FlaskClient, manager: Headers) -> None:
    response = client.post("/api/v1/leads", json={"company": "X", "email": "nope"}, headers=manager)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    fields = {error["field"] for error in response.json["errors"]}
    assert {"last_name", "email"} <= fields


def test_duplicate_open_lead_is_refused_unless_allowed(
    client: FlaskClient, manager: Headers, create_lead: Callable[..., Any]
) -> None:
    first = create_lead(email="lena@nordwind.example")
    body = {"last_name": "Other", "email": "LENA@nordwind.example"}
    response = client.post("/api/v1/leads", json=body, headers=manager)
    assert response.status_code == 409
    assert response.json["code"] == "sales.lead.duplicate"
    assert response.json["candidates"] == [{"kind": "lead", "id": first["id"], "account_id": None}]
    allowed = client.post("/api/v1/leads", json={**body, "allow_duplicate": True}, headers=manager)
    assert allowed.status_code == 201
    assert allowed.json["duplicates"][0]["id"] == first["id"]


def test_duplicate_of_known_contact(
    client: FlaskClient,
    manager: Headers,
    deliver: Callable[..., Any],
    account_event: Callable[..., Any],
    contact_event: Callable[..., Any],
) -> None:
    deliver("customer.account.created", account_event("acc-1", tier="key"), sequence=1)
    deliver("customer.contact.created", contact_event("con-1", "acc-1", "jana@acme.example"), sequence=1)
    response = client.post(
        "/api/v1/leads", json={"last_name": "Novak", "email": "Jana@acme.example"}, headers=manager
    )
    assert response.status_code == 409
    assert response.json["candidates"] == [{"kind": "contact", "id": "con-1", "account_id": "acc-1"}]
    body = {"last_name": "Novak", "email": "jana@acme.example", "allow_duplicate": True}
    lead = client.post("/api/v1/leads", json=body, headers=manager).json
    assert lead["tier"] == "key"  # the known contact's account is a key account


def test_status_flow_with_events(
    client: FlaskClient,
    rep: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    outbox: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    lead = create_lead(owner_id="rep-1")
    url = f"/api/v1/leads/{lead['id']}"
    assert client.post(f"{url}/work", headers=rep).json["status"] == "working"
    qualified = client.post(f"{url}/qualify", headers=rep)
    assert qualified.status_code == 200
    assert qualified.json["qualified_at"] is not None
    again = client.post(f"{url}/qualify", headers=rep)
    assert again.status_code == 409
    assert again.json["code"] == "sales.lead.status_invalid"
    disqualified = client.post(f"{url}/disqualify", json={"reason": "no_budget"}, headers=rep)
    assert disqualified.json["status"] == "disqualified"
    assert outbox("sales.lead.disqualified")[0].data["disqualify_reason"] == "no_budget"
    assert outbox("sales.lead.qualified")[0].data["changes"]["status"] == {
        "before": "working",
        "after": "qualified",
    }


def test_disqualify_needs_a_known_reason(
    client: FlaskClient, rep: Headers, add_rep: Callable[..., Any], create_lead: Callable[..., Any]
) -> None:
    add_rep("rep-1")
    lead = create_lead(owner_id="rep-1")
    response = client.post(f"/api/v1/leads/{lead['id']}/disqualify", json={"reason": "meh"}, headers=rep)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "reason"


def test_manual_reassignment_keeps_history(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    outbox: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    add_rep("rep-2")
    lead = create_lead(owner_id="rep-1")
    response = client.post(
        f"/api/v1/leads/{lead['id']}/assign",
        json={"owner_id": "rep-2", "note": "holiday cover"},
        headers=manager,
    )
    assert response.status_code == 200
    assert response.json["owner_id"] == "rep-2"
    history = client.get(f"/api/v1/leads/{lead['id']}/assignments", headers=manager).json["items"]
    assert [(item["from_owner_id"], item["to_owner_id"], item["reason"]) for item in history] == [
        (None, "rep-1", "manual"),
        ("rep-1", "rep-2", "manual"),
    ]
    assert history[1]["note"] == "holiday cover"
    assert len(outbox("sales.lead.assigned")) == 2


def test_assigning_to_someone_off_the_roster_is_refused(
    client: FlaskClient, manager: Headers, create_lead: Callable[..., Any]
) -> None:
    lead = create_lead()
    response = client.post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": "ghost"}, headers=manager)
    assert response.status_code == 422
    assert response.json["code"] == "sales.lead.owner_unknown"
    assert response.json["errors"][0]["field"] == "owner_id"


def test_rep_sees_own_leads_manager_sees_team_and_unassigned(
    client: FlaskClient,
    rep: Headers,
    other_rep: Headers,
    south_rep: Headers,
    manager: Headers,
    management: Headers,
    as_role: Callable[..., Headers],
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    add_rep("rep-3", team="south")
    mine = create_lead(owner_id="rep-1")
    south = create_lead(owner_id="rep-3")
    unassigned = create_lead()

    def ids(headers: Headers) -> set[str]:
        return {item["id"] for item in client.get("/api/v1/leads", headers=headers).json["items"]}

    assert ids(rep) == {mine["id"]}
    assert ids(other_rep) == set()
    assert ids(south_rep) == {south["id"]}
    assert ids(manager) == {mine["id"], unassigned["id"]}
    assert ids(management) == {mine["id"], south["id"], unassigned["id"]}
    assert ids(as_role("marketing", sub="mk-1")) == {mine["id"], south["id"], unassigned["id"]}
    assert ids(as_role("service_agent", sub="sa-1")) == set()
    assert client.get(f"/api/v1/leads/{south['id']}", headers=rep).status_code == 404
    forbidden = client.post(f"/api/v1/leads/{mine['id']}/work", headers=other_rep)
    assert forbidden.status_code == 404  # other reps' leads are not even visible
    marketing_write = client.post(
        f"/api/v1/leads/{mine['id']}/work", headers=as_role("marketing", sub="mk-1")
    )
    assert marketing_write.status_code == 403


def test_patch_needs_if_match_and_edits_open_leads(
    client: FlaskClient,
    rep: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    patch_json: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    lead = create_lead(owner_id="rep-1")
    url = f"/api/v1/leads/{lead['id']}"
    assert client.patch(url, json={"title": "CEO"}, headers=rep).status_code == 428
    response = patch_json(url, {"title": "CEO"}, rep, lead["version"])
    assert response.status_code == 200
    assert response.json["title"] == "CEO"
    assert patch_json(url, {"title": "CFO"}, rep, lead["version"]).status_code == 412


def test_list_filters_and_pages(
    manager: Headers, create_lead: Callable[..., Any], walk: Callable[..., Any]
) -> None:
    created = [create_lead(last_name=f"Person {index}", source="event") for index in range(5)]
    create_lead(source="referral")
    items = walk("/api/v1/leads?source=event", manager, 2)
    assert [item["id"] for item in items] == [lead["id"] for lead in reversed(created)]


def test_closed_leads_are_not_edited_or_reassigned(
    client: FlaskClient,
    rep: Headers,
    manager: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    patch_json: Callable[..., Any],
) -> None:
    add_rep("rep-1")
    lead = create_lead(owner_id="rep-1")
    url = f"/api/v1/leads/{lead['id']}"
    disqualified = client.post(f"{url}/disqualify", json={"reason": "spam"}, headers=rep).json
    edit = patch_json(url, {"title": "CEO"}, rep, disqualified["version"])
    assert edit.status_code == 409 and edit.json["code"] == "sales.lead.closed"
    assert client.post(f"{url}/assign", json={}, headers=manager).json["code"] == "sales.lead.closed"
    reopened = client.post(f"{url}/work", headers=rep).json
    assert (reopened["status"], reopened["disqualify_reason"]) == ("working", None)


def test_unassigned_filter(
    client: FlaskClient, manager: Headers, add_rep: Callable[..., Any], create_lead: Callable[..., Any]
) -> None:
    add_rep("rep-1")
    create_lead(owner_id="rep-1")
    unassigned = create_lead()
    items = client.get("/api/v1/leads?owner=none", headers=manager).json["items"]
    assert [item["id"] for item in items] == [unassigned["id"]]


def test_reps_capture_for_themselves_only(
    client: FlaskClient, rep: Headers, add_rep: Callable[..., Any]
) -> None:
    add_rep("rep-1")
    add_rep("rep-2")
    other = client.post("/api/v1/leads", json={"last_name": "A", "owner_id": "rep-2"}, headers=rep)
    assert other.status_code == 403
    assert other.json["code"] == "sales.access.forbidden"
    mine = client.post("/api/v1/leads", json={"last_name": "B", "owner_id": "rep-1"}, headers=rep)
    assert mine.status_code == 201 and mine.json["owner_id"] == "rep-1"
