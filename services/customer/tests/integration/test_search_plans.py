"""Account search reads its indexes on SQLite and PostgreSQL: first pages and deep cursor pages, no sort step."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import crmkit
from crmkit import migrations
from customer.accounts import service
from customer.accounts.models import STAGES, TIERS, Account, AccountTag
from customer.cli import MIGRATIONS_DIR
from customer.normalize import dedupe_name, name_key

ROWS = 20_000
CASES = [
    {"sort": "name"},
    {"sort": "-name"},
    {"sort": "-created_at"},
    {"sort": "tier"},
    {"q": "ab", "sort": "name"},
    {"q": "ab", "sort": "-name"},
    {"tier": "key", "sort": "name"},
    {"tier": "low", "sort": "-created_at"},
    {"owner": "u-7", "sort": "name"},
    {"owner": "u-7", "sort": "created_at"},
    {"owner": "u-7", "sort": "tier"},
    {"stage": "churned", "sort": "name"},
    {"stage": "active", "sort": "-created_at"},
    {"stage": "active", "sort": "tier"},
    {"tag": "t-3", "sort": "name"},
    {"tag": "t-3", "sort": "-created_at"},
    {"tag": "t-3", "sort": "tier"},
    {"tag": "t-3", "q": "c", "sort": "name"},
    {"q": "c", "sort": "name"},
    {"q": "c", "sort": "-name"},
]
# PostgreSQL may sort a few matches it found through an index range (cheaper than walking in order);
# more than this many rows sorted would mean the page depends on the size of the table.
MAX_SORTED_ROWS = 1000
PG_SORT = re.compile(r"->  Sort  \(cost=\S+ rows=(\d+)|^Sort  \(cost=\S+ rows=(\d+)")


def sorts_too_much(text: str) -> bool:
    """SQLite sorting at all, or PostgreSQL sorting more than MAX_SORTED_ROWS estimated rows."""
    if "USE TEMP B-TREE FOR ORDER BY" in text:
        return True
    counts = [int(a or b) for line in text.splitlines() for a, b in PG_SORT.findall(line.strip())]
    return any(count > MAX_SORTED_ROWS for count in counts)


def starts_at_cursor(deep_plan: str) -> bool:
    """The index walk of a later page starts at the cursor: the row value is part of the index range."""
    sqlite = re.search(r"^SEARCH .*\((\w+,)+\w+\)[<>]\(", deep_plan, re.M)
    postgres = re.search(r"Index Cond: .*ROW\(", deep_plan)
    return bool(sqlite or postgres)


def reads_whole_table(line: str) -> bool:
    """A table scan: PostgreSQL's Seq Scan, SQLite's SCAN without an index (SCAN ... USING INDEX is ordered)."""
    return "Seq Scan" in line or (line.strip().startswith("SCAN") and "USING" not in line)


def seed(database: crmkit.Database, rows: int) -> None:
    """Insert `rows` accounts with varied names, tiers, owners, stages and tags, then gather statistics."""
    rng = random.Random(7)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    accounts, tags = [], []
    for index in range(rows):
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) + f" {index}"
        created = start + timedelta(minutes=index)
        tier = rng.choice(TIERS)
        accounts.append(
            {"id": f"{index:032x}", "name": name, "name_key": name_key(name), "dedupe_key": dedupe_name(name),
             "lifecycle_stage": rng.choice(STAGES), "tier": tier, "tier_rank": TIERS.index(tier),
             "owner_id": f"u-{rng.randrange(50)}", "custom_fields": {}, "created_at": created,
             "updated_at": created, "created_by": "seed", "version": 1}
        )  # fmt: skip
        for tag in {f"t-{rng.randrange(20)}" for _ in range(2)}:
            tags.append({"account_id": f"{index:032x}", "tag": tag, "name_key": name_key(name),
                         "created_at": created, "tier_rank": TIERS.index(tier)})  # fmt: skip
    with database.engine.begin() as connection:
        connection.execute(sa.insert(Account.__table__), accounts)
        connection.execute(sa.insert(AccountTag.__table__), tags)
        connection.exec_driver_sql("ANALYZE")


def migrated(url: str) -> crmkit.Database:
    migrations.upgrade(MIGRATIONS_DIR, url)
    database = crmkit.Database(url)
    seed(database, ROWS)
    return database


def plan(database: crmkit.Database, query: dict[str, Any]) -> tuple[str, str | None]:
    """Run one list page, then EXPLAIN the exact SQL it sent; return the plan and the next cursor."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM accounts" in statement:
            statements.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        full = {"limit": 50, "cursor": None, **query}
        page = service.list_accounts(uow=database.uow(), query=full)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN "
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows), page.next_cursor


def plan_problems(database: crmkit.Database) -> list[str]:
    """Plans (first page and a few pages deep) that sort too much, scan a table, use none of our indexes,
    or (later pages) do not start the index walk at the cursor."""
    problems = []
    for query in CASES:
        first, cursor = plan(database, query)
        texts = [first]
        for _ in range(5):
            if cursor is None:
                break
            deep, cursor = plan(database, {**query, "cursor": cursor})
            texts.append(deep)
        text = "\n".join(texts)
        bad = (
            "ix_account" not in text or sorts_too_much(text) or any(map(reads_whole_table, text.splitlines()))
        )
        if bad or not all(starts_at_cursor(deep) for deep in texts[1:]):
            problems.append(f"{query}:\n{text}")
    return problems


def test_every_search_reads_an_index_in_order_on_sqlite(tmp_path: Path) -> None:
    database = migrated(f"sqlite:///{tmp_path / 'customer.db'}")
    try:
        assert plan_problems(database) == []
    finally:
        database.dispose()


@pytest.mark.postgres
def test_every_search_reads_an_index_in_order_on_postgresql(postgres_url: str) -> None:
    database = migrated(postgres_url)
    try:
        assert plan_problems(database) == []
    finally:
        database.dispose()
