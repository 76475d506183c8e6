"""The `crm-events` command and the service-scoped `events` group, through click's CliRunner."""

from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from crmkit.db import Database
from crmkit.events.cli import cli, events_commands
from crmkit.events.consumer import Outcome
from crmkit.events.topology import policies
from crmkit.settings import ServiceSettings
from crmkit.testing.events import relay_all, running_consumer, wait_for_outcome
from crmkit.testing.infra import infra_setting

PUB, SUB = "testpub", "testsub"


def _standalone_env(bus: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_URL", bus.broker_url)
    monkeypatch.setenv("CRM_DATA_DIR", str(bus.folder))
    monkeypatch.delenv("CRM_BROKER_DIR", raising=False)


def _tail_bound(bus: SimpleNamespace) -> bool:
    if bus.on_rabbitmq:
        vhost = bus.vhost
        bindings = vhost.api.request("GET", f"/exchanges/{vhost.name}/crm.events/bindings/source")
        return any(item["destination"].startswith("crm-events.tail.") for item in bindings)
    table = bus.folder / "broker" / "control" / "crm.events.exchange"
    return table.exists() and "crm-events.tail." in table.read_text()


def _in_thread(args: list[str]) -> tuple[threading.Thread, list[Result]]:
    results: list[Result] = []
    thread = threading.Thread(target=lambda: results.append(CliRunner().invoke(cli, args)), daemon=True)
    thread.start()
    return thread, results


def test_tail_prints_matching_events_and_cleans_up(
    bus: SimpleNamespace, types: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _standalone_env(bus, monkeypatch)
    thread, results = _in_thread(
        ["tail", "--pattern", "testpub.thing.deleted", "--count", "1", "--timeout", "15"]
    )
    deadline = time.monotonic() + 10
    while not _tail_bound(bus) and time.monotonic() < deadline:
        time.sleep(0.02)
    bus.emit(PUB, subject="skipped")
    event = bus.emit(PUB, types.deleted, subject="t-1", data={"name": "gone"})
    relay_all(bus.database(PUB), bus.settings(PUB))
    thread.join(20)
    (result,) = results
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    printed = json.loads(line)
    assert (printed["type"], printed["subject"], printed["id"]) == (event.type, "t-1", event.id)
    assert printed["data"] == {"name": "gone"} and printed["time"].endswith("Z")
    assert not _tail_bound(bus)


def test_tail_stops_after_its_timeout(fs_bus: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    _standalone_env(fs_bus, monkeypatch)
    result = CliRunner().invoke(cli, ["tail", "--timeout", "0.2"])
    assert result.exit_code == 0 and result.stdout == ""
    assert not _tail_bound(fs_bus)


def test_dlq_list_and_replay_move_a_parked_event_back(
    bus: SimpleNamespace, types: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _standalone_env(bus, monkeypatch)
    attempts: list[str] = []

    def fails_twice_per_replay(session: Any, event: Any) -> None:
        attempts.append(event.id)
        if len(attempts) <= 2:
            raise RuntimeError("downstream is down")
        types.apply(session, event)

    consumer = bus.consumer(
        SUB, "testsub.things", {"testpub.thing.*": fails_twice_per_replay}, max_attempts=2
    )
    with running_consumer(consumer):
        event = bus.emit(PUB)
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(consumer, Outcome.DEAD_LETTERED)

        listed = CliRunner().invoke(cli, ["dlq", "list", "--queue", "testsub.things"])
        assert listed.exit_code == 0, listed.output
        (line,) = listed.stdout.splitlines()
        letter = json.loads(line)
        assert (letter["event_id"], letter["attempts"], letter["error_type"]) == (event.id, 2, "RuntimeError")
        assert letter["error_message"] == "downstream is down"

        unknown = CliRunner().invoke(
            cli, ["dlq", "replay", "--queue", "testsub.things", "--event-id", "nope"]
        )
        assert unknown.exit_code == 1 and "not on testsub.things.dlq" in unknown.output
        replayed = CliRunner().invoke(cli, ["dlq", "replay", "--queue", "testsub.things", "--all"])
        assert replayed.exit_code == 0 and "moved 1 message(s)" in replayed.stdout
        wait_for_outcome(consumer, Outcome.HANDLED)
    assert [row["event_id"] for row in bus.applied(SUB)] == [event.id]


def test_dlq_replay_needs_exactly_one_selector(
    fs_bus: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _standalone_env(fs_bus, monkeypatch)
    for args in ([], ["--all", "--event-id", "x"]):
        result = CliRunner().invoke(cli, ["dlq", "replay", "--queue", "testsub.things", *args])
        assert result.exit_code == 2 and "exactly one of --event-id or --all" in result.output
    bad = CliRunner().invoke(cli, ["dlq", "list", "--queue", "Bad Name"])
    assert bad.exit_code == 1 and "<service>.<purpose>" in bad.output


@pytest.mark.rabbitmq
def test_dlq_list_reports_a_queue_without_a_dlq(
    rabbit_bus: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _standalone_env(rabbit_bus, monkeypatch)
    result = CliRunner().invoke(cli, ["dlq", "list", "--queue", "nobody.here"])
    assert result.exit_code == 1 and "no dead-letter queue 'nobody.here.dlq'" in result.output


def _service_group(bus: SimpleNamespace, service: str) -> Any:
    settings: ServiceSettings = bus.settings(service)
    database: Database = bus.database(service)
    return events_commands(lambda: (settings, database))


def test_service_commands_report_lag_purge_and_replay(bus: SimpleNamespace, types: SimpleNamespace) -> None:
    group, runner = _service_group(bus, PUB), CliRunner()
    first = bus.emit(PUB)
    lag = json.loads(runner.invoke(group, ["outbox-lag"]).stdout)
    assert lag["pending"] == 1 and lag["oldest_age_seconds"] >= 0
    with running_consumer(bus.consumer(SUB, "testsub.things")) as consumer:
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(consumer, Outcome.HANDLED)
        replayed = runner.invoke(
            group, ["replay", "--after", "0", "--to-queue", "testsub.things", "--type", "testpub.#"]
        )
        assert replayed.exit_code == 0 and "replayed 1 event(s) to testsub.things" in replayed.stdout
        wait_for_outcome(consumer, Outcome.DUPLICATE)
    assert [row["event_id"] for row in bus.applied(SUB)] == [first.id]
    assert json.loads(runner.invoke(group, ["outbox-lag"]).stdout)["pending"] == 0
    purged = runner.invoke(group, ["outbox-purge", "--older-than-days", "0"])
    assert purged.exit_code == 0 and "deleted 1 published outbox row(s)" in purged.stdout
    inbox = runner.invoke(_service_group(bus, SUB), ["inbox-purge", "--older-than-days", "0"])
    assert inbox.exit_code == 0 and "deleted 1 inbox row(s)" in inbox.stdout


@pytest.mark.rabbitmq
def test_replay_to_a_missing_queue_fails_clearly(rabbit_bus: SimpleNamespace) -> None:
    rabbit_bus.emit(PUB)
    relay_all(rabbit_bus.database(PUB), rabbit_bus.settings(PUB))
    result = CliRunner().invoke(
        _service_group(rabbit_bus, PUB), ["replay", "--after", "0", "--to-queue", "no.queue"]
    )
    assert result.exit_code == 1 and "queue 'no.queue' does not exist" in result.output


@pytest.mark.rabbitmq
@pytest.mark.parametrize("rabbit_policies", [[]])
def test_broker_setup_reads_credentials_from_the_environment(
    rabbit_vhost: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABBITMQ_USER", infra_setting("CRM_TEST_RABBIT_USER"))
    monkeypatch.setenv("RABBITMQ_PASSWORD", infra_setting("CRM_TEST_RABBIT_PASSWORD"))
    api_url = infra_setting("CRM_TEST_RABBIT_API")
    result = CliRunner().invoke(cli, ["broker-setup", "--api", api_url, "--vhost", rabbit_vhost.name])
    assert result.exit_code == 0, result.output
    assert {policy["name"] for policy in rabbit_vhost.api.policies()} == {
        policy["name"] for policy in policies()
    }
    monkeypatch.setenv("RABBITMQ_PASSWORD", "wrong")
    failed = CliRunner().invoke(cli, ["broker-setup", "--api", api_url, "--vhost", rabbit_vhost.name])
    assert failed.exit_code == 1 and "401" in failed.output


def test_definitions_prints_what_ops_import() -> None:
    result = CliRunner().invoke(cli, ["definitions", "--policies-only"])
    assert json.loads(result.stdout) == policies()
    document = json.loads(CliRunner().invoke(cli, ["definitions", "--vhost", "crm"]).stdout)
    assert {exchange["name"] for exchange in document["exchanges"]} == {
        "crm.events",
        "crm.dlx",
        "crm.requeue",
    }
    assert {policy["vhost"] for policy in document["policies"]} == {"crm"}
