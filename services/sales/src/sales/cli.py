"""The `crm-sales` command: migrate, worker (outbox relay, consumers, periodic jobs), jobs, events ..."""

from __future__ import annotations

from pathlib import Path

from crmkit.cli import main_for, service_cli
from sales.app import SERVICE, load_settings
from sales.consumers import HANDLERS, QUEUE
from sales.jobs import JOBS

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

cli = service_cli(
    service=SERVICE,
    settings_factory=load_settings,
    migrations_dir=MIGRATIONS_DIR,
    handlers=lambda: HANDLERS,
    queue=QUEUE,
    jobs=lambda: JOBS,
)
main = main_for(cli)
