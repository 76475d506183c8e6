"""A service's command line: `crm-<service> migrate | worker | events ...`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from crmkit import migrations
from crmkit.db import Database
from crmkit.events.cli import events_commands
from crmkit.events.consumer import Handler
from crmkit.events.worker import run_worker
from crmkit.logging import configure_logging
from crmkit.settings import ServiceSettings


def service_cli(
    *,
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    migrations_dir: Path,
    handlers: Callable[[], Mapping[str, Handler]] | None = None,
    queue: str | None = None,
) -> click.Group:
    """Build the click group a service exposes as its console script."""

    def runtime() -> tuple[ServiceSettings, Database]:
        settings = settings_factory()
        return settings, Database(settings.database_url)

    @click.group(help=f"Operate the {service} service.")
    def group() -> None:
        pass

    @group.command()
    @click.option("--revision", default="head", show_default=True)
    def migrate(revision: str) -> None:
        """Apply database migrations."""
        settings = settings_factory()
        migrations.upgrade(migrations_dir, settings.database_url, revision)
        click.echo(f"{service}: database at {revision}")

    @group.command()
    def worker() -> None:
        """Run the outbox relay and this service's event consumers until stopped."""
        settings, database = runtime()
        configure_logging(f"{service}-worker", settings.log_level)
        # A crashed relay or consumer thread ends the process with 1, so the supervisor restarts it.
        raise SystemExit(
            run_worker(settings, database, queue=queue, handlers=dict(handlers() if handlers else {}))
        )

    group.add_command(events_commands(runtime), name="events")
    return group


def main_for(group: click.Group) -> Callable[[], Any]:
    return lambda: group(auto_envvar_prefix="CRM")
