"""First start: signing key, first admin from the environment, readiness, the OpenAPI document."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from crmkit import SettingsError
from gateway.context import gateway
from gateway.identity.models import User
from gateway.routes import GATEWAY_RESOURCES


def usernames(app) -> list[str]:
    with app.extensions["crm"].database.uow() as uow:
        return list(uow.session.scalars(sa.select(User.username)))


def test_the_first_start_creates_the_admin_from_the_environment(app, login):
    assert usernames(app) == ["admin"]
    assert login()["token_type"] == "Bearer"


def test_a_second_start_does_not_create_another_admin(start_app, make_settings):
    start_app(make_settings())
    app = start_app(make_settings(CRM_ADMIN_USERNAME="other-admin"))
    assert usernames(app) == ["admin"]


def test_without_admin_variables_it_warns_how_to_create_one(start_app, make_settings, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.bootstrap")
    app = start_app(make_settings(CRM_ADMIN_USERNAME=None, CRM_ADMIN_PASSWORD=None))
    assert usernames(app) == []
    assert "CRM_ADMIN_USERNAME" in caplog.text
    assert "crm-gateway users create" in caplog.text


def test_a_weak_admin_password_stops_the_start(start_app, make_settings):
    with pytest.raises(SettingsError, match="first admin"):
        start_app(make_settings(CRM_ADMIN_PASSWORD="short"))


def test_an_unmigrated_database_gets_a_warning_not_a_crash(start_app, make_settings, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.bootstrap")
    start_app(make_settings(migrated=False))
    assert "crm-gateway migrate" in caplog.text


def test_the_first_start_makes_a_signing_key_and_writes_the_key_set(start_app, make_settings, env, tmp_path):
    keys = tmp_path / "fresh-keys"
    app = start_app(make_settings(CRM_KEYS_DIR=str(keys)))
    kid = gateway(app).keys.signing_key().kid
    assert (keys / f"{kid}.pem").is_file()
    assert kid in (keys / "jwks.json").read_text()


def test_ready_when_the_database_answers_and_a_key_signs(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "signing_key": "ok"}
    assert client.get("/healthz").get_json() == {"status": "ok", "service": "gateway"}


def test_the_openapi_document_describes_the_gateways_own_endpoints_only(client):
    spec = client.get("/openapi.json").get_json()
    # The account overview is the gateway's own answer under a service's resource (a static rule wins).
    paths = set(spec["paths"]) - {"/api/v1/accounts/{account_id}/overview"}
    resources = {path.removeprefix("/api/v1/").split("/")[0] for path in paths}
    assert resources <= GATEWAY_RESOURCES
    assert set(spec["paths"]) >= {
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
        "/api/v1/roles",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{key_id}",
        "/api/v1/audit-log",
        "/api/v1/users/{user_id}/unlock",
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/auth/jwks.json",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/openapi.json",
        "/api/v1/asyncapi.yaml",
        "/api/v1/asyncapi.json",
    }
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert token["security"] == []
    assert token["summary"].startswith("Issue an access token")
    assert "401" in token["responses"]
    assert "security" not in spec["paths"]["/api/v1/users"]["get"]
    assert spec["security"] == [{"bearer": []}]
