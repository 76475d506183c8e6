"""The `crm-projects` command: migrate, worker (outbox relay and consumers), events ..."""

from __future__ import annotations

from pathlib import Path

from crmkit.cli import main_for, service_cli
from projects.app import SERVICE, load_settings
from projects.consumers import HANDLERS, QUEUE

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

cli = service_cli(
    service=SERVICE,
    settings_factory=load_settings,
    migrations_dir=MIGRATIONS_DIR,
    handlers=lambda: HANDLERS,
    queue=QUEUE,
)
main = main_for(cli)
