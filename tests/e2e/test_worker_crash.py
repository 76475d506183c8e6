"""A crash of the worker loses no event: a change committed while it is down waits in the outbox and is
published exactly once when the worker is back."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

STACKS = [
    pytest.param("embedded"),
    pytest.param("rabbitmq", marks=[pytest.mark.rabbitmq, pytest.mark.postgres]),
]


@pytest.mark.parametrize("stack", STACKS, indirect=True)
def test_an_account_created_while_the_worker_is_killed_is_published_exactly_once_after_its_restart(
    stack: Any, random_ref: Callable[[str], str]
) -> None:
    gateway = stack.admin()
    with stack.watch("customer.account.*") as bus:
        assert stack.platform.kill("customer-worker", signal.SIGKILL) == -signal.SIGKILL
        try:
            created = gateway.post("/accounts", {"name": random_ref("Crash test")})
            assert created.status == 201, created  # the write does not need the worker
            assert outbox_lag(stack)["pending"] == 1  # its event waits in the outbox
        finally:
            stack.platform.respawn("customer-worker")
        account_id = created.body["id"]
        event = bus.wait_for("customer.account.created", account_id)

        # The relay publishes in outbox order, so a second copy of that event would arrive before the
        # event of a later change: once that one is here, the count is final.
        changed = gateway.patch(
            f"/accounts/{account_id}", {"tier": "key"}, headers={"If-Match": created.etag}
        )
        assert changed.status == 200, changed
        bus.wait_for("customer.account.updated", account_id)

    assert bus.about("customer.account.created", account_id) == [event]
    assert event["data"]["name"] == created.body["name"]
    stack.platform.check_alive()


def outbox_lag(stack: Any) -> dict[str, Any]:
    """`crm-customer events outbox-lag`: the customer service's pending outbox rows."""
    lag: dict[str, Any] = json.loads(stack.cli("customer", "events", "outbox-lag"))
    return lag
