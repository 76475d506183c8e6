"""The worker's `audit-log-purge` job: audit entries older than CRM_AUDIT_RETENTION_DAYS go, at an explicit
`now`, on the migrated database; `crm-gateway jobs list|run` show and run it; its settings fail fast naming
the variable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from crmkit import Database, SettingsError
from crmkit.jobs import run_once
from gateway.audit.models import AuditEntry
from gateway.cli import cli
from gateway.integrations.settings import IntegrationSettings
from gateway.integrations.worker import AUDIT_PURGE_JOB, audit_purge_job, jobs

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def database(app) -> Database:
    database: Database = app.extensions["crm"].database
    with database.uow() as uow:  # only the entries of this test (the app's start may have written some)
        uow.session.execute(sa.delete(AuditEntry))
        for days in (400, 366, 365, 364, 10):
            uow.session.add(
                AuditEntry(action=f"test.{days}d", outcome="success", occurred_at=NOW - timedelta(days=days))
            )
        uow.commit()
    return database


def remaining(database: Database) -> list[str]:
    with database.uow() as uow:
        return list(uow.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.occurred_at)))


def test_the_job_deletes_only_entries_older_than_the_retention(database):
    job = audit_purge_job(IntegrationSettings(audit_retention_days=365))
    assert run_once(database, job, NOW) == 2
    assert remaining(database) == ["test.365d", "test.364d", "test.10d"]
    assert run_once(database, job, NOW) == 0  # idempotent
    assert run_once(database, job, NOW + timedelta(days=2)) == 2
    assert remaining(database) == ["test.10d"]


def test_a_huge_retention_keeps_everything(database):
    for days in (10**6, 10**12, float("inf")):
        assert run_once(database, audit_purge_job(IntegrationSettings(audit_retention_days=days)), NOW) == 0
    assert len(remaining(database)) == 5


def test_the_worker_runs_it_at_its_interval():
    settings = IntegrationSettings.from_env({"CRM_AUDIT_PURGE_EVERY_SECONDS": "600"})
    (job,) = [job for job in jobs(settings, send=lambda attempts: {}) if job.name == AUDIT_PURGE_JOB]
    assert job.every_seconds == 600
    assert IntegrationSettings.from_env({}).audit_retention_days == 365


def test_crm_gateway_jobs_lists_it_and_runs_it_as_of_any_instant(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "CRM_KEYS_DIR", "CRM_AUDIT_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        with database.uow() as uow:
            uow.session.add(
                AuditEntry(action="test.old", outcome="success", occurred_at=NOW - timedelta(days=1))
            )
            uow.commit()
    finally:
        database.dispose()
    listing = runner.invoke(cli, ["jobs", "list"]).output
    assert f"{AUDIT_PURGE_JOB}\tevery 3600s" in listing
    early = runner.invoke(cli, ["jobs", "run", AUDIT_PURGE_JOB, "--at", NOW.isoformat()])
    assert early.output.strip() == f"{AUDIT_PURGE_JOB}: handled 0"
    late = NOW + timedelta(days=365)
    result = runner.invoke(cli, ["jobs", "run", AUDIT_PURGE_JOB, "--at", late.isoformat()])
    assert result.output.strip() == f"{AUDIT_PURGE_JOB}: handled 1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CRM_AUDIT_RETENTION_DAYS", "0"),
        ("CRM_AUDIT_RETENTION_DAYS", "-30"),
        ("CRM_AUDIT_RETENTION_DAYS", "nan"),
        ("CRM_AUDIT_RETENTION_DAYS", "a year"),
        ("CRM_AUDIT_PURGE_EVERY_SECONDS", "0"),
    ],
)
def test_bad_settings_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        IntegrationSettings.from_env({name: value})
