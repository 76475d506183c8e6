"""The gateway worker: consumes every event on crm.events into the log, dispatches webhooks, purges.

One process (`crm-gateway worker`) built on the kit's worker: the event consumer on `gateway.events`
(bound with `#`, so every routing key), the outbox relay (for the gateway's own notices) and three periodic
jobs: `webhook-dispatch`, `event-log-purge` and `audit-log-purge` (the audit log's retention).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crmkit import Database
from crmkit.events.consumer import Handler
from crmkit.events.worker import run_worker
from crmkit.jobs import PeriodicJob
from gateway.audit import service as audit
from gateway.integrations import secretbox
from gateway.integrations.dispatch import Send, WebhookSender, dispatch_due
from gateway.integrations.eventlog import purge_expired, store_event
from gateway.integrations.settings import IntegrationSettings
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)
QUEUE = "gateway.events"
HANDLERS: dict[str, Handler] = {"#": store_event}
DISPATCH_JOB = "webhook-dispatch"
PURGE_JOB = "event-log-purge"
AUDIT_PURGE_JOB = "audit-log-purge"


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


def audit_purge_job(settings: IntegrationSettings) -> PeriodicJob:
    """Delete audit entries older than CRM_AUDIT_RETENTION_DAYS (a huge retention deletes nothing)."""

    def purge(session: Session, now: datetime) -> int:
        before = retention_start(now, settings.audit_retention_days)
        return 0 if before is None else audit.delete_older_than(session, before)

    return PeriodicJob(
        AUDIT_PURGE_JOB, settings.audit_purge_every_seconds, purge, "Delete audit entries past the retention"
    )


def retention_start(now: datetime, days: float) -> datetime | None:
    """`days` before `now`; None when that is before the calendar's first day (keep everything)."""
    try:
        return now - timedelta(days=days)
    except OverflowError:
        return None


def jobs(settings: IntegrationSettings, send: Send) -> Sequence[PeriodicJob]:
    """The worker's periodic jobs."""
    return (dispatch_job(settings, send), purge_job(settings), audit_purge_job(settings))


def use_webhook_keys(settings: GatewaySettings) -> None:
    """Decrypt webhook secrets with the gateway's keys; missing keys are logged, not fatal (the key file may
    appear once the gateway has started; until then only those deliveries fail, and are retried)."""
    keyring = secretbox.Keyring.for_settings(settings)
    secretbox.use(keyring)
    try:
        keyring.check()
    except secretbox.SecretKeyError as error:
        log.warning("webhook secrets cannot be decrypted yet: %s", error)


def run(
    settings: GatewaySettings, integrations: IntegrationSettings, *, stop: threading.Event | None = None
) -> int:
    """Run the worker until SIGTERM/SIGINT or `stop`; the exit code is 1 when a thread died."""
    use_webhook_keys(settings)
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
