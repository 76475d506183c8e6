"""Gateway settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit import SettingsError
from gateway.settings import GatewaySettings


def test_defaults_are_safe_for_local_use(tmp_path):
    settings = GatewaySettings.from_env(env={"CRM_DATA_DIR": str(tmp_path)})
    assert settings.service == "gateway"
    assert settings.database_url == f"sqlite:///{tmp_path / 'gateway.db'}"
    assert settings.keys_dir == tmp_path / "keys"
    assert settings.jwks_url == (tmp_path / "keys" / "jwks.json").as_uri()
    assert settings.access_token_ttl == 900
    assert settings.upstream_connect_timeout == 2.0
    assert settings.upstream_read_timeout == 15.0
    assert settings.service_urls["customer"] == "http://127.0.0.1:8101"
    assert settings.admin_username is None and settings.admin_password is None
    assert settings.openapi_cache_ttl == 60.0


def test_the_events_catalog_defaults_to_the_repositorys_file(tmp_path):
    settings = GatewaySettings.from_env(env={"CRM_DATA_DIR": str(tmp_path)})
    repository = Path(__file__).resolve().parents[3]
    assert settings.events_catalog == repository / "docs" / "events" / "asyncapi.yaml"


def test_reads_its_extras_from_the_environment(tmp_path):
    settings = GatewaySettings.from_env(
        env={
            "CRM_DATA_DIR": str(tmp_path),
            "CRM_KEYS_DIR": str(tmp_path / "secret"),
            "CRM_ACCESS_TOKEN_TTL": "60",
            "CRM_REFRESH_TOKEN_TTL": "3600",
            "CRM_UPSTREAM_READ_TIMEOUT": "2.5",
            "CRM_SERVICE_URL_CUSTOMER": "http://customer:8101",
            "CRM_ADMIN_USERNAME": "root",
            "CRM_ADMIN_PASSWORD": "a secret password",
            "CRM_OPENAPI_CACHE_TTL": "0",
            "CRM_EVENTS_CATALOG": str(tmp_path / "events.yaml"),
        }
    )
    assert settings.openapi_cache_ttl == 0
    assert settings.events_catalog == tmp_path / "events.yaml"
    assert settings.keys_dir == tmp_path / "secret"
    assert (settings.access_token_ttl, settings.refresh_token_ttl) == (60, 3600)
    assert settings.upstream_read_timeout == 2.5
    assert settings.service_urls["customer"] == "http://customer:8101"
    assert settings.admin_username == "root"
    assert "a secret password" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("CRM_ACCESS_TOKEN_TTL", "soon", "CRM_ACCESS_TOKEN_TTL"),
        ("CRM_ACCESS_TOKEN_TTL", "0", "CRM_ACCESS_TOKEN_TTL"),
        ("CRM_UPSTREAM_CONNECT_TIMEOUT", "-1", "CRM_UPSTREAM_CONNECT_TIMEOUT"),
        ("CRM_SERVICE_URL_SALES", "ftp://sales", "sales service"),
        ("CRM_OPENAPI_CACHE_TTL", "-1", "CRM_OPENAPI_CACHE_TTL"),
    ],
)
def test_fails_fast_naming_the_bad_setting(tmp_path, name, value, named):
    with pytest.raises(SettingsError, match=named):
        GatewaySettings.from_env(env={"CRM_DATA_DIR": str(tmp_path), name: value})
