"""Engine and session factory, and the unit of work: one transaction, committed in one place."""

from __future__ import annotations

import contextvars
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
CommitHook = Callable[[Session], None]
# Work that must join the current use case's transaction right before it commits (for example the
# idempotency record of the HTTP request that runs the use case). Set per request by the kit.
commit_hooks: contextvars.ContextVar[tuple[CommitHook, ...]] = contextvars.ContextVar(
    "crm_commit_hooks", default=()
)

# Tables the kit owns inside every service's database (outbox, inbox, idempotency keys).
# Each service's Alembic environment targets [service metadata, kit_metadata].
kit_metadata = sa.MetaData()


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """Create an engine with the settings we want on each backend."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return sa.create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself so SAVEPOINT and transactional DDL work (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL" for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once (it persists); when another connection holds it, let that one do it.

    The switch needs the file to itself and fails at once with "database is locked" while another
    connection is in a transaction, whatever the busy timeout, so a busy file is left to its next opener.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        log.info("sqlite file busy; WAL is switched on by a later connection")


def _sqlite_on_begin(conn: sa.Connection) -> None:
    # IMMEDIATE takes the write lock up front: two writers queue instead of failing on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine plus a session factory for one service's database."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One use case's transaction. Use as a context manager; call commit() exactly once.

    Leaving the block without commit() rolls everything back, so a failed use case writes nothing.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self.committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its with-block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self.committed = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        # close() rolls back whatever was not committed without expiring loaded objects, so a read-only
        # use case can still return what it read for serialisation after the block.
        session, self._session = self.session, None
        session.close()

    def commit(self) -> None:
        for hook in commit_hooks.get():
            hook(self.session)
        self.session.commit()
        self.committed = True

    def flush(self) -> None:
        self.session.flush()


@contextmanager
def transaction(database: Database) -> Iterator[Session]:
    """A session committed at the end of the block (for workers and scripts, not use cases)."""
    with database.uow() as uow:
        yield uow.session
        uow.commit()
