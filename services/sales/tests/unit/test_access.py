"""Record-level access rules: who sees and edits which sales records."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import crmkit
from sales import access
from sales.leads.models import Lead
from sales.roles import LEAD_READERS


def principal(*roles: str, sub: str = "u-1", team: str | None = None) -> crmkit.Principal:
    return crmkit.Principal(subject=sub, username=sub, roles=frozenset(roles), team=team)


REP = principal("sales_rep", sub="rep-1", team="north")
MANAGER = principal("sales_manager", sub="mgr-1", team="north")
LONE_MANAGER = principal("sales_manager", sub="mgr-2")
BOSS = principal("management", sub="boss")
ADMIN = principal("admin", sub="root")
MARKETING = principal("marketing", sub="mk")
AGENT = principal("service_agent", sub="agent")


@pytest.mark.parametrize(
    ("who", "owner", "team", "view", "edit"),
    [
        (REP, "rep-1", "north", True, True),
        (REP, "rep-2", "north", False, False),
        (REP, None, None, False, False),
        (MANAGER, "rep-2", "north", True, True),
        (MANAGER, "rep-3", "south", False, False),
        (MANAGER, None, None, True, True),
        (LONE_MANAGER, "rep-2", "north", False, False),
        (LONE_MANAGER, "mgr-2", None, True, True),
        (BOSS, "rep-3", "south", True, True),
        (ADMIN, "rep-3", "south", True, True),
        (MARKETING, "rep-3", "south", True, False),
        (AGENT, "rep-3", "south", False, False),
    ],
)
def test_view_and_edit(
    who: crmkit.Principal, owner: str | None, team: str | None, view: bool, edit: bool
) -> None:
    assert access.can_view(who, owner, team, LEAD_READERS) is view
    assert access.can_edit(who, owner, team) is edit


def test_require_edit_raises_a_forbidden_problem() -> None:
    with pytest.raises(access.RecordForbidden) as raised:
        access.require_edit(REP, "rep-2", "north")
    assert raised.value.status == 403
    assert raised.value.code == "sales.access.forbidden"


def test_visible_narrows_the_query() -> None:
    def where(who: crmkit.Principal) -> str:
        stmt = access.visible(sa.select(Lead.id), who, Lead.owner_id, Lead.owner_team, LEAD_READERS)
        return str(stmt.whereclause) if stmt.whereclause is not None else ""

    assert where(BOSS) == "" and where(MARKETING) == ""
    assert "leads.owner_id =" in where(REP) and "owner_team" not in where(REP)
    assert "leads.owner_team =" in where(MANAGER) and "IS NULL" in where(MANAGER)
    assert where(AGENT) == "false"
