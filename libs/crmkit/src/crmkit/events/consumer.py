# mypy: untyped-calls-exclude=kombu
"""The event consumer: inbox, ack after commit, retry with backoff, then the dead-letter queue."""

from __future__ import annotations

import enum
import heapq
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kombu.connection import Connection
from kombu.message import Message
from kombu.messaging import Consumer, Producer
from sqlalchemy.orm import Session

from crmkit.db import Database
from crmkit.events import redelivery
from crmkit.events.envelope import Event, MalformedEvent
from crmkit.events.inbox import claim
from crmkit.events.publisher import connect, on_rabbitmq, publish_one, reconnect_delay
from crmkit.events.topology import RETRY_DELAYS, QueueTopology, check_queue_name, declare, topic_matches
from crmkit.requestid import bound
from crmkit.settings import ServiceSettings

log = logging.getLogger(__name__)
Handler = Callable[[Session, Event], None]
PREFETCH_COUNT = 32
TICK = 0.1


class Outcome(enum.Enum):
    """What became of one delivered message."""

    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"


class ConsumerStats:
    """Thread-safe outcome counters that tests and health checks can wait on."""

    def __init__(self) -> None:
        self._counts: Counter[Outcome] = Counter()
        self._changed = threading.Condition()

    def add(self, outcome: Outcome) -> None:
        """Count one outcome and wake waiters."""
        with self._changed:
            self._counts[outcome] += 1
            self._changed.notify_all()

    def __getitem__(self, outcome: Outcome) -> int:
        with self._changed:
            return self._counts[outcome]

    def wait_for(self, predicate: Callable[[ConsumerStats], bool], timeout: float) -> bool:
        """Block until `predicate(stats)` holds or `timeout` seconds pass; return whether it holds."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)


class EventConsumer:
    """Consumes one queue `<service>.<purpose>`, dispatching events to handlers by routing key."""

    def __init__(
        self,
        database: Database,
        settings: ServiceSettings,
        queue: str,
        handlers: Mapping[str, Handler],
        *,
        max_attempts: int = 5,
        backoff: Sequence[float] | None = None,
        prefetch_count: int = PREFETCH_COUNT,
    ) -> None:
        if not handlers or max_attempts < 1:
            raise ValueError("a consumer needs at least one handler and max_attempts >= 1")
        self.queue = check_queue_name(queue)
        self.stats = ConsumerStats()
        self.ready = threading.Event()
        self._database = database
        self._settings = settings
        self._handlers = dict(handlers)
        self._max_attempts = max_attempts
        # On RabbitMQ the retry levels' TTLs come from policies; an explicit backoff also sets a
        # per-message expiration (the shorter one wins). Virtual transports always use the backoff.
        self._backoff = tuple(backoff) if backoff else RETRY_DELAYS
        self._expire = backoff is not None
        self._prefetch_count = prefetch_count
        self.topology = QueueTopology(self.queue, on_rabbitmq(settings), retry_levels=len(self._backoff))
        self._producer: Producer | None = None
        self._held: list[tuple[float, int, Message, Event]] = []
        self._held_order = itertools.count()

    def run_forever(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; reconnect with backoff when the broker goes away."""
        failures = 0
        while not stop.is_set():
            try:
                self._consume(stop)
            except Exception:
                failures = 1 if self.ready.is_set() else failures + 1
                delay = reconnect_delay(failures)
                log.exception(
                    "event consumer lost its broker", extra={"queue": self.queue, "retry_in_s": delay}
                )
                stop.wait(delay)
            finally:
                self.ready.clear()

    def _consume(self, stop: threading.Event) -> None:
        with connect(self._settings) as connection:
            channel = connection.channel()
            self._declare(channel)
            self._producer = Producer(connection.channel(), auto_declare=False)
            try:
                with self._consumer(channel):
                    self.ready.set()
                    keys = sorted(self._handlers)
                    log.info("event consumer ready", extra={"queue": self.queue, "keys": keys})
                    self._drain(connection, stop)
            finally:
                # Held (unacked) retries go back to the queue when the channel closes.
                self._held.clear()
                self._producer = None

    def _consumer(self, channel: Any) -> Consumer:
        queue = self.topology.main_queue(self._handlers)
        options = {"prefetch_count": self._prefetch_count, "auto_declare": False}
        return Consumer(channel, [queue], on_message=self.handle, **options)

    def declare(self) -> None:
        """Declare the queue, its bindings, retry and dead-letter queues now (run_forever does it too)."""
        with connect(self._settings) as connection:
            self._declare(connection.channel())

    def _declare(self, channel: Any) -> None:
        for queue in (self.topology.main_queue(self._handlers), *self.topology.side_queues()):
            declare(channel, queue)

    def _drain(self, connection: Connection, stop: threading.Event) -> None:
        while not stop.is_set():
            self._release_due()
            try:
                connection.drain_events(timeout=TICK)
            except TimeoutError:
                connection.heartbeat_check()

    def handle(self, message: Message) -> None:
        """Handle one delivery: parse, skip duplicates, apply in one transaction, ack after commit."""
        try:
            event = Event.from_json(message.body)
        except MalformedEvent as exc:
            log.error("poison message: not a CloudEvent", extra={"queue": self.queue, "error": str(exc)})
            self._dead_letter(message, exc, redelivery.failed_attempts(message) + 1)
            return
        due = redelivery.not_before(message)
        if due is not None and due > time.time() and not self.topology.on_rabbitmq:
            heapq.heappush(self._held, (due, next(self._held_order), message, event))
            return
        self._handle_event(message, event)

    def _handle_event(self, message: Message, event: Event) -> None:
        try:
            outcome = self._apply(event)
        except Exception as exc:
            self._failed(message, event, exc)
            return
        message.ack()
        self.stats.add(outcome)

    def _apply(self, event: Event) -> Outcome:
        """Run the handler and record the inbox row in one transaction (or skip a known event)."""
        handler = self._handler_for(event.routing_key)
        if handler is None:
            log.warning("no handler for event", extra={"queue": self.queue, "routing_key": event.routing_key})
            return Outcome.IGNORED
        with (
            bound(request_id=event.correlationid, causation_id=event.id, event_id=event.id),
            self._database.uow() as uow,
        ):
            # The inbox row goes in first: a known event inserts nothing and is skipped, and a second
            # consumer applying the same event at once waits on the row, then skips it.
            if not claim(uow.session, self.queue, event):
                return Outcome.DUPLICATE
            handler(uow.session, event)
            uow.commit()
        return Outcome.HANDLED

    def _handler_for(self, routing_key: str) -> Handler | None:
        """Return the exact key's handler, else the first pattern's that matches."""
        if routing_key in self._handlers:
            return self._handlers[routing_key]
        return next((h for key, h in self._handlers.items() if topic_matches(key, routing_key)), None)

    def _failed(self, message: Message, event: Event, error: Exception) -> None:
        failures = redelivery.failed_attempts(message) + 1
        extra = {"queue": self.queue, "event_id": event.id, "routing_key": event.routing_key}
        if failures >= self._max_attempts:
            log.error("handler failed; parking event", exc_info=error, extra=extra | {"attempts": failures})
            self._dead_letter(message, error, failures)
            return
        log.warning("handler failed; will retry", exc_info=error, extra=extra | {"attempts": failures})
        self._retry(message, error, failures)

    def _retry(self, message: Message, error: Exception, failures: int) -> None:
        delay = self._backoff[min(failures, len(self._backoff)) - 1]
        headers = redelivery.retry_headers(message, self.queue, failures, error)
        if not self.topology.on_rabbitmq:
            headers[redelivery.NOT_BEFORE_HEADER] = time.time() + delay
        exchange, routing_key = self.topology.retry_route(failures)
        copy = redelivery.copy_of(message, exchange=exchange, routing_key=routing_key, headers=headers)
        publish_one(self._publisher(), copy, expiration=delay if self._expire else None, mandatory=True)
        message.ack()
        self.stats.add(Outcome.RETRIED)

    def _dead_letter(self, message: Message, error: Exception, failures: int) -> None:
        headers = redelivery.dead_letter_headers(message, self.queue, failures, error)
        exchange, routing_key = self.topology.dead_letter_route(redelivery.original_routing_key(message))
        copy = redelivery.copy_of(message, exchange=exchange, routing_key=routing_key, headers=headers)
        publish_one(self._publisher(), copy, mandatory=True)
        message.ack()
        self.stats.add(Outcome.DEAD_LETTERED)

    def _publisher(self) -> Producer:
        if self._producer is None:
            raise RuntimeError("the consumer is not connected")
        return self._producer

    def _release_due(self) -> None:
        """Handle locally delayed retries whose time has come (virtual transports only)."""
        now = time.time()
        while self._held and self._held[0][0] <= now:
            _, _, message, event = heapq.heappop(self._held)
            self._handle_event(message, event)
