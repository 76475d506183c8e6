"""CustomFieldDefinition: an extra account field an administrator defines, and the checks on its values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from customer.custom_fields.errors import CustomFieldInvalid
from customer.db import Base

FIELD_TYPES = ("string", "number", "boolean", "date", "enum")
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
MAX_STRING_LENGTH = 1000


class FieldSpec(Protocol):
    """What value checks need from a definition (a CustomFieldDefinition, or a plain object in tests)."""

    key: str
    type: str
    options: list[str] | None
    required: bool


class CustomFieldDefinition(crmkit.VersionedMixin, Base):
    __tablename__ = "custom_field_definitions"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    type: Mapped[str] = mapped_column(sa.String(10))
    options: Mapped[list[str] | None] = mapped_column(sa.JSON(none_as_null=True))
    required: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """Say what is wrong with `value` for this field (None when it fits)."""
    checks = {
        "string": lambda: isinstance(value, str) and len(value) <= MAX_STRING_LENGTH,
        "number": lambda: _is_number(value),
        "boolean": lambda: isinstance(value, bool),
        "date": lambda: _is_date(value),
        "enum": lambda: isinstance(value, str) and value in (spec.options or ()),
    }
    if checks[spec.type]():
        return None
    expected = {
        "string": f"a string of at most {MAX_STRING_LENGTH} characters",
        "number": "a number",
        "boolean": "true or false",
        "date": "a date as YYYY-MM-DD",
        "enum": "one of " + ", ".join(spec.options or ()),
    }
    return f"must be {expected[spec.type]}"


def apply_values(
    changes: Mapping[str, Any], specs: Mapping[str, FieldSpec], *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Apply `changes` (null removes a value) to `current`, check the result against `specs`, return it.

    Values of fields no longer defined are dropped; CustomFieldInvalid names every bad `custom_fields.<key>`.
    """
    result = {key: value for key, value in (current or {}).items() if key in specs}
    errors: dict[str, str] = {}
    for key, value in changes.items():
        problem = _change_problem(specs.get(key), value)
        if problem:
            errors[key] = problem
        elif value is None:
            result.pop(key, None)
        else:
            result[key] = value
    missing = [key for key, spec in specs.items() if spec.required and key not in result]
    errors = {**dict.fromkeys(missing, "is required"), **errors}
    if errors:
        raise _invalid(errors)
    return result


def _invalid(errors: Mapping[str, str]) -> CustomFieldInvalid:
    field_errors = [
        {"field": f"custom_fields.{key}", "message": msg, "in": "json"} for key, msg in errors.items()
    ]
    return CustomFieldInvalid("Some custom fields do not match their definitions.", errors=field_errors)


def _change_problem(spec: FieldSpec | None, value: Any) -> str | None:
    if spec is None:
        return "is not a defined custom field"
    if value is None:
        return "is required" if spec.required else None
    return value_problem(spec, value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
