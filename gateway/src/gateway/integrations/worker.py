"""The gateway worker: consumes every event on crm.events into the log, dispatches webhooks, purges.

One process (`crm-gateway worker`) built on the kit's worker: the event consumer on `gateway.events`
(bound with `#`, so every routing key), the outbox relay (for the gateway's own notices) and two periodic
jobs: `webhook-dispatch` and `event-log-purge`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crmkit import Database
from crmkit.events.consumer import Handler
from crmkit.events.worker import run_worker
from crmkit.jobs import PeriodicJob
from gateway.integrations.dispatch import Send, WebhookSender, dispatch_due
from gateway.integrations.eventlog import purge_expired, store_event
from gateway.integrations.settings import IntegrationSettings
from gateway.settings import GatewaySettings

QUEUE = "gateway.events"
HANDLERS: dict[str, Handler] = {"#": store_event}
DISPATCH_JOB = "webhook-dispatch"
PURGE_JOB = "event-log-purge"


def dispatch_job(settings: IntegrationSettings, send: Send) -> PeriodicJob:
    """Deliver due webhooks (each round drains what is due, see dispatch.dispatch_due)."""

    def dispatch(session: Session, now: datetime) -> int:
        return dispatch_due(session, now, send=send, settings=settings)

    return PeriodicJob(DISPATCH_JOB, settings.dispatch_every_seconds, dispatch, "POST due webhook deliveries")


def purge_job(settings: IntegrationSettings) -> PeriodicJob:
    """Drop events past the retention (and finished deliveries of them)."""

    def purge(session: Session, now: datetime) -> int:
        return purge_expired(session, now, retention=timedelta(days=settings.retention_days))

    return PeriodicJob(PURGE_JOB, settings.purge_every_seconds, purge, "Drop events past the retention")


def jobs(settings: IntegrationSettings, send: Send) -> Sequence[PeriodicJob]:
    """The worker's periodic jobs."""
    return (dispatch_job(settings, send), purge_job(settings))


def run(
    settings: GatewaySettings, integrations: IntegrationSettings, *, stop: threading.Event | None = None
) -> int:
    """Run the worker until SIGTERM/SIGINT or `stop`; the exit code is 1 when a thread died."""
    database = Database(settings.database_url)
    sender = WebhookSender(integrations)
    try:
        return run_worker(
            settings,
            database,
            queue=QUEUE,
            handlers=HANDLERS,
            stop=stop,
            jobs=jobs(integrations, sender.send_all),
        )
    finally:
        sender.close()
        database.dispose()
