"""The worker process of a service: the outbox relay, the event consumer and periodic jobs, side by side."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from crmkit.db import Database
from crmkit.events.consumer import EventConsumer, Handler
from crmkit.events.relay import OutboxRelay
from crmkit.jobs import JobRunner, PeriodicJob, with_kit_jobs
from crmkit.settings import ServiceSettings

log = logging.getLogger(__name__)
JOIN_TIMEOUT = 30.0


def run_worker(
    settings: ServiceSettings,
    database: Database,
    *,
    queue: str | None,
    handlers: Mapping[str, Handler],
    stop: threading.Event | None = None,
    consumer_options: Mapping[str, Any] | None = None,
    jobs: Sequence[PeriodicJob] = (),
) -> int:
    """Run the relay and (with handlers) the consumer until SIGTERM/SIGINT or `stop`; return an exit code.

    The exit code is 1 when a thread died unexpectedly (the supervisor should restart the worker).
    """
    stop = stop or threading.Event()
    failed = threading.Event()
    runners = _runners(settings, database, queue, handlers, consumer_options or {})
    runners["periodic-jobs"] = JobRunner(database, with_kit_jobs(jobs)).run_forever
    threads = [_start(name, runner, stop, failed) for name, runner in runners.items()]
    log.info("worker started", extra={"service": settings.service, "queue": queue, "threads": list(runners)})
    with _stop_on_signals(stop):
        while not stop.wait(0.5):
            pass
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    log.info("worker stopped", extra={"service": settings.service, "failed": failed.is_set()})
    return 1 if failed.is_set() else 0


def _runners(
    settings: ServiceSettings,
    database: Database,
    queue: str | None,
    handlers: Mapping[str, Handler],
    consumer_options: Mapping[str, Any],
) -> dict[str, Callable[[threading.Event], None]]:
    """Return the loops this worker runs: the relay, and the consumer when there are handlers."""
    runners: dict[str, Callable[[threading.Event], None]] = {
        "outbox-relay": OutboxRelay(database, settings).run_forever
    }
    if handlers:
        if queue is None:
            raise ValueError("a worker with handlers needs a queue name")
        consumer = EventConsumer(database, settings, queue, handlers, **dict(consumer_options))
        runners["event-consumer"] = consumer.run_forever
    return runners


def _start(
    name: str, runner: Callable[[threading.Event], None], stop: threading.Event, failed: threading.Event
) -> threading.Thread:
    def target() -> None:
        try:
            runner(stop)
        except Exception:
            log.exception("worker thread died", extra={"worker_thread": name})
            failed.set()
            stop.set()

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM and SIGINT (only the main thread may install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal", extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
