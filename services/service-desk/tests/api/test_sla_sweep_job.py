"""The sla-sweep job as operators run it (`crm-service-desk jobs run sla-sweep --at ...`), and due times
that follow a calendar change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

import crmkit
from service_desk.cli import cli

Headers = dict[str, str]
Factory = Callable[..., dict[str, Any]]
HOUR = 3600


def test_the_worker_lists_and_runs_the_sweep_at_a_given_instant(
    settings: crmkit.ServiceSettings,
    monkeypatch: pytest.MonkeyPatch,
    create_policy: Factory,
    open_ticket: Factory,
    outbox: Callable[..., list[Any]],
) -> None:
    create_policy(first_response_seconds=HOUR, resolution_seconds=None)
    open_ticket()
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CRM_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    listed = runner.invoke(cli, ["jobs", "list"])
    assert "sla-sweep" in listed.output, listed.output
    early = runner.invoke(cli, ["jobs", "run", "sla-sweep", "--at", "2026-03-02T09:10:00Z"])
    assert early.exit_code == 0, early.output
    assert "handled 0" in early.output
    due = runner.invoke(cli, ["jobs", "run", "sla-sweep", "--at", "2026-03-02T10:00:00+00:00"])
    assert "handled 2" in due.output, due.output
    assert len(outbox("servicedesk.ticket.sla_breached")) == 1


def test_changing_the_calendar_moves_the_due_times_of_running_clocks(
    client: FlaskClient,
    manager: Headers,
    sweep: Callable[[datetime], int],
    create_calendar: Factory,
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
    patch_json: Callable[..., Any],
    clock: Any,
) -> None:
    calendar = create_calendar()
    create_policy(calendar_id=calendar["id"], first_response_seconds=10 * HOUR, resolution_seconds=None)
    clock.set(datetime(2026, 3, 2, 16, tzinfo=UTC))
    ticket = open_ticket()
    assert ticket_sla(ticket["id"])["clocks"][0]["due_at"] == "2026-03-04T10:00:00.000000Z"
    assert sweep(datetime(2026, 3, 2, 23, tzinfo=UTC)) == 0
    round_the_clock = {
        day: [{"start": "00:00", "end": "24:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
    }
    changed = patch_json(
        f"/api/v1/business-calendars/{calendar['id']}", {"weekly_hours": round_the_clock}, manager, 1
    )
    assert changed.status_code == 200, changed.json
    assert ticket_sla(ticket["id"])["clocks"][0]["due_at"] == "2026-03-03T02:00:00.000000Z"
    assert sweep(datetime(2026, 3, 3, 0, tzinfo=UTC)) == 1  # warning at 8 h: 00:00
