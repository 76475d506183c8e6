"""SLA rules without a database: policy choice (first match wins), clock segments and due times,
escalation rule matching, and how search text becomes a backend query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service_desk.calendars.hours import BusinessCalendar
from service_desk.kb.search import Query
from service_desk.sla import clocks
from service_desk.sla.engine import choose_policy
from service_desk.sla.models import EscalationRule, SlaClock, SlaPolicy

HOUR = 3600
MONDAY_9 = datetime(2026, 3, 2, 9, tzinfo=UTC)
OFFICE = BusinessCalendar.from_definition(
    "UTC", {day: [{"start": "09:00", "end": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}, []
)
FACTS = {"tier": "standard", "priority": "normal", "type": "question", "channel": "email"}


def policy(name: str, position: int, active: bool = True, **conditions: list[str]) -> SlaPolicy:
    fields = {"tiers": [], "priorities": [], "types": [], "channels": [], **conditions}
    return SlaPolicy(id=name, name=name, position=position, active=active, created_at=MONDAY_9, **fields)


def running_clock(target: int = 8 * HOUR, share: float = 0.8) -> SlaClock:
    clock = SlaClock(kind="resolution", target_seconds=target, warning_share=share)
    return clocks.start(clock, "ticket created", MONDAY_9)


# --- policy choice ----------------------------------------------------------------------------------


def test_first_matching_policy_by_position_wins() -> None:
    catch_all = policy("all", 3)
    key = policy("key", 1, tiers=["key"])
    email = policy("email", 2, channels=["email"])
    assert choose_policy([catch_all, email, key], FACTS).id == "email"
    assert choose_policy([catch_all, email, key], {**FACTS, "tier": "key"}).id == "key"
    assert choose_policy([catch_all, email, key], {**FACTS, "channel": "web"}).id == "all"


def test_every_condition_must_hold() -> None:
    strict = policy("strict", 1, tiers=["key"], priorities=["urgent", "high"], types=["incident"])
    assert choose_policy([strict], {**FACTS, "tier": "key", "priority": "high", "type": "incident"}) is strict
    assert choose_policy([strict], {**FACTS, "tier": "key", "priority": "high"}) is None


def test_inactive_policies_never_match() -> None:
    assert choose_policy([policy("off", 1, active=False), policy("on", 2)], FACTS).id == "on"
    assert choose_policy([policy("off", 1, active=False)], FACTS) is None


# --- clock segments -----------------------------------------------------------------------------------


def test_a_running_clock_is_due_after_its_target_in_business_time() -> None:
    clock = running_clock()
    assert clocks.deadline(clock, OFFICE, clock.target_seconds) == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert clocks.deadline(clock, OFFICE, clock.warning_seconds) == datetime(2026, 3, 2, 15, 24, tzinfo=UTC)
    assert clocks.elapsed(clock, OFFICE, MONDAY_9 + timedelta(hours=3)) == 3 * HOUR


def test_a_pause_moves_the_due_time_by_the_business_time_it_lasted() -> None:
    clock = running_clock()
    clocks.move_to(clock, "paused", "waiting", MONDAY_9 + timedelta(hours=2))
    clock.status = "paused"
    assert clocks.deadline(clock, OFFICE, clock.target_seconds) is None
    clocks.move_to(clock, "running", "back", datetime(2026, 3, 3, 13, tzinfo=UTC))
    clock.status = "running"
    # 2 h on Monday, then 6 more from Tuesday 13:00: 4 h Tuesday, 2 h Wednesday -> Wednesday 11:00.
    assert clocks.deadline(clock, OFFICE, clock.target_seconds) == datetime(2026, 3, 4, 11, tzinfo=UTC)
    assert [segment.state for segment in clock.segments] == ["running", "paused", "running"]
    assert clocks.elapsed(clock, OFFICE, datetime(2026, 3, 3, 14, tzinfo=UTC)) == 3 * HOUR


def test_a_clock_past_its_target_before_stopping_has_its_due_time_in_the_past() -> None:
    clock = running_clock(target=HOUR)
    clocks.move_to(clock, "stopped", "resolved", MONDAY_9 + timedelta(hours=3))
    assert clocks.deadline(clock, OFFICE, HOUR) == MONDAY_9 + timedelta(hours=1)
    assert clocks.elapsed(clock, OFFICE, MONDAY_9 + timedelta(days=3)) == 3 * HOUR


def test_a_change_at_the_same_instant_replaces_the_empty_segment() -> None:
    clock = running_clock()
    clocks.move_to(clock, "paused", "pending at once", MONDAY_9)
    assert [(segment.state, segment.reason) for segment in clock.segments] == [("paused", "pending at once")]


def test_refresh_points_the_sweep_at_the_next_announcement() -> None:
    clock = running_clock(target=10 * HOUR, share=0.5)
    clocks.refresh(clock, BusinessCalendar.always_open())
    assert clock.next_check_at == MONDAY_9 + timedelta(hours=5)
    clock.warned_at = clock.next_check_at
    clocks.refresh(clock, BusinessCalendar.always_open())
    assert clock.next_check_at == MONDAY_9 + timedelta(hours=10)
    clock.breached_at = clock.next_check_at
    clocks.refresh(clock, BusinessCalendar.always_open())
    assert clock.next_check_at is None


# --- escalation rules -------------------------------------------------------------------------------------


def test_escalation_rules_match_trigger_clock_tier_and_priority() -> None:
    rule = EscalationRule(active=True, trigger="breach", clocks=["resolution"], tiers=["key"], priorities=[])
    assert rule.applies(trigger="breach", clock="resolution", tier="key", priority="low")
    assert not rule.applies(trigger="warning", clock="resolution", tier="key", priority="low")
    assert not rule.applies(trigger="breach", clock="first_response", tier="key", priority="low")
    assert not rule.applies(trigger="breach", clock="resolution", tier="standard", priority="low")
    rule.active = False
    assert not rule.applies(trigger="breach", clock="resolution", tier="key", priority="low")


# --- search text ---------------------------------------------------------------------------------------------


def test_search_text_becomes_quoted_terms_never_operators() -> None:
    query = Query.parse('Invoice "export fails" -printer OR NEAR(x')
    assert query.phrases == ("invoice", "export fails", "near", "x")
    assert query.excluded == ("printer",)
    assert query.fts5() == '("invoice" AND "export fails" AND "near" AND "x") NOT ("printer")'
    assert query.websearch() == '"invoice" "export fails" "near" "x" -"printer"'


def test_only_stop_words_make_an_empty_query() -> None:
    assert Query.parse("the and or").empty
    assert Query.parse('"" - ""').empty


def test_suggestions_use_any_meaningful_word_of_the_ticket() -> None:
    query = Query.any_of(["Hello, the invoice export fails", "Error 500 since the export"])
    assert query.phrases == ("invoice", "export", "fails", "error", "since")
    assert query.fts5() == '"invoice" OR "export" OR "fails" OR "error" OR "since"'
    assert query.websearch() == '"invoice" or "export" or "fails" or "error" or "since"'
