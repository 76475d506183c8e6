"""`crm-events`: tail the bus, inspect and replay dead letters, set up a broker; plus service commands."""

from __future__ import annotations

import dataclasses
import json
import signal
import threading
from collections.abc import Callable
from typing import Any

import click

from crmkit.db import Database, transaction
from crmkit.events import dlq, inbox, outbox, topology
from crmkit.events.replay import ReplayError, replay
from crmkit.events.tail import tail
from crmkit.settings import ServiceSettings

GetSettings = Callable[[], ServiceSettings]
GetRuntime = Callable[[], tuple[ServiceSettings, Database]]


def _echo_json(item: Any) -> None:
    click.echo(json.dumps(item, default=str, ensure_ascii=False))


def tail_command(get_settings: GetSettings) -> click.Command:
    """Build `tail` for settings from `get_settings`."""

    @click.command("tail")
    @click.option("--pattern", default="#", show_default=True, help="Routing-key pattern, e.g. customer.#")
    @click.option("--count", type=click.IntRange(min=1), help="Stop after this many events.")
    @click.option("--timeout", type=click.FloatRange(min=0), help="Stop after this many seconds.")
    def command(pattern: str, count: int | None, timeout: float | None) -> None:
        """Print events from crm.events as JSON lines (a temporary queue, removed on exit)."""
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for signum in (signal.SIGINT, signal.SIGTERM):  # either way the temporary queue is removed
                signal.signal(signum, lambda *_: stop.set())
        pattern = pattern.removeprefix("crm.")
        tail(
            get_settings(),
            _echo_json,
            pattern=pattern,
            count=count,
            timeout=timeout,
            stop=stop,
            on_ready=lambda: click.echo(f"listening on crm.events for {pattern}", err=True),
        )
        if stop.is_set():
            click.echo("stopped", err=True)

    return command


def dlq_group(get_settings: GetSettings) -> click.Group:
    """Build the `dlq` group for settings from `get_settings`."""

    @click.group("dlq")
    def group() -> None:
        """Inspect and replay a queue's dead letters (<queue>.dlq)."""

    group.add_command(_dlq_list(get_settings))
    group.add_command(_dlq_replay(get_settings))
    return group


QUEUE_OPTION = click.option("--queue", required=True, help="The consumer queue, e.g. sales.customer-events.")


def _dlq_list(get_settings: GetSettings) -> click.Command:
    @click.command("list")
    @QUEUE_OPTION
    def command(queue: str) -> None:
        """Print the parked messages of QUEUE as JSON lines; they stay parked."""
        letters = _dlq_call(lambda: dlq.list_dead_letters(get_settings(), queue))
        for letter in letters:
            _echo_json(dataclasses.asdict(letter))
        click.echo(f"{len(letters)} message(s) on {topology.dlq_name(queue)}", err=True)

    return command


def _dlq_replay(get_settings: GetSettings) -> click.Command:
    @click.command("replay")
    @QUEUE_OPTION
    @click.option("--event-id", help="Move only the message of this event.")
    @click.option("--all", "move_all", is_flag=True, help="Move every parked message.")
    def command(queue: str, event_id: str | None, move_all: bool) -> None:
        """Move parked messages back to QUEUE with their attempts reset."""
        if bool(event_id) == move_all:
            raise click.UsageError("give exactly one of --event-id or --all")
        moved = _dlq_call(lambda: dlq.replay_dead_letters(get_settings(), queue, event_id=event_id))
        if event_id and not moved:
            raise click.ClickException(f"event {event_id} is not on {topology.dlq_name(queue)}")
        click.echo(f"moved {moved} message(s) from {topology.dlq_name(queue)} to {queue}")

    return command


def _dlq_call(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except (dlq.DeadLetterQueueMissing, topology.TopologyError) as exc:
        raise click.ClickException(str(exc)) from None


def events_commands(get_runtime: GetRuntime) -> click.Group:
    """Build the `events` group a service CLI mounts: tail, dlq and its outbox, inbox and replay commands."""

    @click.group("events")
    def group() -> None:
        """Operate this service's events: outbox, inbox, replay, dead letters."""

    for command in (
        tail_command(lambda: get_runtime()[0]),
        dlq_group(lambda: get_runtime()[0]),
        _outbox_lag(get_runtime),
        _purge_command("outbox-purge", outbox.purge_published, "published outbox row(s)", get_runtime),
        _purge_command("inbox-purge", inbox.purge_handled, "inbox row(s)", get_runtime),
        _replay_command(get_runtime),
    ):
        group.add_command(command)
    return group


def _outbox_lag(get_runtime: GetRuntime) -> click.Command:
    @click.command("outbox-lag")
    def command() -> None:
        """Print the pending outbox rows and the age of the oldest one (JSON)."""
        _, database = get_runtime()
        with database.uow() as uow:
            _echo_json(dataclasses.asdict(outbox.lag(uow.session)))

    return command


def _purge_command(name: str, purge: Callable[..., int], what: str, get_runtime: GetRuntime) -> click.Command:
    @click.command(name, help=f"Delete {what} older than N days.")
    @click.option("--older-than-days", type=click.FloatRange(min=0), required=True)
    def command(older_than_days: float) -> None:
        _, database = get_runtime()
        with transaction(database) as session:
            count = purge(session, older_than_days=older_than_days)
        click.echo(f"deleted {count} {what}")

    return command


def _replay_command(get_runtime: GetRuntime) -> click.Command:
    @click.command("replay")
    @click.option(
        "--after", type=click.IntRange(min=0), required=True, help="Outbox position to start after."
    )
    @click.option("--to-queue", required=True, help="The one queue to send to, e.g. sales.customer-events.")
    @click.option("--type", "type_pattern", help="Routing-key pattern, e.g. customer.account.*")
    def command(after: int, to_queue: str, type_pattern: str | None) -> None:
        """Re-send published events after a position to one queue only."""
        settings, database = get_runtime()
        try:
            count = replay(database, settings, after=after, to_queue=to_queue, type_pattern=type_pattern)
        except ReplayError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"replayed {count} event(s) to {to_queue}")

    return command


def _standalone_settings() -> ServiceSettings:
    return ServiceSettings.from_env("crm-events")


@click.group()
def cli() -> None:
    """Inspect and operate the CRM event bus (broker from BROKER_URL / CRM_DATA_DIR)."""


cli.add_command(tail_command(_standalone_settings))
cli.add_command(dlq_group(_standalone_settings))


@cli.command("broker-setup")
@click.option("--api", "api_url", envvar="RABBITMQ_API_URL", required=True, help="Management API URL.")
@click.option("--vhost", envvar="RABBITMQ_VHOST", default="/", show_default=True)
@click.option("--user", envvar="RABBITMQ_USER", required=True)
@click.option("--password", envvar="RABBITMQ_PASSWORD", required=True)
def broker_setup(api_url: str, vhost: str, user: str, password: str) -> None:
    """Create the exchanges and apply the policies on a RabbitMQ vhost (idempotent)."""
    try:
        topology.broker_setup(api_url, vhost, user, password)
    except topology.BrokerSetupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exchanges and {len(topology.policies())} policies applied to vhost {vhost!r}")


@cli.command("definitions")
@click.option("--vhost", default="/", show_default=True)
@click.option(
    "--policies-only", is_flag=True, help="Print only the policy list (deploy/rabbitmq/policies.json)."
)
def definitions(vhost: str, policies_only: bool) -> None:
    """Print the RabbitMQ definitions (exchanges and policies) as JSON."""
    document: Any = topology.policies() if policies_only else topology.definitions(vhost)
    click.echo(json.dumps(document, indent=2))


def main() -> None:
    """Run `crm-events`."""
    cli()
