"""The pure rules of lead assignment: matching, round robin, least busy, eligibility."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sales.leads.assignment import eligible_reps, least_busy, round_robin, rule_matches
from sales.leads.models import AssignmentRule, Lead
from sales.reps.models import Rep, RepAbsence

NOW = datetime(2026, 5, 4, 9, tzinfo=UTC)


def rule(**conditions: list[str]) -> AssignmentRule:
    values: dict[str, list[str]] = {"sources": [], "regions": [], "industries": [], "tiers": [], **conditions}
    return AssignmentRule(name="r", rep_ids=["a"], **values)


def lead(**fields: str | None) -> Lead:
    values = {"source": "web", "region": "Bavaria", "industry": "Retail", "tier": "standard", **fields}
    return Lead(last_name="X", **values)


def rep(
    rep_id: str, capacity: int = 10, active: bool = True, absences: list[RepAbsence] | None = None
) -> Rep:
    return Rep(id=rep_id, name=rep_id, capacity=capacity, active=active, absences=absences or [])


def test_empty_conditions_match_anything() -> None:
    assert rule_matches(rule(), lead())


def test_every_condition_must_hold_case_insensitively() -> None:
    conditions = rule(sources=["web"], regions=["bavaria"], industries=["RETAIL"], tiers=["standard"])
    assert rule_matches(conditions, lead())
    assert not rule_matches(conditions, lead(tier="key"))
    assert not rule_matches(conditions, lead(source="api"))
    assert not rule_matches(rule(regions=["Bavaria"]), lead(region=None))


def test_round_robin_takes_the_next_eligible_rep_and_wraps() -> None:
    order = ["a", "b", "c"]
    assert round_robin(order, None, {"a", "b", "c"}) == "a"
    assert round_robin(order, "a", {"a", "b", "c"}) == "b"
    assert round_robin(order, "c", {"a", "b", "c"}) == "a"
    assert round_robin(order, "a", {"a", "c"}) == "c"
    assert round_robin(order, "gone", {"b"}) == "b"
    assert round_robin(order, "a", set()) is None


def test_least_busy_prefers_fewest_open_leads_then_rule_order() -> None:
    order = ["a", "b", "c"]
    assert least_busy(order, {"a": 3, "b": 1, "c": 1}, {"a", "b", "c"}) == "b"
    assert least_busy(order, {"a": 3, "b": 1, "c": 0}, {"a", "b"}) == "b"
    assert least_busy(order, {}, set()) is None


def test_eligibility_respects_capacity_absence_and_active_flag() -> None:
    away = RepAbsence(starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 4))
    reps = [rep("full", capacity=2), rep("away", absences=[away]), rep("inactive", active=False), rep("free")]
    counts = {"full": 2, "free": 9}
    assert [item.id for item in eligible_reps(reps, counts, NOW.date())] == ["free"]
    assert [item.id for item in eligible_reps(reps, counts, date(2026, 5, 5))] == ["away", "free"]
