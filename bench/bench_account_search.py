"""Account search on 1,000,000 accounts: first pages and deep cursor pages for every filter and sort.

Seeds a SQLite file built by the customer service's migrations (executemany in chunks), and PostgreSQL too
when CRM_TEST_PG_URL is set (deploy/scripts/testinfra.sh). Each case runs the service's own list use case
(`customer.accounts.service.list_accounts`: SQL, ORM loading of 50 accounts and their tags) and prints p50
and p99 in ms, each also as a ratio to the baseline measured in the same run: reading one account by
primary key through the same use-case path (`get_account`). A deep page starts half-way through the
matches (its cursor is made from the row there). The last column shows the index the plan reads and
whether a sort step remains.

    .venv/bin/python bench/bench_account_search.py [--rows 1000000] [--repeat 30] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import crmkit
from crmkit import migrations
from crmkit.pagination import encode_cursor
from customer.accounts import service
from customer.accounts.models import STAGES, TIERS, Account, AccountTag
from customer.cli import MIGRATIONS_DIR
from customer.normalize import dedupe_name, name_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import fresh_database, new_name

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ra",
    "to",
    "vu",
    "ze",
    "bi",
    "da",
    "fo",
    "gu",
    "ha",
    "je",
    "ki",
    "lu",
    "ma",
    "no",
    "pe",
    "qu",
    "ri",
    "sa",
    "te",
    "vo",
    "wa",
    "xi",
    "yo",
    "zu",
    "an",
    "el",
]
SUFFIXES = ["", "", "", " GmbH", " Inc.", " Ltd", " AG", " S.A."]
TAGS = [f"tag-{index:03d}" for index in range(200)]
SORTS = ["name", "-name", "created_at", "-created_at", "tier", "-tier"]
CHUNK = 20_000


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()


def account_rows(count: int, seed: int = 7) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Deterministic accounts: tiers 10/60/30 %, 500 owners, 4 stages, 1 to 3 tags of 200 (skewed)."""
    rng = random.Random(seed)
    start = datetime(2018, 1, 1, tzinfo=UTC)
    for index in range(count):
        name = f"{word(rng)} {word(rng)}{rng.choice(SUFFIXES)}"
        tier = rng.choices(TIERS, weights=(10, 60, 30))[0]
        created = start + timedelta(seconds=index * 97)
        account_id = f"{index:032x}"
        account = {
            "id": account_id, "name": name, "name_key": name_key(name), "dedupe_key": dedupe_name(name),
            "tier": tier, "tier_rank": TIERS.index(tier), "owner_id": f"u-{rng.randrange(500)}",
            "lifecycle_stage": rng.choices(STAGES, weights=(30, 50, 10, 10))[0], "custom_fields": {},
            "created_at": created, "updated_at": created, "created_by": "bench", "version": 1,
        }  # fmt: skip
        tags = {TAGS[min(int(rng.paretovariate(1.2)) - 1, len(TAGS) - 1)] for _ in range(rng.randint(1, 3))}
        yield account, [
            {"account_id": account_id, "tag": tag, "name_key": account["name_key"], "created_at": created,
             "tier_rank": account["tier_rank"]}
            for tag in tags
        ]  # fmt: skip


def seed(database: crmkit.Database, count: int) -> None:
    """Insert `count` accounts and their tags in chunks (executemany), then ANALYZE."""
    accounts: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    started = time.perf_counter()
    for account, account_tags in account_rows(count):
        accounts.append(account)
        tags.extend(account_tags)
        if len(accounts) >= CHUNK:
            _insert(database, accounts, tags)
            accounts, tags = [], []
    _insert(database, accounts, tags)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    print(f"  seeded {count:,} accounts in {time.perf_counter() - started:.0f} s", flush=True)


def _insert(database: crmkit.Database, accounts: list[dict[str, Any]], tags: list[dict[str, Any]]) -> None:
    if accounts:
        with database.engine.begin() as connection:
            connection.execute(sa.insert(Account.__table__), accounts)
            connection.execute(sa.insert(AccountTag.__table__), tags)


def cases(database: crmkit.Database) -> list[dict[str, Any]]:
    """Every filter (none, q, tag, tier, owner, stage) with every sort; values picked from the data."""
    with database.engine.connect() as connection:
        some_name = connection.execute(
            sa.select(Account.name_key).order_by(Account.id).offset(1234).limit(1)
        ).scalar_one()
    filters = [
        {},
        {"q": some_name[:2]},
        {"q": some_name[:5]},
        {"tag": TAGS[0]},
        {"tag": TAGS[40]},
        {"tier": "key"},
        {"owner": "u-42"},
        {"stage": "churned"},
        {"stage": "active", "tier": "key"},
    ]
    return [{**query, "sort": sort} for query in filters for sort in SORTS]


def deep_cursor(database: crmkit.Database, query: dict[str, Any]) -> str | None:
    """A cursor half-way through the matches (made from the row there, as the list itself would)."""
    stmt, sort = service._search(query)
    with database.uow() as uow:
        total = uow.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        if not total or total < 100:
            return None
        order = [key.column.desc() if key.descending else key.column.asc() for key in sort]
        row = uow.session.scalars(stmt.order_by(*order).offset(total // 2).limit(1)).one()
        values = [getattr(row, key.attribute or key.column.key) for key in sort]
    signature = ",".join(("-" if key.descending else "") + key.name for key in sort)
    return encode_cursor(signature, values)


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """p50 and p99 wall time of `call` in ms (after one warm-up call)."""
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]


def plan_summary(database: crmkit.Database, query: dict[str, Any]) -> str:
    """The indexes the page's SQL reads, and `+sort` when the plan still sorts."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM accounts" in statement and not statements:
            statements.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        service.list_accounts(uow=database.uow(), query={"limit": 50, **query})
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    with database.engine.connect() as connection:
        text = "\n".join(
            str(row[-1]) for row in connection.exec_driver_sql(prefix + statements[0][0], statements[0][1])
        )
    indexes = sorted(set(re.findall(r"\b(ix_\w+|pk_\w+)", text)))
    sort = "+sort" if ("TEMP B-TREE FOR ORDER BY" in text or re.search(r"\bSort\b", text)) else ""
    full = "+SCAN" if re.search(r"^\s*SCAN \w+\s*$|Seq Scan", text, re.M) else ""
    return ",".join(indexes) + sort + full


def label(query: dict[str, Any]) -> str:
    return "&".join(f"{key}={value}" for key, value in query.items() if key != "sort") or "-"


def run_backend(title: str, database: crmkit.Database, rows: int, repeat: int) -> None:
    print(f"\n{title}: {rows:,} accounts", flush=True)
    ids = [f"{random.Random(index).randrange(rows):032x}" for index in range(repeat)]
    ids_iter = iter(ids * 3)
    base50, base99 = timed(lambda: service.get_account(uow=database.uow(), account_id=next(ids_iter)), repeat)
    print(f"  baseline (read one account by primary key): p50 {base50:.2f} ms, p99 {base99:.2f} ms")
    header = f"  {'filter':<26} {'sort':<12} {'first p50/p99 ms (x base)':<30} {'deep p50/p99 ms (x base)':<30} plan (first | deep)"
    print(header)
    for query in cases(database):
        first = timed(
            lambda q=query: service.list_accounts(
                uow=database.uow(), query={"limit": 50, "cursor": None, **q}
            ),
            repeat,
        )
        cursor = deep_cursor(database, {"limit": 50, **query})
        deep_query = {"limit": 50, **query, "cursor": cursor}
        deep = (
            timed(lambda q=deep_query: service.list_accounts(uow=database.uow(), query=q), repeat)
            if cursor
            else None
        )
        plans = (
            plan_summary(database, {**query, "cursor": None})
            + " | "
            + (plan_summary(database, {**query, "cursor": cursor}) if cursor else "-")
        )
        print(
            f"  {label(query):<26} {query['sort']:<12} {fmt(first, base50):<30} "
            f"{fmt(deep, base50) if deep else '(fewer than 100 matches)':<30} {plans}",
            flush=True,
        )


def fmt(figures: tuple[float, float], base: float) -> str:
    p50, p99 = figures
    return f"{p50:6.2f} / {p99:6.2f} ({p50 / base:4.1f}x)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (path printed)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    url = f"sqlite:///{folder / 'customer.db'}"
    migrations.upgrade(MIGRATIONS_DIR, url)
    sqlite = crmkit.Database(url)
    seed(sqlite, args.rows)
    run_backend("SQLite", sqlite, args.rows, args.repeat)
    sqlite.dispose()
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    if server := os.environ.get("CRM_TEST_PG_URL"):
        pg_url = fresh_database(server, new_name("bench_search"))
        migrations.upgrade(MIGRATIONS_DIR, pg_url)
        postgres = crmkit.Database(pg_url)
        seed(postgres, args.rows)
        run_backend("PostgreSQL", postgres, args.rows, args.repeat)
        postgres.dispose()


if __name__ == "__main__":
    main()
