"""Event bus throughput and latency: the kit's outbox, relay and consumer against raw kombu baselines.

Runs on the throwaway servers of deploy/scripts/testinfra.sh: a fresh RabbitMQ vhost with our policies
(deploy/rabbitmq/policies.json) and fresh PostgreSQL databases (one for the publisher's outbox, one for
the consumer's inbox) holding the kit's tables; all are deleted at the end. Every figure is printed beside
a baseline measured in the same run, because this machine's speed drifts.

Baselines (raw kombu/py-amqp, ~1 KB persistent messages, one quorum queue bound to crm.events like a
consumer queue): publish waiting for each confirm (a); publish with confirms collected per batch of 100
(b); consume with prefetch 100, ack each; publisher -> consumer latency at a fixed rate. For the outbox
write rate: the same INSERT through plain psycopg.

Platform path: record() in transactions of 1 and 100 events; the relay draining the pending rows
(run_once in a loop, with a time split of where a sweep goes); the kit's EventConsumer draining a backlog
(inbox row per event in its own database, a trivial handler); outbox -> relay -> consumer throughput with
the relay and the consumer in separate processes; and end-to-end latency (event `time` stamped at the
outbox write -> the handler's transaction committed) while a writer records one event per transaction at
the same fixed rate as the raw latency baseline, with the relay's run_forever and the consumer running.
The latency pair runs at --rate and again at --low-rate: when the platform path cannot keep up with
--rate on this machine, that figure is queueing, and the report says so.

Where things run (2 cores, shared with RabbitMQ and PostgreSQL): the main process publishes, writes the
outbox and runs the relay's throughput sweeps; consumers (raw and kit) run in a child process each; in
the end-to-end stages the relay runs in its own child process too (as a publisher's worker would). Each
baseline is measured right before the platform figures it is compared with.

    .venv/bin/python bench/bench_events.py [--messages 5000] [--rate 500] [--low-rate 100] [--seconds 5]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from kombu import Connection, Consumer, Producer, Queue
from kombu.message import Message
from sqlalchemy.orm import Session

from crmkit.db import Database, kit_metadata
from crmkit.events.catalog import EventRegistry
from crmkit.events.consumer import EventConsumer
from crmkit.events.envelope import Event
from crmkit.events.outbox import outbox_table, record
from crmkit.events.publisher import BatchPublisher, connect
from crmkit.events.relay import IDLE_INTERVAL, OutboxRelay
from crmkit.events.topology import declare, events_exchange
from crmkit.requestid import bound
from crmkit.settings import ServiceSettings
from crmkit.testing import infra

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import infra_env, say

REGISTRY = EventRegistry("bench")
ITEM_CREATED = REGISTRY.define(
    "bench.item.created",
    schema={
        "type": "object",
        "required": ["name", "phase", "note"],
        "properties": {"name": {"type": "string"}, "phase": {"type": "string"}, "note": {"type": "string"}},
    },
    example={"name": "item-1", "phase": "m", "note": "..."},
    summary="A bench item was created (bench/bench_events.py only).",
)
SUB_QUEUE = "benchsub.items"  # the kit consumer's queue (quorum, bound to bench.item.created)
RAW_QUEUE = "benchraw.items"  # the raw baselines' queue (quorum, same policy, bound to RAW_KEY)
RAW_KEY = "benchraw.item.created"
BODY_BYTES = 1024
CONFIRM_BATCH = 100
RAW_PREFETCH = 100
WARMUP_SECONDS = 0.5
SPAWN = multiprocessing.get_context("spawn")
ITEM_CREATED_TIME = datetime(2026, 11, 23, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ plumbing


class Timings:
    """Seconds and counts by name, for the relay's and the consumer's time splits."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    @contextmanager
    def span(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {"seconds": dict(self.seconds), "counts": dict(self.counts)}


def time_sql(database: Database, timings: Timings) -> None:
    """Add each statement's execution time (by verb) and each commit's time to `timings`."""

    @sa.event.listens_for(database.engine, "before_cursor_execute")
    def _before(conn: Any, *_: Any) -> None:
        conn.info["bench_t"] = time.perf_counter()

    @sa.event.listens_for(database.engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        timings.seconds[f"sql {verb}"] += time.perf_counter() - conn.info.pop("bench_t")

    @sa.event.listens_for(database.session_factory, "before_commit")
    def _before_commit(session: Session) -> None:
        session.info["bench_commit"] = time.perf_counter()

    @sa.event.listens_for(database.session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        timings.seconds["commit"] += time.perf_counter() - session.info.pop("bench_commit")


def time_ping(database: Database, timings: Timings) -> None:
    """Time the pool's pre-ping (a SELECT 1 round trip on every connection checkout; kit default)."""
    dialect = database.engine.dialect
    ping = dialect.do_ping

    def timed_ping(dbapi_connection: Any) -> bool:
        with timings.span("pre-ping"):
            return ping(dbapi_connection)

    dialect.do_ping = timed_ping  # type: ignore[method-assign]


class TimedPublisher(BatchPublisher):
    """BatchPublisher that times its wait for the batch's confirms."""

    def __init__(self, connection: Connection, timings: Timings, **options: Any) -> None:
        super().__init__(connection, **options)
        self.timings = timings

    def _wait_for(self, tags: range) -> None:
        with self.timings.span("confirm wait"):
            super()._wait_for(tags)


class TimedRelay(OutboxRelay):
    """OutboxRelay that records where its sweeps spend their time (the relay's own code runs unchanged)."""

    def __init__(self, database: Database, settings: ServiceSettings, **options: Any) -> None:
        super().__init__(database, settings, **options)
        self.timings = Timings()
        time_sql(database, self.timings)
        time_ping(database, self.timings)

    def connect_now(self) -> None:
        """Open the broker connection and channel before a measurement (the relay does it lazily)."""
        if self._publisher is None:
            self._connection = connect(self._settings, confirm_each=False)
            self._publisher = TimedPublisher(
                self._connection, self.timings, confirm_timeout=self._confirm_timeout
            )

    def run_once(self, limit: int = 500) -> int:
        with self.timings.span("sweep"):
            published = super().run_once(limit)
        self.timings.counts["sweeps"] += 1
        self.timings.counts["busy sweeps"] += bool(published)
        self.timings.counts["rows"] += published
        return published

    def _messages(self, rows: list[tuple[int, str]]) -> Any:
        with self.timings.span("build messages"):
            return super()._messages(rows)

    def _publish(self, messages: Any) -> list[bool]:
        if messages:
            self.connect_now()
        with self.timings.span("publish"):
            return super()._publish(messages)


class TimedConsumer(EventConsumer):
    """EventConsumer that times each delivery's handling (its own code runs unchanged)."""

    def __init__(self, database: Database, *args: Any, **options: Any) -> None:
        super().__init__(database, *args, **options)
        self.timings = Timings()
        self.arrived = 0.0
        time_sql(database, self.timings)
        time_ping(database, self.timings)

    def handle(self, message: Message) -> None:
        self.arrived = time.time()
        with self.timings.span("handle"):
            super().handle(message)
        self.timings.counts["messages"] += 1


def sample_event(note: str) -> Event:
    """An event shaped like the ones the bench records (request and causation ids bound)."""
    return Event(
        id=str(uuid.uuid4()),
        source=f"/services/{REGISTRY.service}",
        type=ITEM_CREATED.type,
        subject="item-0000000",
        time=ITEM_CREATED_TIME,
        data={"name": "item-0000000", "phase": "m", "note": note},
        dataschema=ITEM_CREATED.dataschema,
        sequence=1,
        correlationid=uuid.uuid4().hex,
        causationid=uuid.uuid4().hex,
    )


def note_for(size: int) -> str:
    """Pad events so their JSON body is about `size` bytes."""
    return "n" * max(0, size - len(sample_event("").to_json()))


NOTE = note_for(BODY_BYTES)


def write_events(database: Database, count: int, per_tx: int, phase: str, start: int = 0) -> None:
    """record() `count` events, `per_tx` per committed transaction (one request id per transaction)."""
    for first in range(start, start + count, per_tx):
        with bound(request_id=uuid.uuid4().hex), database.uow() as uow:
            for index in range(first, min(first + per_tx, start + count)):
                data = {"name": f"item-{index:07d}", "phase": phase, "note": NOTE}
                record(uow.session, ITEM_CREATED, subject=f"item-{index:07d}", data=data, sequence=1)
            uow.commit()


def paced(rate: float, count: int, send: Callable[[int], None], wait: Callable[[float], None]) -> float:
    """Call send(i) for i in range(count) on a fixed schedule of `rate` per second; return the rate achieved."""
    start = time.perf_counter()
    for index in range(count):
        due = start + index / rate
        while (delay := due - time.perf_counter()) > 0:
            wait(delay)  # may return early (a confirm arrived): wait again until due
        send(index)
    return count / (time.perf_counter() - start)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def settings_for(work: Path, broker_url: str, database_url: str, service: str) -> ServiceSettings:
    env = {"CRM_DATA_DIR": str(work), "BROKER_URL": broker_url, "DATABASE_URL": database_url}
    return ServiceSettings.from_env(service, env=env, log_level="WARNING")


# ---------------------------------------------------------------------------------- child processes


@dataclass
class Child:
    """A child process driven over a pipe: it says ready, may get go, reports reached, stops on stop."""

    name: str
    process: Any
    pipe: Pipe
    reached_at: float | None = None
    result: dict[str, Any] = field(default_factory=dict)

    def receive(self, kind: str, timeout: float) -> Any:
        if not self.pipe.poll(timeout):
            raise RuntimeError(f"{self.name}: no {kind!r} within {timeout} s")
        got, value = self.pipe.recv()
        if got != kind:
            raise RuntimeError(f"{self.name}: expected {kind!r}, got {got!r}: {value}")
        return value

    def wait_reached(self, timeout: float) -> float:
        self.reached_at = self.receive("reached", timeout)
        return self.reached_at

    def stop(self) -> dict[str, Any]:
        self.pipe.send("stop")
        self.result = self.receive("result", 60)
        return self.result


@contextmanager
def child(name: str, target: Callable[..., None], spec: dict[str, Any]) -> Iterator[Child]:
    """Start `target(pipe, spec)` in a fresh (spawned) process; wait until it is ready."""
    parent_end, child_end = SPAWN.Pipe()
    process = SPAWN.Process(target=target, args=(child_end, spec), name=name, daemon=True)
    process.start()
    handle = Child(name, process, parent_end)
    try:
        handle.receive("ready", 60)
        yield handle
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(10)


def _serve(pipe: Pipe, expect: int, progress: Callable[[], list[float]], on_go: Callable[[], None]) -> float:
    """Child loop: answer go, report when `expect` items are done, return at stop; return CPU seconds."""
    cpu = time.process_time()
    reported = expect <= 0
    while True:
        if pipe.poll(0.02):
            command = pipe.recv()
            if command == "stop":
                return time.process_time() - cpu
            if command == "go":
                cpu = time.process_time()
                on_go()
        done = progress()
        if not reported and len(done) >= expect:
            pipe.send(("reached", sorted(done)[expect - 1]))
            reported = True


def raw_consumer_main(pipe: Pipe, spec: dict[str, Any]) -> None:
    """Consume RAW_QUEUE with prefetch 100, ack each; record (receive time, latency or None)."""
    received: list[tuple[float, float | None]] = []

    def on_message(message: Message) -> None:
        message.ack()
        now = time.time()
        headers = message.headers or {}
        received.append((now, now - headers["ts"] if headers.get("phase") == "m" else None))

    with Connection(spec["broker_url"]) as connection:
        channel = connection.channel()
        consumer = Consumer(
            channel, [Queue(RAW_QUEUE, no_declare=True)], on_message=on_message, auto_declare=False
        )
        consumer.qos(prefetch_count=RAW_PREFETCH)
        stop = threading.Event()

        def drain() -> None:
            consumer.consume()
            while not stop.is_set():
                with suppress(TimeoutError):
                    connection.drain_events(timeout=0.05)

        thread = threading.Thread(target=drain, daemon=True)
        pipe.send(("ready", None))
        cpu = _serve(pipe, spec["expect"], lambda: [t for t, _ in received], thread.start)
        stop.set()
        thread.join(10)
    latencies = [latency for _, latency in received if latency is not None]
    pipe.send(("result", {"times": [t for t, _ in received], "latencies": latencies, "cpu": cpu}))


def kit_consumer_main(pipe: Pipe, spec: dict[str, Any]) -> None:
    """Run the kit's EventConsumer (inbox in its own database, trivial handler); record commit times.

    Counts events whose data.phase is in spec["phases"]; for phase "m" also the latency from the event's
    time to the handler's commit, and to the delivery's arrival in handle().
    """
    database = Database(spec["database_url"])
    settings = settings_for(Path(spec["work"]), spec["broker_url"], spec["database_url"], "benchsub")
    phases = set(spec["phases"])
    commits: list[float] = []
    latencies: list[tuple[float, float]] = []  # (to commit, to arrival), seconds

    def handler(session: Session, event: Event) -> None:
        with consumer.timings.span("handler"):
            session.info["bench_event"] = (event.time.timestamp(), event.data.get("phase"), consumer.arrived)

    @sa.event.listens_for(database.session_factory, "after_commit")
    def _committed(session: Session) -> None:
        stamp = session.info.pop("bench_event", None)
        if stamp is None or stamp[1] not in phases:
            return
        now = time.time()
        commits.append(now)
        if stamp[1] == "m":
            latencies.append((now - stamp[0], stamp[2] - stamp[0]))

    consumer = TimedConsumer(database, settings, SUB_QUEUE, {ITEM_CREATED.routing_key: handler})
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run_forever, args=(stop,), daemon=True)
    thread.start()
    if not consumer.ready.wait(30):
        raise RuntimeError("the kit consumer did not get ready in 30 s")
    pipe.send(("ready", None))
    cpu = _serve(pipe, spec["expect"], lambda: commits, lambda: None)
    stop.set()
    thread.join(30)
    database.dispose()
    result = {
        "times": commits,
        "latencies": [to_commit for to_commit, _ in latencies],
        "arrivals": [to_arrival for _, to_arrival in latencies],
        "cpu": cpu,
        "prefetch": consumer._prefetch_count,
        "timings": consumer.timings.as_dict(),
    }
    pipe.send(("result", result))


def relay_main(pipe: Pipe, spec: dict[str, Any]) -> None:
    """Run the relay's run_forever from go to stop (broker connection opened before go)."""
    database = Database(spec["database_url"])
    settings = settings_for(Path(spec["work"]), spec["broker_url"], spec["database_url"], "bench")
    relay = TimedRelay(database, settings, idle_interval=spec["idle_interval"])
    database.ping()
    relay.connect_now()
    stop = threading.Event()
    thread = threading.Thread(target=relay.run_forever, args=(stop,), daemon=True)
    pipe.send(("ready", None))
    cpu = _serve(pipe, 0, list, thread.start)
    stop.set()
    thread.join(30)
    database.dispose()
    pipe.send(("result", {"timings": relay.timings.as_dict(), "cpu": cpu}))


# --------------------------------------------------------------------------------------- baselines


def raw_body() -> str:
    return "r" * BODY_BYTES


def raw_publish_each(broker_url: str, count: int) -> float:
    """(a) kombu publish, persistent, waiting for each confirm (transport option confirm_publish)."""
    with Connection(broker_url, transport_options={"confirm_publish": True}) as connection:
        producer = Producer(connection.channel(), exchange=events_exchange(), auto_declare=False)
        body = raw_body()
        start = time.perf_counter()
        for _ in range(count):
            producer.publish(body, routing_key=RAW_KEY, delivery_mode=2, content_type="text/plain")
        return count / (time.perf_counter() - start)


class ConfirmingChannel:
    """A kombu channel in confirm mode (py-amqp confirm_select) that counts acks as they arrive."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.channel = connection.channel()
        self.channel.confirm_select()
        self.acked = 0
        self.nacked = 0
        self.channel.events["basic_ack"].add(self._ack)
        self.channel.events["basic_nack"].add(self._nack)
        self.producer = Producer(self.channel, exchange=events_exchange(), auto_declare=False)

    def _ack(self, delivery_tag: int, multiple: bool) -> None:
        self.acked = max(self.acked, delivery_tag)

    def _nack(self, delivery_tag: int, multiple: bool) -> None:
        self.nacked += 1

    def drain(self, timeout: float) -> None:
        with suppress(TimeoutError):
            self.connection.drain_events(timeout=timeout)

    def wait_acks(self, published: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.acked < published:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {self.acked} of {published} confirms within {timeout} s")
            self.drain(deadline - time.monotonic())
        if self.nacked:
            raise RuntimeError(f"the broker nacked {self.nacked} messages")


def raw_publish_batched(broker_url: str, count: int) -> float:
    """(b) publish with confirm_select, waiting once per batch of 100 for all acks."""
    with Connection(broker_url) as connection:
        confirming = ConfirmingChannel(connection)
        body = raw_body()
        start = time.perf_counter()
        for first in range(0, count, CONFIRM_BATCH):
            batch = min(CONFIRM_BATCH, count - first)
            for _ in range(batch):
                confirming.producer.publish(
                    body, routing_key=RAW_KEY, delivery_mode=2, content_type="text/plain"
                )
            confirming.wait_acks(first + batch)
        return count / (time.perf_counter() - start)


def raw_consume(spec: dict[str, Any], count: int) -> float:
    """Drain `count` messages from RAW_QUEUE in a child process; msg/s from first to last receipt."""
    with child("raw-consumer", raw_consumer_main, spec | {"expect": count}) as consumer:
        consumer.pipe.send("go")
        consumer.wait_reached(120)
        times = sorted(consumer.stop()["times"])[:count]
    return (count - 1) / (times[-1] - times[0])


def raw_latency(spec: dict[str, Any], rate: float, seconds: float) -> dict[str, float]:
    """Publish at `rate` (confirm mode, acks drained between sends) to a consumer child; p50/p99 in ms."""
    warm, measured = round(rate * WARMUP_SECONDS), round(rate * seconds)
    with (
        child("raw-consumer", raw_consumer_main, spec | {"expect": warm + measured}) as consumer,
        Connection(spec["broker_url"]) as connection,
    ):
        consumer.pipe.send("go")
        confirming = ConfirmingChannel(connection)
        body = raw_body()

        def send(index: int) -> None:
            phase = "w" if index < warm else "m"
            headers = {"ts": time.time(), "phase": phase}
            confirming.producer.publish(
                body, routing_key=RAW_KEY, delivery_mode=2, content_type="text/plain", headers=headers
            )

        achieved = paced(rate, warm + measured, send, confirming.drain)
        confirming.wait_acks(warm + measured)
        consumer.wait_reached(60)
        latencies = consumer.stop()["latencies"]
    return latency_figures(latencies, achieved)


def latency_figures(latencies: Sequence[float], achieved: float) -> dict[str, float]:
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "max": max(latencies) * 1000,
        "count": len(latencies),
        "rate": achieved,
    }


def raw_inserts(database_url: str, count: int, per_tx: int) -> float:
    """The outbox INSERT through plain psycopg (one execute per row, commit per `per_tx`), into a copy."""
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    body = sample_event(NOTE).to_json()
    rows = [(str(uuid.uuid4()), ITEM_CREATED.routing_key, f"item-{n:07d}", body) for n in range(count)]
    statement = (
        "INSERT INTO bench_raw_outbox (event_id, routing_key, subject, body, created_at, attempts)"
        " VALUES (%s, %s, %s, %s, now(), 0)"
    )
    with psycopg.connect(plain) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS bench_raw_outbox (LIKE outbox INCLUDING ALL)")
        connection.commit()
        start = time.perf_counter()
        for first in range(0, count, per_tx):
            with connection.cursor() as cursor:
                for row in rows[first : first + per_tx]:
                    cursor.execute(statement, row)
            connection.commit()
        return count / (time.perf_counter() - start)


# ------------------------------------------------------------------------------------ platform path


def timed(action: Callable[[], None], count: int) -> float:
    start = time.perf_counter()
    action()
    return count / (time.perf_counter() - start)


def relay_throughput(pub_url: str, settings: ServiceSettings) -> tuple[float, int, Timings]:
    """Drain every pending row with run_once() in a loop (connection opened first); return rate, rows."""
    database = Database(pub_url)
    relay = TimedRelay(database, settings)
    try:
        relay.connect_now()
        database.ping()
        relay.timings.seconds.clear()  # drop the connect and ping from the split
        relay.timings.counts.clear()
        start = time.perf_counter()
        total = 0
        while published := relay.run_once():
            total += published
        elapsed = time.perf_counter() - start
        return total / elapsed, total, relay.timings
    finally:
        relay.close()
        database.dispose()


def e2e_throughput(spec: dict[str, Any], pub: Database, count: int) -> dict[str, Any]:
    """`count` pending rows; relay and consumer in child processes; msg/s from go to the last commit."""
    write_events(pub, count, 100, "x", start=10_000_000)
    consumer_spec = spec["sub"] | {"expect": count, "phases": ["x"]}
    with (
        child("kit-consumer", kit_consumer_main, consumer_spec) as consumer,
        child("relay", relay_main, spec["pub"]) as relay,
    ):
        start = time.time()
        relay.pipe.send("go")
        consumer.pipe.send("go")
        done = consumer.wait_reached(300)
        consumed, relayed = consumer.stop(), relay.stop()
    return {"rate": count / (done - start), "consumer": consumed, "relay": relayed}


def e2e_latency(
    spec: dict[str, Any], pub: Database, rate: float, seconds: float, first: int
) -> dict[str, Any]:
    """Writer at `rate` (one event per transaction) -> relay.run_forever -> consumer; latency to commit.

    Also reads the relay's share from the outbox: created_at (the event's time) -> published_at (set
    after the batch's confirms, in the transaction that marks it sent). Subjects item-<first + i>.
    """
    warm, measured = round(rate * WARMUP_SECONDS), round(rate * seconds)
    consumer_spec = spec["sub"] | {"expect": warm + measured, "phases": ["w", "m"]}
    with (
        child("kit-consumer", kit_consumer_main, consumer_spec) as consumer,
        child("relay", relay_main, spec["pub"]) as relay,
    ):
        relay.pipe.send("go")
        consumer.pipe.send("go")
        writer_cpu = time.process_time()

        def send(index: int) -> None:
            write_events(pub, 1, 1, "w" if index < warm else "m", start=first + index)

        achieved = paced(rate, warm + measured, send, time.sleep)
        writer_cpu = time.process_time() - writer_cpu
        consumer.wait_reached(120)
        consumed, relayed = consumer.stop(), relay.stop()
    figures = latency_figures(consumed["latencies"], achieved)
    relay_share = outbox_delays(pub, f"item-{first + warm:07d}", f"item-{first + warm + measured - 1:07d}")
    arrivals = consumed["arrivals"]
    to_arrival = {"p50": statistics.median(arrivals) * 1000, "p99": percentile(arrivals, 0.99) * 1000}
    extra = {"to_sent": relay_share, "to_arrival": to_arrival, "writer_cpu": writer_cpu}
    return figures | extra | {"consumer": consumed, "relay": relayed}


def outbox_delays(pub: Database, low: str, high: str) -> dict[str, float]:
    """p50/p99 ms from an outbox row's created_at to its published_at, for subjects in [low, high]."""
    table = outbox_table
    delay = sa.extract("epoch", table.c.published_at - table.c.created_at)
    query = sa.select(delay).where(table.c.subject.between(low, high), table.c.published_at.is_not(None))
    with pub.engine.connect() as connection:
        delays = [float(value) for value in connection.execute(query).scalars()]
    return {"p50": statistics.median(delays) * 1000, "p99": percentile(delays, 0.99) * 1000}


def consumer_backlog(spec: dict[str, Any], count: int) -> dict[str, Any]:
    """The kit consumer drains a backlog (already in its queue); msg/s over its first `count` commits."""
    consumer_spec = spec["sub"] | {"expect": count, "phases": ["t"]}
    with child("kit-consumer", kit_consumer_main, consumer_spec) as consumer:
        consumer.wait_reached(300)
        result = consumer.stop()
    times = sorted(result["times"])[:count]
    return {"rate": (count - 1) / (times[-1] - times[0]), "consumer": result}


def purge(broker_url: str, name: str) -> None:
    """Empty the queue (the stopped consumer's unacked deliveries return to it first)."""
    with Connection(broker_url) as connection:
        channel = connection.channel()
        for _ in range(50):
            channel.queue_purge(name)
            if channel.queue_declare(name, passive=True).message_count == 0:
                return
            time.sleep(0.1)
    raise RuntimeError(f"{name} would not empty")


# ------------------------------------------------------------------------------------------ the run


def measure(messages: int, rate: float, low_rate: float, seconds: float, idle_interval: float) -> None:
    for name, value in infra_env().items():
        if name.startswith("CRM_TEST_"):
            os.environ.setdefault(name, value)
    results: dict[str, Any] = {
        "messages": messages,
        "rate": rate,
        "low_rate": low_rate,
        "seconds": seconds,
        "idle_interval": idle_interval,
    }
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-events-") as folder,
        infra.fresh_vhost(infra.load_policies()) as vhost,
        infra.fresh_database() as pub_url,
        infra.fresh_database() as sub_url,
    ):
        results["server"] = server_facts(pub_url, vhost)
        pub, sub = Database(pub_url), Database(sub_url)
        try:
            kit_metadata.create_all(pub.engine)
            kit_metadata.create_all(sub.engine)
            run_stages(results, Path(folder), vhost.url, pub, sub)
        finally:
            pub.dispose()
            sub.dispose()
    say("")
    report(results)


def run_stages(results: dict[str, Any], work: Path, broker_url: str, pub: Database, sub: Database) -> None:
    """Each baseline runs right before the platform figures compared with it (the machine drifts)."""
    n, rate, low_rate, seconds = (results[key] for key in ("messages", "rate", "low_rate", "seconds"))
    raw_spec = {"broker_url": broker_url}
    spec = {
        "pub": {"work": str(work), "broker_url": broker_url, "database_url": pub.url},
        "sub": {"work": str(work), "broker_url": broker_url, "database_url": sub.url},
    }
    spec["pub"]["idle_interval"] = results["idle_interval"]
    declare_queues(work, broker_url, sub)

    stage("raw INSERTs, outbox record()")
    results["insert_1"] = raw_inserts(pub.url, n, 1)
    results["record_1"] = timed(lambda: write_events(pub, n, 1, "t"), n)
    results["insert_100"] = raw_inserts(pub.url, n, 100)
    results["record_100"] = timed(lambda: write_events(pub, n, 100, "t", start=n), n)
    stage("raw publish (confirm each, confirms per batch), relay throughput")
    results["publish_each"] = raw_publish_each(broker_url, n)
    results["publish_batch"] = raw_publish_batched(broker_url, n)
    settings = settings_for(work, broker_url, pub.url, "bench")
    results["relay"], results["relay_rows"], timings = relay_throughput(pub.url, settings)
    results["relay_timings"] = timings.as_dict()
    stage("raw consume, EventConsumer on the backlog, end-to-end throughput")
    results["consume"] = raw_consume(raw_spec, 2 * n)
    results["backlog"] = consumer_backlog(spec, n)
    purge(broker_url, SUB_QUEUE)
    results["e2e"] = e2e_throughput(spec, pub, n)
    for key, at, first in (("", rate, 20_000_000), ("_low", low_rate, 30_000_000)):
        stage(f"latency at {at:g} msg/s: raw, then platform")
        results[f"raw_latency{key}"] = raw_latency(raw_spec, at, seconds)
        results[f"e2e_latency{key}"] = e2e_latency(spec, pub, at, seconds, first)


def declare_queues(work: Path, broker_url: str, sub: Database) -> None:
    """The raw baselines' quorum queue, and the kit consumer's queues (so the relay's messages land)."""
    raw_queue = Queue(
        RAW_QUEUE,
        events_exchange(),
        routing_key=RAW_KEY,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )
    with Connection(broker_url) as connection:
        declare(connection.channel(), raw_queue)
    settings = settings_for(work, broker_url, sub.url, "benchsub")
    EventConsumer(sub, settings, SUB_QUEUE, {ITEM_CREATED.routing_key: lambda s, e: None}).declare()


def stage(name: str) -> None:
    print(f"  ... {name}", file=sys.stderr, flush=True)


def server_facts(pub_url: str, vhost: Any) -> str:
    plain = pub_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        values = [connection.execute(f"SHOW {name}").fetchone()[0] for name in ("server_version", "fsync")]
        synchronous = connection.execute("SHOW synchronous_commit").fetchone()[0]
    rabbit = vhost.api.request("GET", "/overview").get("rabbitmq_version", "?")
    return (
        f"RabbitMQ {rabbit} (quorum queues, our policies); PostgreSQL {values[0].split()[0]}"
        f" (fsync={values[1]}, synchronous_commit={synchronous})"
    )


# ------------------------------------------------------------------------------------------ report


def report(r: dict[str, Any]) -> None:
    n, seconds = r["messages"], r["seconds"]
    say(f"event bus, N={n}, ~{BODY_BYTES} B persistent messages; {r['server']}")
    say(f"{'what':<60}{'msg/s':>8}{'p50 ms':>9}{'p99 ms':>9}  vs baseline (same run)")
    say("baselines (raw kombu / py-amqp, psycopg)")
    _row("(a) raw publish, confirm each", r["publish_each"])
    _row(f"(b) raw publish, confirms per batch of {CONFIRM_BATCH}", r["publish_batch"])
    _row(f"(c) raw consume, prefetch {RAW_PREFETCH}, ack each (child)", r["consume"])
    for key, label in (("", "d"), ("_low", "d'")):
        lat = r[f"raw_latency{key}"]
        _row(
            f"({label}) raw publish -> consumer, {seconds:g} s at the rate shown",
            lat["rate"],
            lat["p50"],
            lat["p99"],
        )
    _row("(e) psycopg INSERT (same row) into an outbox copy, 1 row/tx", r["insert_1"])
    _row("(f) psycopg INSERT (same row) into an outbox copy, 100 rows/tx", r["insert_100"])
    say("platform (crmkit)")
    _row("outbox record(), 1 event/tx", r["record_1"], note=_x(r["record_1"], r["insert_1"], "e"))
    _row("outbox record(), 100 events/tx", r["record_100"], note=_x(r["record_100"], r["insert_100"], "f"))
    relay_note = f"{_x(r['relay'], r['publish_each'], 'a')}, {_x(r['relay'], r['publish_batch'], 'b')}"
    _row(f"relay run_once loop: {r['relay_rows']} pending -> confirmed, sent", r["relay"], note=relay_note)
    backlog, e2e = r["backlog"], r["e2e"]
    prefetch = backlog["consumer"]["prefetch"]
    label = f"EventConsumer draining a backlog (prefetch {prefetch}, inbox)"
    _row(label, backlog["rate"], note=_x(backlog["rate"], r["consume"], "c"))
    _row(
        "outbox -> relay -> EventConsumer (2 child processes)",
        e2e["rate"],
        note=_x(e2e["rate"], r["consume"], "c"),
    )
    for key, label in (("", "d"), ("_low", "d'")):
        kit, lat = r[f"e2e_latency{key}"], r[f"raw_latency{key}"]
        note = f"p50 {kit['p50'] / lat['p50']:.0f}x, p99 {kit['p99'] / lat['p99']:.0f}x ({label})"
        _row("write -> relay.run_forever -> handler commit", kit["rate"], kit["p50"], kit["p99"], note=note)
    say("")
    say("notes (msg/s of a latency row: the rate the publisher or outbox writer achieved)")
    for key, target in (("", r["rate"]), ("_low", r["low_rate"])):
        kit = r[f"e2e_latency{key}"]
        if kit["rate"] < 0.95 * target or e2e["rate"] < target:
            say(
                f"  ! at {target:g} msg/s the platform path is saturated: the writer managed {kit['rate']:.0f} msg/s"
                f" and outbox -> consumer throughput is {e2e['rate']:.0f} msg/s, so that latency is queueing"
                " (a backlog that grows with --seconds), not the path's floor"
            )
    for key, target in (("", r["rate"]), ("_low", r["low_rate"])):
        kit = r[f"e2e_latency{key}"]
        say(
            f"  latency at {target:g} msg/s, p50/p99 ms from the outbox write: relay marked it sent"
            f" {kit['to_sent']['p50']:.1f}/{kit['to_sent']['p99']:.1f}, consumer got it"
            f" {kit['to_arrival']['p50']:.1f}/{kit['to_arrival']['p99']:.1f}, handler committed"
            f" {kit['p50']:.1f}/{kit['p99']:.1f}; max raw {r[f'raw_latency{key}']['max']:.0f} ms,"
            f" platform {kit['max']:.0f} ms"
        )
    consumer_split(backlog["consumer"]["timings"], backlog["rate"])
    relay_split(r["relay_timings"], "relay, throughput stage (main process, run_once loop)")
    kit = r["e2e_latency_low"]
    relay_split(
        kit["relay"]["timings"],
        f"relay, latency stage at {r['low_rate']:g} msg/s (idle {r['idle_interval']:g} s)",
    )
    kit = r["e2e_latency"]
    relay_split(kit["relay"]["timings"], f"relay, latency stage at {r['rate']:g} msg/s")
    say(
        f"  CPU s in the children: e2e throughput stage relay {e2e['relay']['cpu']:.1f}, consumer"
        f" {e2e['consumer']['cpu']:.1f}; latency stage at {r['rate']:g} msg/s writer (main) {kit['writer_cpu']:.1f},"
        f" relay {kit['relay']['cpu']:.1f}, consumer {kit['consumer']['cpu']:.1f} over"
        f" {seconds + WARMUP_SECONDS:g} s+; 2 cores, shared with RabbitMQ and PostgreSQL"
    )


def _x(value: float, baseline: float, name: str) -> str:
    return f"{value / baseline:.2f}x ({name})"


def _row(label: str, rate: float, p50: float | None = None, p99: float | None = None, note: str = "") -> None:
    p50_text = f"{p50:>9.1f}" if p50 is not None else f"{'':>9}"
    p99_text = f"{p99:>9.1f}" if p99 is not None else f"{'':>9}"
    say(f"  {label:<58}{rate:>8,.0f}{p50_text}{p99_text}  {note}".rstrip())


def consumer_split(timings: dict[str, dict[str, float]], rate: float) -> None:
    seconds, count = timings["seconds"], timings["counts"].get("messages", 0)
    if not count:
        return
    handle = seconds.get("handle", 0.0)
    parts = {
        "pre-ping": seconds.get("pre-ping", 0.0),
        "inbox SELECT": seconds.get("sql SELECT", 0.0),
        "handler": seconds.get("handler", 0.0),
        "inbox INSERT": seconds.get("sql INSERT", 0.0),
        "COMMIT": seconds.get("commit", 0.0),
    }
    parts["other (parse, session, ack)"] = handle - sum(parts.values())
    each = ", ".join(f"{name} {value / count * 1000:.2f}" for name, value in parts.items())
    say(
        f"  EventConsumer, backlog stage: {1000 / rate:.2f} ms wall per message, of which handle()"
        f" {handle / count * 1000:.2f} ms = {each}"
    )


def relay_split(timings: dict[str, dict[str, float]], title: str) -> None:
    seconds, counts = timings["seconds"], timings["counts"]
    sweep = seconds.get("sweep", 0.0)
    if not sweep:
        return
    publish, confirm = seconds.get("publish", 0.0), seconds.get("confirm wait", 0.0)
    parts = {
        "pre-ping": seconds.get("pre-ping", 0.0),
        "claim SELECT": seconds.get("sql SELECT", 0.0),
        "build messages": seconds.get("build messages", 0.0),
        "basic_publish": publish - confirm,
        "confirm wait": confirm,
        "mark UPDATE": seconds.get("sql UPDATE", 0.0),
        "COMMIT": seconds.get("commit", 0.0),
    }
    parts["other"] = sweep - sum(parts.values())
    sweeps, busy = counts.get("sweeps", 0), counts.get("busy sweeps", 0)
    batch = counts.get("rows", 0) / busy if busy else 0.0
    say(
        f"  {title}: {sweeps:.0f} sweeps ({busy:.0f} with rows, {batch:.1f} rows each),"
        f" {sweep / sweeps * 1000:.2f} ms per sweep = "
        + ", ".join(f"{name} {value / sweep:.0%}" for name, value in parts.items())
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", "-n", type=int, default=5000, help="messages per throughput stage")
    parser.add_argument("--rate", type=float, default=500, help="msg/s in the latency stages")
    parser.add_argument(
        "--low-rate", type=float, default=100, help="msg/s in the second pair of latency stages"
    )
    parser.add_argument("--seconds", type=float, default=5, help="duration of each latency stage")
    parser.add_argument(
        "--relay-idle", type=float, default=IDLE_INTERVAL, help="relay's idle_interval (kit default)"
    )
    arguments = parser.parse_args()
    measure(arguments.messages, arguments.rate, arguments.low_rate, arguments.seconds, arguments.relay_idle)
