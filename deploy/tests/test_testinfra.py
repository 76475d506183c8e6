"""The test servers from deploy/scripts/testinfra.sh and the crmkit fixtures built on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue

from crmkit.testing import infra

CUSTOM_POLICY = {
    "name": "t-delivery-limit",
    "pattern": r"^t\.limited$",
    "apply-to": "queues",
    "priority": 7,
    "definition": {"delivery-limit": 3},
}


def test_load_policies_reads_the_management_api_shape(tmp_path: Path) -> None:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps([CUSTOM_POLICY]))

    assert infra.load_policies(path) == [CUSTOM_POLICY]


def test_load_policies_gives_none_when_the_file_is_absent(tmp_path: Path) -> None:
    assert infra.load_policies(tmp_path / "missing.json") == []


def test_load_policies_rejects_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"name": "not-a-list"}))

    with pytest.raises(ValueError, match="expected a JSON list"):
        infra.load_policies(path)


def test_missing_setting_fails_with_the_start_command_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CRM_TEST_NOT_A_SETTING", raising=False)

    with pytest.raises(pytest.fail.Exception, match=r"deploy/scripts/testinfra\.sh start"):
        infra.infra_setting("CRM_TEST_NOT_A_SETTING")


def test_env_file_lines_parse_into_settings(tmp_path: Path) -> None:
    path = tmp_path / "env"
    path.write_text("# comment\nexport CRM_TEST_RABBIT_USER=crmtest\nexport CRM_TEST_X='a=b'\n")

    assert infra.read_env_file(path) == {"CRM_TEST_RABBIT_USER": "crmtest", "CRM_TEST_X": "a=b"}


def test_vhost_url_encodes_the_vhost_and_keeps_credentials() -> None:
    url = infra.vhost_amqp_url("amqp://u:p@127.0.0.1:27672/", "t-1/2")

    assert url == "amqp://u:p@127.0.0.1:27672/t-1%2F2"


@pytest.mark.rabbitmq
def test_rabbit_vhost_exists_and_our_user_may_use_it(rabbit_vhost: infra.RabbitVhost) -> None:
    vhost = rabbit_vhost.api.request("GET", f"/vhosts/{rabbit_vhost.name}")
    perms = rabbit_vhost.api.request("GET", f"/vhosts/{rabbit_vhost.name}/permissions")

    assert vhost["name"] == rabbit_vhost.name
    assert rabbit_vhost.name.startswith("t-")
    assert rabbit_vhost.url.endswith(f"/{rabbit_vhost.name}")
    assert [(p["configure"], p["write"], p["read"]) for p in perms] == [(".*", ".*", ".*")]


@pytest.mark.rabbitmq
def test_rabbit_vhost_has_every_policy_from_the_repository(
    rabbit_vhost: infra.RabbitVhost, rabbit_policies: list[dict[str, Any]]
) -> None:
    names = {policy["name"] for policy in rabbit_vhost.api.policies()}

    assert names == {policy["name"] for policy in infra.load_policies()}


@pytest.mark.rabbitmq
def test_publish_and_consume_on_the_vhost(rabbit_vhost: infra.RabbitVhost) -> None:
    exchange = Exchange("t.events", type="topic", durable=True)
    queue = Queue("t.inbox", exchange, routing_key="t.#", durable=True)
    with Connection(rabbit_vhost.url, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        producer.publish(
            {"hello": "world"},
            exchange=exchange,
            routing_key="t.thing.created",
            declare=[queue],
            serializer="json",
        )
        rabbit_vhost.api.wait_for_queue("t.inbox", messages=1)
        message = queue(conn.default_channel).get(no_ack=False)
        assert message is not None
        assert message.payload == {"hello": "world"}
        message.ack()
    rabbit_vhost.api.wait_for_queue("t.inbox", messages=0)


@pytest.mark.rabbitmq
class TestWithAPolicyOfOurOwn:
    @pytest.fixture
    def rabbit_policies(self) -> list[dict[str, Any]]:
        return [CUSTOM_POLICY]

    def test_the_policy_is_set_and_applies_to_matching_queues(self, rabbit_vhost: infra.RabbitVhost) -> None:
        with Connection(rabbit_vhost.url) as conn:
            Queue("t.limited", durable=True, queue_arguments={"x-queue-type": "quorum"})(
                conn.default_channel
            ).declare()

        (policy,) = rabbit_vhost.api.policies()
        assert {key: policy[key] for key in CUSTOM_POLICY} == CUSTOM_POLICY
        rabbit_vhost.api.wait_for_queue("t.limited", policy="t-delivery-limit")


@pytest.mark.postgres
def test_postgres_database_is_fresh_and_accepts_a_table(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one().startswith("t_")
            conn.execute(sa.text("CREATE TABLE probe (id integer PRIMARY KEY, name text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO probe VALUES (1, 'acme')"))
            assert conn.execute(sa.text("SELECT name FROM probe")).scalar_one() == "acme"
    finally:
        engine.dispose()
