"""Custom field values against their definitions (plain objects, no database)."""

from __future__ import annotations

import dataclasses

import pytest

from customer.custom_fields.errors import CustomFieldInvalid
from customer.custom_fields.models import apply_values, value_problem


@dataclasses.dataclass
class Spec:
    key: str
    type: str
    options: list[str] | None = None
    required: bool = False


SPECS = {
    spec.key: spec
    for spec in (
        Spec("employees", "number"),
        Spec("note", "string"),
        Spec("vip", "boolean"),
        Spec("signed_on", "date"),
        Spec("sla_plan", "enum", ["gold", "silver"], required=True),
    )
}


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("employees", [0, 12, 3.5], ["12", True, float("nan"), None]),
        ("note", ["", "text"], [1, ["a"], "x" * 1001]),
        ("vip", [True, False], [0, "true"]),
        ("signed_on", ["2026-02-28"], ["2026-02-30", "28.02.2026", "2026-02-28T10:00:00", 20260228]),
        ("sla_plan", ["gold"], ["bronze", "Gold", 1]),
    ],
)
def test_each_type_accepts_its_values_only(key: str, good: list[object], bad: list[object]) -> None:
    assert [value_problem(SPECS[key], value) for value in good] == [None] * len(good)
    assert all(value_problem(SPECS[key], value) for value in bad)


def test_apply_values_merges_changes_and_null_removes_a_value() -> None:
    current = {"employees": 10, "vip": True, "sla_plan": "gold"}
    result = apply_values({"employees": 12, "vip": None}, SPECS, current=current)
    assert result == {"employees": 12, "sla_plan": "gold"}


def test_every_problem_is_named_by_its_key() -> None:
    with pytest.raises(CustomFieldInvalid) as caught:
        apply_values({"employees": "many", "colour": "red"}, SPECS)
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"custom_fields.employees", "custom_fields.colour", "custom_fields.sla_plan"}
    assert caught.value.code == "customer.custom_field.invalid" and caught.value.status == 422


def test_a_required_value_cannot_be_removed() -> None:
    with pytest.raises(CustomFieldInvalid) as caught:
        apply_values({"sla_plan": None}, SPECS, current={"sla_plan": "gold"})
    assert [error["field"] for error in caught.value.errors] == ["custom_fields.sla_plan"]


def test_values_of_fields_no_longer_defined_are_dropped() -> None:
    assert apply_values({}, SPECS, current={"sla_plan": "gold", "retired": 1}) == {"sla_plan": "gold"}
