"""Custom field definition use cases, and the value check account use cases run (no commit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.pagination import SortKey
from crmkit.types import utcnow
from customer.custom_fields.errors import CustomFieldExists, CustomFieldInvalid, CustomFieldNotFound
from customer.custom_fields.models import CustomFieldDefinition, apply_values

BY_KEY = [SortKey("key", CustomFieldDefinition.key)]


def list_definitions(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through the custom field definitions by key."""
    with uow:
        stmt = sa.select(CustomFieldDefinition)
        return crmkit.paginate(uow.session, stmt, sort=BY_KEY, cursor=query["cursor"], limit=query["limit"])


def get_definition(*, uow: crmkit.UnitOfWork, key: str) -> CustomFieldDefinition:
    """Read one custom field definition."""
    with uow:
        return _get_or_raise(uow.session, key)


def create_definition(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> CustomFieldDefinition:
    """Define a new custom field for accounts."""
    now = utcnow()
    with uow:
        if uow.session.get(CustomFieldDefinition, data["key"]) is not None:
            raise CustomFieldExists(f"A custom field {data['key']!r} is already defined.")
        definition = CustomFieldDefinition(**data, created_at=now, updated_at=now)
        uow.session.add(definition)
        uow.commit()
    return definition


def update_definition(
    *,
    uow: crmkit.UnitOfWork,
    key: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> CustomFieldDefinition:
    """Change a definition's label, options or required flag (its type is fixed)."""
    with uow:
        definition = _get_or_raise(uow.session, key)
        crmkit.check_version(definition.version, expected_version)
        if "options" in data and definition.type != "enum":
            raise CustomFieldInvalid(
                "Only enum fields have options.",
                errors=[{"field": "options", "message": "only enum fields have options", "in": "json"}],
            )
        changed = {field: value for field, value in data.items() if getattr(definition, field) != value}
        for field, value in changed.items():
            setattr(definition, field, value)
        if changed:
            definition.updated_at = utcnow()
        uow.commit()
    return definition


def delete_definition(
    *, uow: crmkit.UnitOfWork, key: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Remove a definition; stored values of it are dropped when an account's custom fields next change."""
    with uow:
        definition = _get_or_raise(uow.session, key)
        crmkit.check_version(definition.version, expected_version)
        uow.session.delete(definition)
        uow.commit()


def check_values(
    session: Session, changes: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Apply value changes to an account's custom fields and check them against the definitions."""
    definitions = {
        definition.key: definition for definition in session.scalars(sa.select(CustomFieldDefinition))
    }
    return apply_values(changes, definitions, current=current)


def _get_or_raise(session: Session, key: str) -> CustomFieldDefinition:
    definition = session.get(CustomFieldDefinition, key)
    if definition is None:
        raise CustomFieldNotFound(f"There is no custom field {key!r}.")
    return definition
