"""Topology: naming, topic matching, the policy files, and what the broker does with them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from kombu.entity import Queue
from kombu.messaging import Producer

from crmkit.events import topology
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.topology import QueueTopology, declare, policies, topic_matches
from crmkit.testing.infra import find_repo_root, infra_setting

ROOT = find_repo_root(Path(__file__).parent)


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("customer.account.created", "customer.account.created", True),
        ("customer.account.*", "customer.account.created", True),
        ("customer.*", "customer.account.created", False),
        ("customer.#", "customer.account.created", True),
        ("#", "customer.account.created", True),
        ("#.created", "customer.account.created", True),
        ("customer.#.created", "customer.created", True),
        ("*.account.*", "sales.account.merged", True),
        ("customer.account.created", "customer.account.updated", False),
        ("customer.account.created.*", "customer.account.created", False),
    ],
)
def test_matches_topic_patterns_like_rabbitmq(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches


def test_the_deploy_files_match_the_kit() -> None:
    assert ROOT is not None
    folder = ROOT / "deploy" / "rabbitmq"
    assert json.loads((folder / "policies.json").read_text()) == policies()
    assert json.loads((folder / "definitions.json").read_text()) == topology.definitions("/")


def test_gives_every_retry_level_a_ttl_and_the_last_one_all_deeper_levels() -> None:
    by_name = {policy["name"]: policy for policy in policies(delays=(0.5, 2.0, 9.0))}
    assert by_name["crm-retry-1"]["definition"]["message-ttl"] == 500
    assert by_name["crm-retry-3"]["definition"]["message-ttl"] == 9000
    assert by_name["crm-retry-3"]["pattern"].endswith(r"\.retry\.[0-9]+$")
    assert by_name["crm-retry-1"]["priority"] > by_name["crm-retry-3"]["priority"]
    assert by_name["crm-consumer-queues"]["definition"]["delivery-limit"] == topology.DELIVERY_LIMIT


def _publish(url_settings: Any, routing_key: str, headers: dict[str, Any], body: bytes = b"{}") -> None:
    with connect(url_settings) as connection:
        publish_one(Producer(connection.channel()), Outgoing("", routing_key, body, headers, {}))


def _get_all(url_settings: Any, name: str) -> list[Any]:
    with connect(url_settings) as connection:
        queue = Queue(name)(connection.channel())
        got = []
        while (message := queue.get(no_ack=True)) is not None:
            got.append(message)
        return got


@pytest.mark.rabbitmq
@pytest.mark.parametrize("rabbit_policies", [policies(delivery_limit=1)])
def test_the_broker_parks_what_a_queue_dead_letters_on_that_queues_dlq_only(
    rabbit_vhost: Any, rabbit_bus: SimpleNamespace
) -> None:
    settings = rabbit_bus.settings("testsub")
    with connect(settings) as connection:
        channel = connection.channel()
        for name in ("testsub.things", "othersub.things"):
            layout = QueueTopology(name, on_rabbitmq=True)
            for queue in (layout.main_queue(["testpub.#"]), *layout.side_queues()):
                declare(channel, queue)
    _publish(settings, "testsub.things", {"n": "fresh"})
    # A retried message comes back from a retry queue, so its first death was not in testsub.things.
    _publish(settings, "testsub.things.retry.1", {"n": "retried", topology.QUEUE_HEADER: "testsub.things"})
    parked: list[Any] = []
    deadline = time.monotonic() + 10
    with connect(settings) as connection:  # a consumer crashing on each message: requeued until the limit
        queue = Queue("testsub.things")(connection.channel())
        while len(parked) < 2 and time.monotonic() < deadline:
            if (message := queue.get(no_ack=False)) is not None:
                message.requeue()
            parked += _get_all(settings, "testsub.things.dlq")
    first_deaths = {message.headers["n"]: message.headers["x-first-death-queue"] for message in parked}
    assert first_deaths == {"fresh": "testsub.things", "retried": "testsub.things.retry.1"}
    assert _get_all(settings, "othersub.things.dlq") == []


def _api_env() -> dict[str, str]:
    names = ("CRM_TEST_RABBIT_API", "CRM_TEST_RABBIT_USER", "CRM_TEST_RABBIT_PASSWORD")
    return {name: infra_setting(name) for name in names}
