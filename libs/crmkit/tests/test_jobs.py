"""Periodic jobs: one transaction per round, an explicit clock, a failing round kept apart, one replica at a time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from crmkit.cli import service_cli
from crmkit.db import Database
from crmkit.jobs import JobRunner, PeriodicJob, run_once
from crmkit.settings import ServiceSettings

RUNS = sa.table("runs", sa.column("at", sa.String))
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _database(url: str) -> Database:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE runs (at VARCHAR(40))"))
    return database


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return _database(f"sqlite:///{tmp_path / 'jobs.db'}")


def _record(session: Session, now: datetime) -> int:
    session.execute(sa.insert(RUNS).values(at=now.isoformat()))
    return 1


def _fail_after_writing(session: Session, now: datetime) -> int:
    _record(session, now)
    raise RuntimeError("boom")


def _runs(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [row.at for row in connection.execute(sa.select(RUNS.c.at))]


def test_a_round_commits_what_the_job_wrote_as_of_the_given_time(database: Database) -> None:
    assert run_once(database, PeriodicJob("record", 60, _record), AT) == 1
    assert _runs(database) == [AT.isoformat()]


def test_a_failing_round_writes_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        run_once(database, PeriodicJob("fail", 60, _fail_after_writing), AT)
    assert _runs(database) == []


def test_the_runner_repeats_jobs_and_survives_a_failing_one(database: Database) -> None:
    runner = JobRunner(
        database,
        [PeriodicJob("record", 0.05, _record), PeriodicJob("fail", 0.05, _fail_after_writing)],
        clock=lambda: AT,
    )
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while len(_runs(database)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert len(_runs(database)) >= 3
    assert set(_runs(database)) == {AT.isoformat()}
    assert runner.rounds["fail"] == 0  # failed rounds are not counted as run


def test_job_names_are_unique_and_intervals_positive(database: Database) -> None:
    with pytest.raises(ValueError, match="unique"):
        JobRunner(database, [PeriodicJob("a", 1, _record), PeriodicJob("a", 2, _record)])
    with pytest.raises(ValueError, match="positive"):
        PeriodicJob("a", 0, _record)


def test_the_cli_lists_and_runs_a_job_at_a_given_instant(tmp_path: Path, database: Database) -> None:
    settings = ServiceSettings.from_env(
        "jobsvc", env={"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database.url}
    )
    cli = service_cli(
        service="jobsvc",
        settings_factory=lambda: settings,
        migrations_dir=tmp_path,
        jobs=lambda: [PeriodicJob("record", 60, _record, description="writes a row")],
    )
    runner = CliRunner()
    listed = runner.invoke(cli, ["jobs", "list"])
    assert listed.exit_code == 0 and "record" in listed.output and "writes a row" in listed.output
    ran = runner.invoke(cli, ["jobs", "run", "record", "--at", "2026-11-23T10:30:00+01:00"])
    assert ran.exit_code == 0, ran.output
    assert "handled 1" in ran.output
    assert _runs(database) == [AT.isoformat()]


@pytest.mark.parametrize("args", [["jobs", "run", "nope"], ["jobs", "run", "record", "--at", "tomorrow"]])
def test_the_cli_refuses_an_unknown_job_or_a_bad_time(
    tmp_path: Path, database: Database, args: list[str]
) -> None:
    settings = ServiceSettings.from_env(
        "jobsvc", env={"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database.url}
    )
    cli = service_cli(
        service="jobsvc", settings_factory=lambda: settings, migrations_dir=tmp_path,
        jobs=lambda: [PeriodicJob("record", 60, _record)],
    )  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert _runs(database) == []


@pytest.mark.postgres
def test_on_postgresql_one_replica_runs_a_job_at_a_time(postgres_url: str) -> None:
    database = _database(postgres_url)
    inside, release = threading.Event(), threading.Event()

    def slow(session: Session, now: datetime) -> int:
        inside.set()
        release.wait(10)
        return _record(session, now)

    job = PeriodicJob("slow", 60, slow)
    results: list[int | None] = []
    first = threading.Thread(target=lambda: results.append(run_once(database, job, AT)))
    first.start()
    assert inside.wait(10)
    assert run_once(database, job, AT) is None  # the other replica holds the lock
    release.set()
    first.join(10)
    assert results == [1]
    assert run_once(database, job, AT) == 1  # free again once the first round committed
    assert len(_runs(database)) == 2
    database.dispose()


def test_every_worker_forgets_idempotency_keys_after_a_day(tmp_path: Path) -> None:
    from datetime import timedelta

    from crmkit.db import kit_metadata
    from crmkit.idempotency import idempotency_keys
    from crmkit.jobs import IDEMPOTENCY_PURGE_JOB, with_kit_jobs

    database = Database(f"sqlite:///{tmp_path / 'keys.db'}")
    kit_metadata.create_all(database.engine, tables=[idempotency_keys])
    rows = [("old", AT - timedelta(hours=24, seconds=1)), ("recent", AT - timedelta(hours=23))]
    with database.engine.begin() as connection:
        for key, claimed_at in rows:
            connection.execute(
                idempotency_keys.insert().values(
                    key=key, principal="p", fingerprint="f", claimed_at=claimed_at
                )
            )
    jobs = with_kit_jobs([PeriodicJob("record", 60, _record)])
    assert [job.name for job in jobs] == ["record", IDEMPOTENCY_PURGE_JOB]
    assert with_kit_jobs(jobs) == jobs  # added once
    assert run_once(database, jobs[-1], AT) == 1
    with database.engine.connect() as connection:
        assert connection.execute(sa.select(idempotency_keys.c.key)).scalars().all() == ["recent"]
    settings = ServiceSettings.from_env(
        "jobsvc", env={"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database.url}
    )
    cli = service_cli(service="jobsvc", settings_factory=lambda: settings, migrations_dir=tmp_path)
    assert IDEMPOTENCY_PURGE_JOB in CliRunner().invoke(cli, ["jobs", "list"]).output  # no jobs of its own
