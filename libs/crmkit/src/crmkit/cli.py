"""A service's command line: `crm-<service> migrate | worker | jobs ... | events ...`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from crmkit import migrations
from crmkit.db import Database
from crmkit.events.cli import events_commands
from crmkit.events.consumer import Handler
from crmkit.events.worker import run_worker
from crmkit.jobs import PeriodicJob, run_once, with_kit_jobs
from crmkit.logging import configure_logging
from crmkit.settings import ServiceSettings


def service_cli(
    *,
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    migrations_dir: Path,
    handlers: Callable[[], Mapping[str, Handler]] | None = None,
    queue: str | None = None,
    jobs: Callable[[], Sequence[PeriodicJob]] | None = None,
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
            run_worker(
                settings,
                database,
                queue=queue,
                handlers=dict(handlers() if handlers else {}),
                jobs=list(jobs() if jobs else ()),
            )
        )

    group.add_command(jobs_commands(runtime, jobs or (lambda: ())), name="jobs")
    group.add_command(events_commands(runtime), name="events")
    return group


def main_for(group: click.Group) -> Callable[[], Any]:
    return lambda: group(auto_envvar_prefix="CRM")


def jobs_commands(
    runtime: Callable[[], tuple[ServiceSettings, Database]], jobs: Callable[[], Sequence[PeriodicJob]]
) -> click.Group:
    """`jobs list` and `jobs run NAME [--at TIME]`: see and run the worker's periodic jobs by hand."""

    @click.group(help="The periodic jobs the worker runs.")
    def group() -> None:
        pass

    @group.command(name="list")
    def list_jobs() -> None:
        """List the jobs with their intervals."""
        for job in with_kit_jobs(jobs()):
            click.echo(f"{job.name}\tevery {job.every_seconds:g}s\t{job.description}")

    @group.command(name="run")
    @click.argument("name")
    @click.option("--at", "at", default=None, help="Run as of this RFC 3339 instant (default: now).")
    def run(name: str, at: str | None) -> None:
        """Run one job once, now or as of --at."""
        job = {job.name: job for job in with_kit_jobs(jobs())}.get(name)
        if job is None:
            raise click.BadParameter(f"no job {name!r}; see `jobs list`", param_hint="NAME")
        _settings, database = runtime()
        handled = run_once(database, job, _instant(at))
        click.echo(
            f"{name}: " + ("skipped: another worker holds it" if handled is None else f"handled {handled}")
        )

    return group


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter(f"not an RFC 3339 time: {value!r}", param_hint="--at") from error
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone (e.g. Z or +01:00)", param_hint="--at")
    return moment.astimezone(UTC)
