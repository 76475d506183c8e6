"""Fixed-window counters per caller in the shared database, claimed in small leases.

Every gateway replica counts in the same row (INSERT ... ON CONFLICT DO UPDATE SET hits = hits + n
RETURNING hits), so a caller gets the same limit however the load balancer spreads its requests. To keep
the database off the path of most requests, a replica claims a lease of several hits at once (at most a
twentieth of the limit, fewer as the window fills up, a single hit near the limit) and spends it locally.
The limit is never exceeded across replicas: a claim that would pass it is granted only what is left. A
lease a replica does not spend before the window ends is lost, so a caller may be refused a little before
the limit (at most one lease per replica), never after it.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from gateway.ratelimit.models import RateLimitCounter

COUNTERS: sa.Table = RateLimitCounter.__table__  # type: ignore[assignment]
LEASE_SHARE = 20  # a lease is at most limit / LEASE_SHARE hits
LEASE_OF_WHAT_IS_LEFT = 8  # ... and at most 1/8 of what the window has left
MAX_LOCAL_BUCKETS = 10_000  # leases kept per process before old ones are dropped


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one hit: allowed or not, about how many are left, and when the window ends."""

    allowed: bool
    remaining: int
    limit: int
    retry_after: int


@dataclasses.dataclass
class Lease:
    """Hits this process claimed in the database for one bucket and window and has not spent yet."""

    window_start: int
    unspent: int
    counted: int  # the bucket's count in the database when this lease was claimed


class RateLimiter:
    """Count hits per bucket in windows of `window` seconds; more than `limit` in a window is refused."""

    def __init__(self, engine: sa.Engine, *, window: int, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.window = window
        self.clock = clock
        self._insert: Any = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._leases: dict[str, Lease] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, limit: int) -> Verdict:
        """Count one request of `bucket`: from this process's lease when it has one, else by a new claim."""
        now = self.clock()
        window_start = int(now // self.window) * self.window
        retry_after = max(1, math.ceil(window_start + self.window - now))
        with self._lock:
            lease = self._leases.get(bucket)
            current = lease if lease is not None and lease.window_start == window_start else None
            if current is not None and current.unspent > 0:
                current.unspent -= 1
                return Verdict(True, max(0, limit - current.counted) + current.unspent, limit, retry_after)
            if current is not None and current.counted >= limit:
                # The window is used up in the database already (counts only grow): refuse without asking.
                return Verdict(False, 0, limit, retry_after)
            counted = current.counted if current is not None else 0
        size = lease_size(limit, counted)
        total = self._claim(bucket, window_start, size)
        granted = max(0, min(size, limit - (total - size)))
        with self._lock:
            self._forget_old_leases(window_start)
            lease = self._keep(bucket, Lease(window_start, max(0, granted - 1), total))
            remaining = max(0, limit - lease.counted) + lease.unspent
        return Verdict(granted > 0, remaining, limit, retry_after)

    def has_unspent(self, bucket: str) -> bool:
        """Whether this process holds unspent hits of `bucket` for the current window (no claim needed)."""
        window_start = int(self.clock() // self.window) * self.window
        with self._lock:
            lease = self._leases.get(bucket)
            return lease is not None and lease.window_start == window_start and lease.unspent > 0

    def _keep(self, bucket: str, new: Lease) -> Lease:
        """Add a claim to the lease another thread of this process may have claimed at the same time."""
        lease = self._leases.get(bucket)
        if lease is None or lease.window_start != new.window_start:
            self._leases[bucket] = new
            return new
        lease.unspent += new.unspent
        lease.counted = max(lease.counted, new.counted)
        return lease

    def _claim(self, bucket: str, window_start: int, size: int) -> int:
        """Add `size` hits to the bucket's window in the database; answer its new count."""
        insert = self._insert(COUNTERS).values(bucket=bucket, window_start=window_start, hits=size)
        upsert = insert.on_conflict_do_update(
            index_elements=[COUNTERS.c.bucket, COUNTERS.c.window_start],
            set_={"hits": COUNTERS.c.hits + size},
        ).returning(COUNTERS.c.hits)
        with self.engine.begin() as connection:
            total = int(connection.execute(upsert).scalar_one())
            if total == size:  # the window's first claim: drop the bucket's older windows
                connection.execute(
                    sa.delete(COUNTERS).where(
                        COUNTERS.c.bucket == bucket, COUNTERS.c.window_start < window_start
                    )
                )
        return total

    def _forget_old_leases(self, window_start: int) -> None:
        if len(self._leases) >= MAX_LOCAL_BUCKETS:
            self._leases = {
                bucket: lease for bucket, lease in self._leases.items() if lease.window_start == window_start
            }


def lease_size(limit: int, counted: int) -> int:
    """How many hits to claim at once: a small share of the limit, one as the window nears it."""
    return max(1, min(limit // LEASE_SHARE, (limit - counted) // LEASE_OF_WHAT_IS_LEFT))
