"""CPM against a hand-worked example with all four dependency types and lags; cycles are found and named."""

from __future__ import annotations

import pytest

from projects.schedule.cpm import CycleError, Link, cycle_with, schedule

# Durations in working days (F is a milestone) and links covering FS, SS, FF and SF with lags.
DURATIONS = {"A": 3, "B": 2, "C": 4, "D": 2, "E": 2, "F": 0}
LINKS = [
    Link("A", "B", "FS", 0),  # B starts after A finishes
    Link("A", "C", "SS", 1),  # C starts a day after A starts
    Link("B", "D", "FF", 1),  # D finishes a day after B finishes
    Link("C", "E", "SF", 2),  # E finishes no earlier than two days after C starts
    Link("D", "F", "FS", 0),
    Link("E", "F", "FS", 2),
]
# Worked by hand (see tests/README.md and the module docstring of projects.schedule.cpm):
#   forward:  A 0-3, B 3-5, C 1-5, D max(5+1-2)=4-6, E max(1+2-2)=1-3, F max(6, 3+2)=6-6; finish 6
#   backward: F 6-6; E LF 6-2=4 -> LS 2; D LF 6 -> LS 4; C LF min(6, 4-2+4)=6 -> LS 2;
#             B LF 6-1=5 -> LS 3; A LF min(3, 2-1+3)=3 -> LS 0
EXPECTED = {  # task: (ES, EF, LS, LF, total float)
    "A": (0, 3, 0, 3, 0),
    "B": (3, 5, 3, 5, 0),
    "C": (1, 5, 2, 6, 1),
    "D": (4, 6, 4, 6, 0),
    "E": (1, 3, 2, 4, 1),
    "F": (6, 6, 6, 6, 0),
}


def test_early_and_late_dates_and_float_match_the_hand_worked_example() -> None:
    plan = schedule(DURATIONS, LINKS)
    got = {
        task: (t.early_start, t.early_finish, t.late_start, t.late_finish, t.total_float)
        for task, t in plan.timings.items()
    }
    assert got == EXPECTED
    assert plan.finish == 6
    assert plan.critical() == ["A", "B", "D", "F"]


def test_a_start_constraint_delays_the_task_and_its_dependants() -> None:
    plan = schedule(DURATIONS, LINKS, not_before={"B": 5})
    assert (plan.timings["B"].early_start, plan.timings["D"].early_start) == (5, 6)
    assert plan.finish == 8 and plan.timings["A"].total_float == 2


def test_a_negative_lag_lets_the_successor_overlap() -> None:
    plan = schedule({"A": 5, "B": 3}, [Link("A", "B", "FS", -2)])
    assert plan.timings["B"].early_start == 3 and plan.finish == 6


def test_tasks_without_links_start_at_zero_and_the_longest_is_critical() -> None:
    plan = schedule({"A": 2, "B": 4}, [])
    assert plan.timings["A"].total_float == 2 and plan.critical() == ["B"]


def test_a_cycle_in_the_plan_is_named() -> None:
    with pytest.raises(CycleError) as raised:
        schedule({"A": 1, "B": 1, "C": 1}, [Link("A", "B"), Link("B", "C"), Link("C", "A", "SS")])
    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"A", "B", "C"} and len(cycle) == 4


def test_a_link_that_would_close_a_cycle_is_found_with_its_path() -> None:
    links = [Link("A", "B"), Link("B", "C"), Link("X", "C")]
    assert cycle_with(links, Link("C", "A")) == ["C", "A", "B", "C"]
    assert cycle_with(links, Link("A", "A")) == ["A", "A"]
    assert cycle_with(links, Link("A", "X")) is None


def test_thousands_of_tasks_in_a_chain_schedule_without_recursion_limits() -> None:
    count = 5000
    durations = {f"t{i}": 1 for i in range(count)}
    links = [Link(f"t{i}", f"t{i + 1}") for i in range(count - 1)]
    plan = schedule(durations, links)
    assert plan.finish == count and len(plan.critical()) == count
