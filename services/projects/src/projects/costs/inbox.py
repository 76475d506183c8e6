"""Cross-project lists of time, expenses and attendance: your own, or the approvals waiting for you."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import crmkit
from projects.attendance.models import AttendanceRecord
from projects.costs.models import Expense, Timesheet
from projects.roles import OVERSEERS
from projects.team.models import TeamMember


def list_my_timesheets(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    """Your timesheets on every project, or (awaiting_my_approval) those you may approve."""
    return _page(uow, Timesheet, Timesheet.user_id, Timesheet.submitted_at, query, actor)


def list_my_expenses(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    """Your expenses on every project, or (awaiting_my_approval) those you may approve."""
    return _page(uow, Expense, Expense.submitted_by, Expense.submitted_at, query, actor)


def list_my_attendance(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> crmkit.Page:
    """Your stays on every project's sites, latest first."""
    owner = _owner(query, actor)
    stmt = sa.select(AttendanceRecord).where(AttendanceRecord.user_id == owner)
    if query.get("project_id"):
        stmt = stmt.where(AttendanceRecord.project_id == query["project_id"])
    sort = crmkit.parse_sort(
        None, {"check_in_at": AttendanceRecord.check_in_at}, "-check_in_at", AttendanceRecord.id
    )
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _page(
    uow: crmkit.UnitOfWork,
    model: Any,
    owner_column: Any,
    time_column: Any,
    query: Mapping[str, Any],
    actor: crmkit.Principal,
) -> crmkit.Page:
    if query.get("awaiting_my_approval"):
        managed = sa.select(TeamMember.project_id).where(
            TeamMember.user_id == actor.subject, TeamMember.role == "project_manager"
        )
        stmt = sa.select(model).where(
            model.project_id.in_(managed), model.status == "submitted", owner_column != actor.subject
        )
    else:
        stmt = sa.select(model).where(owner_column == _owner(query, actor))
        if query.get("status"):
            stmt = stmt.where(model.status == query["status"])
    if query.get("project_id"):
        stmt = stmt.where(model.project_id == query["project_id"])
    sort = crmkit.parse_sort(None, {"at": time_column}, "-at", model.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _owner(query: Mapping[str, Any], actor: crmkit.Principal) -> str:
    """Whose records: your own; someone else's only for management and admin."""
    wanted = query.get("user_id") or actor.subject
    if wanted != actor.subject and not actor.has_any_role(OVERSEERS):
        raise crmkit.Forbidden(
            "Only management and admin list other people's time, expenses and attendance.",
            code="projects.records.not_yours",
        )
    return str(wanted)
