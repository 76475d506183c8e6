"""The role -> resource/method table and API key scopes."""

from __future__ import annotations

import pytest

from gateway.access.rules import (
    ACCESS_RULES,
    describe,
    event_patterns,
    is_allowed,
    methods_for,
    readable_resources,
)
from gateway.identity.models import ROLES
from gateway.routes import ROUTE_DECLARATIONS


def test_every_department_role_has_a_row_and_names_only_known_resources_or_services():
    assert set(ACCESS_RULES) == set(ROLES)
    known = set(ROUTE_DECLARATIONS) | set(ROUTE_DECLARATIONS.values())
    for grants in ACCESS_RULES.values():
        assert set(grants) <= known


@pytest.mark.parametrize(
    ("roles", "resource", "method", "allowed"),
    [
        (["sales_rep"], "opportunities", "PATCH", True),
        (["sales_rep"], "accounts", "POST", True),
        (["sales_rep"], "projects", "GET", True),
        (["sales_rep"], "projects", "POST", False),
        (["service_agent"], "quotes", "GET", True),
        (["service_agent"], "quotes", "POST", False),
        (["service_agent"], "tickets", "DELETE", True),
        (["delivery_member"], "orders", "PATCH", False),
        (["delivery_member"], "tasks", "PATCH", True),
        (["marketing"], "campaigns", "POST", True),
        (["marketing"], "opportunities", "PATCH", False),
        (["marketing"], "projects", "GET", False),
        (["marketing"], "timesheets", "POST", True),
        (["management"], "sla-policies", "PUT", False),
        (["management"], "opportunities", "POST", True),
        (["admin"], "sla-policies", "DELETE", True),
        (["marketing", "sales_rep"], "opportunities", "PATCH", True),
        ([], "accounts", "GET", False),
        (["no_such_role"], "accounts", "GET", False),
    ],
)
def test_the_table_decides_per_role_resource_and_method(roles, resource, method, allowed):
    assert is_allowed(roles, [], resource, method) is allowed


def test_a_resource_entry_wins_over_its_services_entry():
    assert methods_for("marketing", "leads") >= {"POST", "PATCH"}
    assert methods_for("marketing", "quotes") == {"GET", "HEAD"}


def test_integrators_read_only_the_resources_in_their_scopes():
    scopes = ["read:accounts", "events:sales.#"]
    assert is_allowed(["integrator"], scopes, "accounts", "GET")
    assert is_allowed(["integrator"], scopes, "accounts", "HEAD")
    assert not is_allowed(["integrator"], scopes, "accounts", "POST")
    assert not is_allowed(["integrator"], scopes, "contacts", "GET")
    assert readable_resources(scopes) == ["accounts"]
    assert event_patterns(scopes) == ["sales.#"]


def test_describe_spells_out_every_resource_for_admin():
    table = describe()
    assert set(table["admin"]) == set(ROUTE_DECLARATIONS)
    assert "projects" not in table["marketing"]
    assert table["service_agent"]["quotes"] == ["GET", "HEAD"]


def test_every_routed_resource_is_reachable_by_some_department_role():
    """A resource added to the route table without a grant would be admin-only: name it in ACCESS_RULES."""
    departments = [role for role in ACCESS_RULES if role != "admin"]
    unreachable = [
        resource
        for resource in ROUTE_DECLARATIONS
        if not any(methods_for(role, resource) for role in departments)
    ]
    assert unreachable == []
