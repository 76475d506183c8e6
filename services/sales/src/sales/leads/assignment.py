"""Automatic lead assignment: the first matching rule with an available rep gets the lead.

A rule matches when the lead satisfies every non-empty condition (source, region, industry, tier; regions and
industries compare case-insensitively). Among the rule's reps, those active, not absent today and below their
capacity (most open leads) are eligible; round robin takes the next eligible rep after the one who got the
rule's previous lead, least busy the eligible rep with the fewest open leads (ties: the rule's order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sales.leads.models import AssignmentCursor, AssignmentRule, Lead
from sales.reps.models import Rep
from sales.reps.service import open_lead_counts


@dataclasses.dataclass(frozen=True)
class Choice:
    rule: AssignmentRule
    rep: Rep
    cursor: AssignmentCursor


def _folded(values: Sequence[str]) -> set[str]:
    return {value.casefold() for value in values}


def rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    """Whether the lead satisfies every condition the rule sets (an empty condition allows anything)."""
    checks = (
        (rule.sources, lead.source),
        (rule.regions, lead.region),
        (rule.industries, lead.industry),
        (rule.tiers, lead.tier),
    )
    return all(
        not wanted or (value is not None and value.casefold() in _folded(wanted)) for wanted, value in checks
    )


def eligible_reps(reps: Sequence[Rep], counts: Mapping[str, int], day: date) -> list[Rep]:
    """The reps that may take one more lead today: active, present, below capacity."""
    return [rep for rep in reps if rep.is_available(day) and counts.get(rep.id, 0) < rep.capacity]


def round_robin(rep_ids: Sequence[str], last_rep_id: str | None, eligible: set[str]) -> str | None:
    """The next eligible rep in the rule's order after `last_rep_id` (wrapping around)."""
    start = rep_ids.index(last_rep_id) + 1 if last_rep_id in rep_ids else 0
    rotated = [*rep_ids[start:], *rep_ids[:start]]
    return next((rep_id for rep_id in rotated if rep_id in eligible), None)


def least_busy(rep_ids: Sequence[str], counts: Mapping[str, int], eligible: set[str]) -> str | None:
    """The eligible rep with the fewest open leads; ties go to the one listed first."""
    candidates = [rep_id for rep_id in rep_ids if rep_id in eligible]
    return min(candidates, key=lambda rep_id: (counts.get(rep_id, 0), rep_ids.index(rep_id)), default=None)


def _cursor(session: Session, rule: AssignmentRule) -> AssignmentCursor:
    """The rule's round robin cursor, locked until commit, so concurrent captures take turns."""
    cursor = session.get(AssignmentCursor, rule.id, with_for_update=True)
    if cursor is None:  # rules get theirs on creation; this covers rules made some other way
        cursor = AssignmentCursor(rule_id=rule.id)
        session.add(cursor)
    return cursor


def _pick(session: Session, rule: AssignmentRule, cursor: AssignmentCursor, day: date) -> Rep | None:
    reps = list(session.scalars(sa.select(Rep).where(Rep.id.in_(rule.rep_ids))))
    counts = open_lead_counts(session, [rep.id for rep in reps])
    eligible = {rep.id for rep in eligible_reps(reps, counts, day)}
    if rule.strategy == "least_busy":
        chosen = least_busy(rule.rep_ids, counts, eligible)
    else:
        chosen = round_robin(rule.rep_ids, cursor.last_rep_id, eligible)
    return next((rep for rep in reps if rep.id == chosen), None)


def choose(session: Session, lead: Lead, day: date) -> Choice | None:
    """The first active rule (by position) matching the lead that has an eligible rep, and that rep."""
    rules = session.scalars(
        sa.select(AssignmentRule)
        .where(AssignmentRule.active.is_(True))
        .order_by(AssignmentRule.position, AssignmentRule.created_at, AssignmentRule.id)
    )
    for rule in rules:
        if not rule_matches(rule, lead):
            continue
        cursor = _cursor(session, rule)
        rep = _pick(session, rule, cursor, day)
        if rep is not None:
            return Choice(rule, rep, cursor)
    return None
