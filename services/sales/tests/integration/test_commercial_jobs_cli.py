"""The periodic jobs through the command line: `crm-sales jobs run <name> --at <time>`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from crmkit import migrations
from sales.cli import MIGRATIONS_DIR


def run(env: dict[str, str], *args: str) -> str:
    command = [str(Path(sys.executable).with_name("crm-sales")), *args]
    done = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_weekly_snapshot_job_runs_once_per_week_from_the_cli(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sales.db'}"
    migrations.upgrade(MIGRATIONS_DIR, database_url)
    env = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    assert "forecast-weekly-snapshot" in run(env, "jobs", "list")
    run(env, "jobs", "run", "forecast-weekly-snapshot", "--at", "2026-11-23T06:00:00Z")
    run(env, "jobs", "run", "forecast-weekly-snapshot", "--at", "2026-11-25T06:00:00Z")
    run(env, "jobs", "run", "quotes-expire", "--at", "2026-11-25T06:00:00Z")
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT kind, week_start, period_start, period_end FROM forecast_snapshots")
        ).all()
    engine.dispose()
    assert [tuple(map(str, row)) for row in rows] == [("weekly", "2026-11-23", "2026-10-01", "2026-12-31")]
