"""Periodic jobs a service's worker runs beside the relay and the consumer (SLA sweeps, snapshots, purges).

A job is `run(session, now) -> int` (how many things it handled). It runs in its own unit of work, which
commits when it returns, so whatever it writes, outbox events included, lands together or not at all. Jobs
get `now` as an argument instead of reading the clock, so tests and operators can run one at any instant
(`crm-<service> jobs run <name> --at <time>`).

Several worker replicas may run the same job: on PostgreSQL a transaction-scoped advisory lock per job name
lets one replica run it at a time (the others skip that round); jobs must still be idempotent, because a
round can be repeated after a crash.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.db import Database
from crmkit.idempotency import purge_expired
from crmkit.types import utcnow

log = logging.getLogger(__name__)

JobFunction = Callable[[Session, datetime], int]
MAX_IDLE_SECONDS = 1.0
IDEMPOTENCY_PURGE_JOB = "idempotency-keys-purge"


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    """A named job the worker runs every `every_seconds`."""

    name: str
    every_seconds: float
    run: JobFunction
    description: str = ""

    def __post_init__(self) -> None:
        if self.every_seconds <= 0:
            raise ValueError(f"job {self.name!r}: every_seconds must be positive")


def with_kit_jobs(jobs: Sequence[PeriodicJob]) -> list[PeriodicJob]:
    """A service's jobs plus the kit's own, which every worker runs (now: forgetting old Idempotency-Keys)."""
    purge = PeriodicJob(
        IDEMPOTENCY_PURGE_JOB, 3600.0, purge_expired, "Forget Idempotency-Keys older than 24 hours"
    )
    return [*jobs, purge] if all(job.name != purge.name for job in jobs) else list(jobs)


def run_once(database: Database, job: PeriodicJob, now: datetime | None = None) -> int | None:
    """Run `job` once at `now` (default: the current time) in its own transaction.

    Returns what the job handled, or None when another replica holds the job's lock (PostgreSQL only).
    """
    with database.uow() as uow:
        if not _claim(uow.session, job.name):
            return None
        handled = job.run(uow.session, now or utcnow())
        uow.commit()
    return handled


def _claim(session: Session, name: str) -> bool:
    """Take the job's advisory lock for this transaction on PostgreSQL; SQLite serialises writers anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"crm-job:{name}".encode())
    return bool(session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar())


class JobRunner:
    """Run every job at its interval until stopped; a failing round is logged and tried at the next one."""

    def __init__(
        self,
        database: Database,
        jobs: Sequence[PeriodicJob],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.database = database
        self.jobs = list(jobs)
        self.clock = clock
        self.rounds: dict[str, int] = {job.name: 0 for job in jobs}

    def run_forever(self, stop: threading.Event) -> None:
        due = {job.name: 0.0 for job in self.jobs}
        while not stop.is_set():
            for job in self.jobs:
                if time.monotonic() >= due[job.name]:
                    self._round(job)
                    due[job.name] = time.monotonic() + job.every_seconds
            wait = min(due.values(), default=time.monotonic() + MAX_IDLE_SECONDS) - time.monotonic()
            stop.wait(min(max(wait, 0.01), MAX_IDLE_SECONDS))

    def _round(self, job: PeriodicJob) -> None:
        try:
            handled = run_once(self.database, job, self.clock())
        except Exception:
            log.exception("periodic job failed", extra={"job": job.name})
            return
        self.rounds[job.name] += 1
        if handled:
            log.info("periodic job ran", extra={"job": job.name, "handled": handled})
