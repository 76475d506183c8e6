"""Settings fail fast, readiness reports what is down, logs are JSON with the request id."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit.health import Readiness
from crmkit.logging import JsonFormatter
from crmkit.requestid import bound


def test_settings_default_to_embedded_sqlite_and_filesystem_broker(tmp_path: Path) -> None:
    settings = crmkit.ServiceSettings.from_env("demo", env={"CRM_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'demo.db'}"
    assert settings.broker_url == "filesystem://"
    assert settings.jwks_url == (tmp_path / "keys" / "jwks.json").as_uri()
    options = settings.broker_transport_options()
    assert Path(options["data_folder_in"]).is_dir() and Path(options["control_folder"]).is_dir()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://x"),
        ("BROKER_URL", "redis://x"),
        ("JWT_JWKS_URL", "ftp://keys"),
        ("BROKER_POLLING_INTERVAL", "fast"),
    ],
)
def test_bad_settings_fail_at_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(crmkit.SettingsError, match=name):
        crmkit.ServiceSettings.from_env("demo", env={name: value})


def test_readiness_reports_the_failing_dependency() -> None:
    def broken() -> None:
        raise OSError("connection refused")

    report = Readiness({"database": lambda: None, "broker": broken}).report()
    assert report["status"] == "unavailable"
    assert report["checks"]["database"] == "ok"
    assert report["checks"]["broker"].startswith("failed: connection refused")


def test_readyz_answers_503_when_the_database_is_gone(app: Flask, client: FlaskClient) -> None:
    def database_gone() -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))

    crmkit.runtime(app).readiness.checks["database"] = database_gone
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["database"].startswith("failed")


def test_json_log_lines_carry_service_request_and_event_ids() -> None:
    record = logging.LogRecord("crm.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.queue = "demo.q"
    with bound(request_id="req-1", event_id="evt-1"):
        line = json.loads(JsonFormatter("demo").format(record))
    assert line["message"] == "hello world" and line["service"] == "demo"
    assert line["request_id"] == "req-1" and line["event_id"] == "evt-1" and line["queue"] == "demo.q"


def test_lost_race_on_update_is_a_409_problem_and_writes_nothing(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    item = client.post("/api/v1/items", json={"name": "a"}, headers=auth).json
    response = client.post(f"/api/v1/items/{item['id']}/race", headers=auth)
    assert response.status_code == 409 and response.json["code"] == "write_conflict"
    stored = client.get(f"/api/v1/items/{item['id']}", headers=auth).json
    assert stored["rank"] == 0 and stored["version"] == 2
