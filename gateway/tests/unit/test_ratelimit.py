"""The fixed-window counters in the database, claimed in leases."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from gateway.ratelimit.limiter import RateLimiter, lease_size


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path, migrated_database):
    shutil.copyfile(migrated_database, tmp_path / "limits.db")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'limits.db'}")
    yield engine
    engine.dispose()


def counted(engine: sa.Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT bucket, hits FROM rate_limit_counters ORDER BY bucket"))
        return [(bucket, hits) for bucket, hits in rows]


def test_counts_per_bucket_and_refuses_over_the_limit_until_the_window_ends(engine):
    clock = Clock(1_000_000_010.0)  # 10 s before the window ends
    limiter = RateLimiter(engine, window=60, clock=clock)
    verdicts = [limiter.hit("user:a", 3) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[-1].retry_after == 10
    assert limiter.hit("user:b", 3).allowed
    clock.now += 10
    assert limiter.hit("user:a", 3).allowed


def test_claims_leases_so_most_hits_do_not_touch_the_database(engine):
    limiter = RateLimiter(engine, window=60, clock=Clock(1_000_000_000.0))
    assert limiter.hit("user:a", 1000).remaining == 999
    assert counted(engine) == [("user:a", 50)]  # one claim of limit / 20
    for _ in range(49):
        limiter.hit("user:a", 1000)
    assert counted(engine) == [("user:a", 50)]
    limiter.hit("user:a", 1000)
    assert counted(engine) == [("user:a", 100)]


def test_replicas_never_pass_the_limit_together(engine):
    clock = Clock(1_000_000_000.0)
    replicas = [RateLimiter(engine, window=60, clock=clock) for _ in range(3)]
    allowed = sum(replicas[index % 3].hit("user:a", 200).allowed for index in range(400))
    # Leases a replica has not spent when the others run out are lost: a little below the limit, never above.
    assert 200 - 3 * lease_size(200, 0) <= allowed <= 200


def test_old_windows_of_a_bucket_are_dropped_when_a_new_one_opens(engine):
    clock = Clock(1_000_000_000.0)
    limiter = RateLimiter(engine, window=60, clock=clock)
    limiter.hit("user:a", 3)
    clock.now += 120
    limiter.hit("user:a", 3)
    assert counted(engine) == [("user:a", 1)]


def test_lease_size_shrinks_to_one_near_the_limit():
    assert [lease_size(1200, used) for used in (0, 1000, 1190, 1199, 1300)] == [60, 25, 1, 1, 1]
    assert lease_size(10, 0) == 1


def test_has_unspent_says_whether_the_next_hit_needs_a_claim(engine):
    clock = Clock(1_000_000_000.0)
    limiter = RateLimiter(engine, window=60, clock=clock)
    assert not limiter.has_unspent("user:a")  # nothing claimed yet
    limiter.hit("user:a", 40)  # a lease of 2: one spent, one left
    assert limiter.has_unspent("user:a")
    limiter.hit("user:a", 40)
    assert not limiter.has_unspent("user:a")  # spent: the next hit claims again
    limiter.hit("user:a", 40)
    clock.now += 60
    assert not limiter.has_unspent("user:a")  # a lease never outlives its window
