"""Roles, usernames, password policy and the request schemas, without a database."""

from __future__ import annotations

import marshmallow as ma
import pytest

from crmkit import ValidationFailed
from gateway.identity.models import ROLES, check_password_policy, normalize_roles, normalize_username
from gateway.identity.schemas import UserCreateSchema, UserUpdateSchema


def test_every_department_role_is_known():
    assert set(ROLES) == {
        "sales_rep",
        "sales_manager",
        "service_agent",
        "service_manager",
        "project_manager",
        "delivery_member",
        "marketing",
        "management",
        "admin",
    }


def test_roles_are_sorted_and_deduplicated():
    assert normalize_roles(["sales_rep", "admin", "sales_rep"]) == ["admin", "sales_rep"]


@pytest.mark.parametrize("roles", [["sales_rep", "superuser"], []])
def test_rejects_unknown_or_missing_roles_naming_the_field(roles):
    with pytest.raises(ValidationFailed) as caught:
        normalize_roles(roles)
    assert caught.value.code == "identity.unknown_role"
    assert caught.value.errors[0]["field"] == "roles"


def test_usernames_are_case_insensitive_by_lowering_them():
    assert normalize_username("  Alice.Smith@Example.org ") == "alice.smith@example.org"


@pytest.mark.parametrize("raw", ["", "-alice", "al ice", "a" * 151, "alice/bob"])
def test_rejects_malformed_usernames(raw):
    with pytest.raises(ValidationFailed) as caught:
        normalize_username(raw)
    assert caught.value.code == "identity.invalid_username"


def test_rejects_short_passwords():
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy("short")
    assert caught.value.code == "identity.weak_password"
    assert caught.value.errors == [{"field": "password", "message": "at least 12 characters"}]


def test_accepts_a_long_enough_password():
    check_password_policy("twelve chars")


def test_create_schema_names_an_unknown_role():
    with pytest.raises(ma.ValidationError) as caught:
        UserCreateSchema().load({"username": "bob", "password": "x" * 12, "roles": ["wizard"]})
    assert "roles" in caught.value.messages


def test_create_schema_defaults_to_an_active_user_without_team():
    data = UserCreateSchema().load({"username": "bob", "password": "x" * 12, "roles": ["marketing"]})
    assert data["active"] is True
    assert data["team"] is None


def test_update_schema_needs_at_least_one_field():
    with pytest.raises(ma.ValidationError) as caught:
        UserUpdateSchema().load({})
    assert "_schema" in caught.value.messages
