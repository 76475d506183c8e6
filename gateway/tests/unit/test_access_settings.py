"""The identity and access settings: lockout, rate limits, API key token lifetime."""

from __future__ import annotations

import pytest

from crmkit import SettingsError
from gateway.settings import GatewaySettings


def settings_from(**env: str) -> GatewaySettings:
    return GatewaySettings.from_env(env=env, database_url="sqlite://")


def test_defaults():
    settings = settings_from()
    assert (settings.login_max_failures, settings.login_lockout_seconds) == (5, 900)
    assert (settings.rate_limit_window, settings.rate_limit_per_user, settings.rate_limit_per_api_key) == (
        60,
        1200,
        600,
    )
    assert settings.api_key_token_ttl == 300


def test_read_from_the_environment_and_zero_turns_limits_off():
    settings = settings_from(
        CRM_LOGIN_MAX_FAILURES="0",
        CRM_LOGIN_LOCKOUT_SECONDS="60",
        CRM_RATE_LIMIT_WINDOW="10",
        CRM_RATE_LIMIT_PER_USER="0",
        CRM_RATE_LIMIT_PER_API_KEY="7",
        CRM_API_KEY_TOKEN_TTL="30",
    )
    assert (settings.login_max_failures, settings.login_lockout_seconds) == (0, 60)
    assert (settings.rate_limit_window, settings.rate_limit_per_user, settings.rate_limit_per_api_key) == (
        10,
        0,
        7,
    )
    assert settings.api_key_token_ttl == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CRM_RATE_LIMIT_PER_USER", "-1"),
        ("CRM_RATE_LIMIT_PER_API_KEY", "-5"),
        ("CRM_LOGIN_MAX_FAILURES", "-1"),
        ("CRM_LOGIN_LOCKOUT_SECONDS", "0"),
        ("CRM_RATE_LIMIT_WINDOW", "0"),
        ("CRM_API_KEY_TOKEN_TTL", "0"),
        ("CRM_RATE_LIMIT_WINDOW", "soon"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        settings_from(**{name: value})
