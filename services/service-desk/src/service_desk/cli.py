"""The `crm-service-desk` command: migrate, worker (outbox relay and consumers), events ..."""

from __future__ import annotations

from pathlib import Path

from crmkit.cli import main_for, service_cli
from service_desk.app import SERVICE, load_settings
from service_desk.consumers import HANDLERS, QUEUE
from service_desk.jobs import JOBS

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
