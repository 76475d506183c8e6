"""The before/after diff that change events carry."""

from __future__ import annotations

from crmkit.changes import diff


def test_diff_lists_changed_added_and_removed_fields_but_not_bookkeeping() -> None:
    before = {"name": "Acme", "tier": "standard", "tags": ["a"], "version": 1, "updated_at": "t1"}
    after = {"name": "Acme", "tier": "key", "website": "acme.example", "version": 2, "updated_at": "t2"}
    assert diff(before, after) == {
        "tags": {"before": ["a"], "after": None},
        "tier": {"before": "standard", "after": "key"},
        "website": {"before": None, "after": "acme.example"},
    }


def test_diff_of_equal_states_is_empty_and_ignore_is_configurable() -> None:
    state = {"name": "Acme", "version": 3}
    assert diff(state, dict(state)) == {}
    assert diff({"version": 1}, {"version": 2}, ignore=()) == {"version": {"before": 1, "after": 2}}
