"""The integrations part's commands: `crm-gateway worker`, `jobs ...` and `integrations ...`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from crmkit import Database, ServiceSettings, SettingsError
from crmkit.cli import jobs_commands
from crmkit.events.topology import BrokerSetupError
from crmkit.jobs import PeriodicJob, run_once
from crmkit.logging import configure_logging
from gateway.integrations import rabbit, secretbox
from gateway.integrations import service as webhooks
from gateway.integrations.dispatch import Answer, Attempt, Send, WebhookSender
from gateway.integrations.eventlog import integration_status
from gateway.integrations.settings import IntegrationSettings
from gateway.integrations.worker import jobs as worker_jobs
from gateway.integrations.worker import purge_job, run, use_webhook_keys
from gateway.settings import GatewaySettings


def _settings() -> tuple[GatewaySettings, IntegrationSettings]:
    try:
        return GatewaySettings.from_env(), IntegrationSettings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@click.command()
def worker() -> None:
    """Consume every event into the event log, deliver webhooks and purge old events until stopped."""
    settings, integrations = _settings()
    configure_logging("gateway-worker", settings.log_level)
    raise SystemExit(run(settings, integrations))


def _runtime() -> tuple[ServiceSettings, Database]:
    """Settings and database of `crm-gateway jobs run`; the webhook secrets' keys as the worker has them."""
    settings, _ = _settings()
    use_webhook_keys(settings)
    return settings, Database(settings.database_url)


def _jobs() -> Sequence[PeriodicJob]:
    _, options = _settings()
    return worker_jobs(options, _send_once(options))


def _send_once(options: IntegrationSettings) -> Send:
    """Send through a pooled sender made for this call only (a job run by hand has no worker to keep one)."""

    def send(attempts: Sequence[Attempt]) -> dict[int, Answer]:
        sender = WebhookSender(options)
        try:
            return sender.send_all(attempts)
        finally:
            sender.close()

    return send


jobs = jobs_commands(_runtime, _jobs)


@click.group()
def integrations() -> None:
    """Event log, webhooks and integrators' own queues."""


@integrations.command("purge")
@click.option("--at", "at", default=None, help="Purge as of this RFC 3339 time (default: now).")
def purge(at: str | None) -> None:
    """Drop events older than CRM_EVENT_RETENTION_DAYS now (the worker also does it periodically)."""
    settings, options = _settings()
    now = datetime.fromisoformat(at).astimezone(UTC) if at else datetime.now(UTC)
    database = Database(settings.database_url)
    try:
        removed = run_once(database, purge_job(options), now)
    finally:
        database.dispose()
    click.echo(f"removed {removed or 0} events")


@integrations.command("reencrypt-secrets")
def reencrypt_secrets() -> None:
    """Encrypt every webhook secret under the first key of CRM_WEBHOOK_SECRET_KEYS (or of the key file):
    after putting a new key first, or to encrypt secrets stored in clear by an older release. Audited."""
    settings, _ = _settings()
    keyring = secretbox.Keyring.for_settings(settings)
    database = Database(settings.database_url)
    try:
        with database.uow() as uow:
            rewritten = webhooks.reencrypt_secrets(uow=uow, keyring=keyring)
    except secretbox.SecretKeyError as error:
        raise click.ClickException(f"{error}; nothing was changed") from None
    finally:
        database.dispose()
    click.echo(f"re-encrypted {rewritten} webhook secrets with the first key of {keyring.source}")


@integrations.command("status")
def status() -> None:
    """Print the event log's and the dispatcher's state as JSON (health checks, operators)."""
    settings, _ = _settings()
    database = Database(settings.database_url)
    try:
        with database.uow() as uow:
            state = integration_status(uow.session, datetime.now(UTC))
    finally:
        database.dispose()
    click.echo(json.dumps(state))


@integrations.command("rabbit-user")
@click.argument("name")
@click.option("--api-url", envvar="CRM_RABBIT_API_URL", required=True, help="Management API base URL.")
@click.option("--admin-user", envvar="CRM_RABBIT_ADMIN_USER", required=True)
@click.option("--admin-password", envvar="CRM_RABBIT_ADMIN_PASSWORD", required=True)
@click.option("--vhost", envvar="CRM_RABBIT_VHOST", default="/", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin instead of generating one."
)
def rabbit_user(
    name: str, api_url: str, admin_user: str, admin_password: str, vhost: str, password_stdin: bool
) -> None:
    """Create read-only RabbitMQ credentials for integrator NAME (own queues `integration.NAME.*`)."""
    password = sys.stdin.readline().strip() if password_stdin else None
    try:
        grant = rabbit.grant_for(name, password or None)
        rabbit.create_user(api_url, admin_user, admin_password, vhost, grant)
    except (ValueError, BrokerSetupError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"user: {grant.user}")
    if not password_stdin:
        click.echo(f"password: {grant.password}")
    click.echo(f"queues: {grant.queue_prefix}<anything>, bound to {rabbit.EVENTS_EXCHANGE} (read only)")
