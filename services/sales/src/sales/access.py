"""Record-level access: a rep sees and edits their own records, a sales manager their team's, management all.

A record nobody owns yet (an unassigned lead) is visible to and editable by every sales manager, so they can
hand it out.
Other departments read what roles.py grants them (`readers`), never write. Every sales list narrows its
query with `visible`; every read of one record checks `require_view`; every write `require_edit`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa

import crmkit
from sales.roles import SEE_ALL

S = TypeVar("S", bound=sa.Select[Any])


class Scope(enum.Enum):
    ALL = "all"
    TEAM = "team"
    OWN = "own"
    NONE = "none"


class RecordForbidden(crmkit.Forbidden):
    code = "sales.access.forbidden"


def read_scope(principal: crmkit.Principal, readers: Iterable[str] = ()) -> Scope:
    """What the caller may read: everything, their team's records, their own, or nothing."""
    if principal.roles & set(SEE_ALL) or principal.roles & set(readers):
        return Scope.ALL
    return edit_scope(principal)


def edit_scope(principal: crmkit.Principal) -> Scope:
    """What the caller may change (other departments' read grants never reach here)."""
    if principal.roles & set(SEE_ALL):
        return Scope.ALL
    if "sales_manager" in principal.roles:
        return Scope.TEAM if principal.team else Scope.OWN
    if "sales_rep" in principal.roles:
        return Scope.OWN
    return Scope.NONE


def visible(
    stmt: S, principal: crmkit.Principal, owner_col: Any, team_col: Any, readers: Iterable[str] = ()
) -> S:
    """Narrow `stmt` to the rows the caller may see (owner_col / team_col name the record's owner)."""
    scope = read_scope(principal, readers)
    if scope is Scope.ALL:
        return stmt
    if scope is Scope.TEAM:
        return stmt.where(
            sa.or_(team_col == principal.team, owner_col == principal.subject, owner_col.is_(None))
        )
    if scope is Scope.OWN:
        return stmt.where(owner_col == principal.subject)
    return stmt.where(sa.false())


def _allows(scope: Scope, principal: crmkit.Principal, owner_id: str | None, owner_team: str | None) -> bool:
    if scope is Scope.ALL:
        return True
    if owner_id is not None and owner_id == principal.subject:
        return scope is not Scope.NONE
    if scope is not Scope.TEAM:
        return False
    return owner_id is None or (owner_team is not None and owner_team == principal.team)


def can_view(
    principal: crmkit.Principal, owner_id: str | None, owner_team: str | None, readers: Iterable[str] = ()
) -> bool:
    return _allows(read_scope(principal, readers), principal, owner_id, owner_team)


def can_edit(principal: crmkit.Principal, owner_id: str | None, owner_team: str | None) -> bool:
    return _allows(edit_scope(principal), principal, owner_id, owner_team)


def require_view(
    principal: crmkit.Principal, owner_id: str | None, owner_team: str | None, readers: Iterable[str] = ()
) -> None:
    """Raise Forbidden unless the caller may read a record with this owner and team."""
    if not can_view(principal, owner_id, owner_team, readers):
        raise RecordForbidden("This record belongs to someone whose records you may not see.")


def require_edit(principal: crmkit.Principal, owner_id: str | None, owner_team: str | None) -> None:
    """Raise Forbidden unless the caller may change a record with this owner and team."""
    if not can_edit(principal, owner_id, owner_team):
        raise RecordForbidden("Only the owner, their team's sales manager or management may change this.")
