# mypy: untyped-calls-exclude=kombu
"""Exchanges, queues and broker policies of the event bus.

RabbitMQ layout (one consumer queue Q = `<service>.<purpose>`):

    crm.events  (topic)   --routing keys of Q's handlers-->  Q  (quorum)
    Q.retry.<n> (quorum; TTL and dead-letter exchange from policy) --expired--> crm.requeue (topic)
    crm.requeue --binding `Q.retry.*`--> Q        (a retry returns to Q only, never via crm.events)
    crm.dlx     (headers) --any-with-x of x-first-death-queue = Q, x-crm-queue = Q--> Q.dlq

The consumer publishes a retry copy (fresh headers, `x-crm-queue: Q`) to `Q.retry.<n>` through the
default exchange; when it expires the broker dead-letters it with its routing key `Q.retry.<n>`, which
only Q's binding on crm.requeue matches. What Q dead-letters (policy: delivery limit reached by consumers
crashing on a message, or a reject) goes to crm.dlx and lands on Q.dlq: a message never retried carries
`x-first-death-queue: Q`, a retried one `x-crm-queue: Q`; the consumer parks failures there with
`x-crm-queue: Q` as well. Queues declare nothing but their type, so every tunable (TTLs, dead-letter
exchanges, delivery limit, dead-letter strategy) comes from policies and can change without redeclaring.
NOTE: RabbitMQ 3.10 applies no policy holding quorum-only keys (delivery-limit, dead-letter-strategy) to
a classic queue, not even its other keys: consumer and retry queues must be quorum queues.

On kombu's virtual transports (filesystem) there are no TTLs, DLX or quorum queues: Q is a plain queue,
the consumer delays retries itself and parks messages on the plain queue `Q.dlq`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from kombu.entity import Exchange, Queue, binding
from kombu.transport.virtual import Channel as VirtualChannel

EVENTS_EXCHANGE = "crm.events"
DEAD_LETTER_EXCHANGE = "crm.dlx"
REQUEUE_EXCHANGE = "crm.requeue"
RETRY_DELAYS: tuple[float, ...] = (1.0, 10.0, 60.0, 300.0)
DELIVERY_LIMIT = 20
POLICY_PREFIX = "crm-"
QUEUE_HEADER = "x-crm-queue"
_QUEUE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_-]*$")
_AT_LEAST_ONCE = {"dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}


class TopologyError(ValueError):
    """A queue name or binding pattern breaks the naming rules."""


def events_exchange() -> Exchange:
    """Return crm.events, the durable topic exchange every event is published to."""
    return Exchange(EVENTS_EXCHANGE, type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    """Return crm.dlx, the headers exchange that routes dead letters to their queue's DLQ."""
    return Exchange(DEAD_LETTER_EXCHANGE, type="headers", durable=True)


def requeue_exchange() -> Exchange:
    """Return crm.requeue, the topic exchange that returns expired retries to their queue."""
    return Exchange(REQUEUE_EXCHANGE, type="topic", durable=True)


def check_queue_name(queue: str) -> str:
    """Return `queue` when it is `<service>.<purpose>` in lower case; raise TopologyError otherwise."""
    if not _QUEUE_NAME.match(queue):
        raise TopologyError(f"consumer queues are named <service>.<purpose> in lower case, not {queue!r}")
    return queue


def dlq_name(queue: str) -> str:
    """Return the dead-letter queue's name for `queue`."""
    return f"{queue}.dlq"


def retry_queue_name(queue: str, level: int) -> str:
    """Return the name of `queue`'s delay queue for retry `level` (1-based)."""
    return f"{queue}.retry.{level}"


def topic_matches(pattern: str, routing_key: str) -> bool:
    """Match an AMQP topic pattern (`*` one word, `#` zero or more words) against a routing key."""
    return _match_words(pattern.split("."), routing_key.split("."))


def _match_words(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match_words(rest, words[skip:]) for skip in range(len(words) + 1))
    if not words:
        return False
    return head in ("*", words[0]) and _match_words(rest, words[1:])


@dataclasses.dataclass(frozen=True)
class QueueTopology:
    """Where one consumer queue's messages go: bindings, retry levels and the dead-letter queue."""

    queue: str
    on_rabbitmq: bool
    retry_levels: int = len(RETRY_DELAYS)

    def main_queue(self, routing_keys: Iterable[str]) -> Queue:
        """Return Q bound to crm.events for each key (and to crm.requeue for its retries on RabbitMQ)."""
        bindings = [binding(events_exchange(), routing_key=key) for key in sorted(set(routing_keys))]
        if not self.on_rabbitmq:
            return Queue(self.queue, bindings=bindings, durable=True)
        bindings.append(binding(requeue_exchange(), routing_key=f"{self.queue}.retry.*"))
        return Queue(self.queue, bindings=bindings, durable=True, queue_arguments={"x-queue-type": "quorum"})

    def side_queues(self) -> list[Queue]:
        """Return the dead-letter queue and, on RabbitMQ, the retry delay queues."""
        if not self.on_rabbitmq:
            return [Queue(dlq_name(self.queue), durable=True)]
        quorum = {"x-queue-type": "quorum"}
        match = {"x-match": "any-with-x", "x-first-death-queue": self.queue, QUEUE_HEADER: self.queue}
        dlq = Queue(
            dlq_name(self.queue),
            exchange=dead_letter_exchange(),
            binding_arguments=match,
            durable=True,
            queue_arguments=quorum,
        )
        retries = [
            Queue(retry_queue_name(self.queue, level), durable=True, queue_arguments=quorum)
            for level in range(1, self.retry_levels + 1)
        ]
        return [dlq, *retries]

    def retry_route(self, failures: int) -> tuple[str, str]:
        """Return (exchange, routing key) for the copy retried after `failures` failed attempts."""
        if not self.on_rabbitmq:
            return "", self.queue
        return "", retry_queue_name(self.queue, min(failures, self.retry_levels))

    def dead_letter_route(self, routing_key: str) -> tuple[str, str]:
        """Return (exchange, routing key) for a parked copy (the copy must carry `x-crm-queue: Q`)."""
        if not self.on_rabbitmq:
            return "", dlq_name(self.queue)
        return DEAD_LETTER_EXCHANGE, routing_key


def declare(channel: Any, queue: Queue) -> None:
    """Declare `queue`, its exchanges and bindings on `channel`.

    NOTE: kombu's filesystem transport keeps one broker state per process (not per folder) and skips
    writing a binding to the shared control folder when that state says it was made before, so a
    wiped folder (or a second folder in the same process) would silently lose it; forget it first.
    """
    if isinstance(channel, VirtualChannel):
        for item in queue.bindings:
            channel.state.binding_delete(queue.name, item.exchange.name, item.routing_key)
    queue(channel).declare()


def exchanges() -> list[dict[str, Any]]:
    """Return the exchanges as management-API / definitions objects (without vhost)."""
    return [
        {"name": exchange.name, "type": exchange.type, "durable": True, "auto_delete": False}
        | {"internal": False, "arguments": {}}
        for exchange in (events_exchange(), dead_letter_exchange(), requeue_exchange())
    ]


def policies(
    delays: Sequence[float] = RETRY_DELAYS, delivery_limit: int = DELIVERY_LIMIT
) -> list[dict[str, Any]]:
    """Return the broker policies (generic patterns, not one per queue) as definitions objects."""
    consumer = {
        "name": f"{POLICY_PREFIX}consumer-queues",
        "pattern": r"^(?!amq\.)[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_-]*$",
        "apply-to": "queues",
        "priority": 1,
        "definition": {"dead-letter-exchange": DEAD_LETTER_EXCHANGE, "delivery-limit": delivery_limit}
        | _AT_LEAST_ONCE,
    }
    return [consumer, *(_retry_policy(level, delay, len(delays)) for level, delay in enumerate(delays, 1))]


def _retry_policy(level: int, delay: float, levels: int) -> dict[str, Any]:
    # The last level's policy matches every deeper level too (at a lower priority than the exact
    # ones), so a consumer configured with more levels never leaves messages in a queue without a TTL.
    last = level == levels
    return {
        "name": f"{POLICY_PREFIX}retry-{level}",
        "pattern": r"^(?!amq\.).+\.retry\.[0-9]+$" if last else rf"^(?!amq\.).+\.retry\.{level}$",
        "apply-to": "queues",
        "priority": 2 if last else 3,
        "definition": {"message-ttl": round(delay * 1000), "dead-letter-exchange": REQUEUE_EXCHANGE}
        | _AT_LEAST_ONCE,
    }


def definitions(vhost: str = "/") -> dict[str, Any]:
    """Return a RabbitMQ definitions document (exchanges and policies; no users, no queues)."""
    return {
        "exchanges": [{"vhost": vhost, **exchange} for exchange in exchanges()],
        "policies": [{"vhost": vhost, **policy} for policy in policies()],
    }


class BrokerSetupError(RuntimeError):
    """The management API refused a call (status and answer in the message)."""


def broker_setup(api_url: str, vhost: str, user: str, password: str) -> None:
    """Apply exchanges and policies to `vhost` through the management HTTP API; drop stale crm- policies."""
    api = _ManagementApi(api_url, user, password)
    where = quote(vhost, safe="")
    for exchange in exchanges():
        api.call("PUT", f"exchanges/{where}/{quote(exchange['name'], safe='')}", _without_name(exchange))
    wanted = policies()
    for policy in wanted:
        api.call("PUT", f"policies/{where}/{quote(policy['name'], safe='')}", _without_name(policy))
    names = {policy["name"] for policy in wanted}
    for policy in api.call("GET", f"policies/{where}") or []:
        if policy["name"].startswith(POLICY_PREFIX) and policy["name"] not in names:
            api.call("DELETE", f"policies/{where}/{quote(policy['name'], safe='')}")


def _without_name(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "name"}


class _ManagementApi:
    def __init__(self, api_url: str, user: str, password: str) -> None:
        base = api_url.rstrip("/")
        self.base = base if base.endswith("/api") else base + "/api"
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request; return the decoded JSON answer (None when empty)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/{path}", data, self.headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise BrokerSetupError(f"{method} {path}: HTTP {exc.code}: {detail}") from None
        except urllib.error.URLError as exc:
            raise BrokerSetupError(f"{method} {path}: {exc.reason}") from None
        return json.loads(raw) if raw else None
