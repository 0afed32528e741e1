"""SQLite, the embedded default: its engine settings and its writer.

An add reaching REBUILD_FROM rows, and at least a quarter of the rows already stored, drops the
secondary indexes and builds them again before its commit: a sorted build is several times quicker
than keeping four wide indexes up to date row by row.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from geo.model import Incident
from geo.store.schema import Row, incidents_table
from geo.store.writer import IDENTITY, Writer

WRITE = "atlas_write"  # execution option: this transaction writes (it takes the write lock up front)
CHUNK = 50_000  # incidents converted and inserted at a time (sorted first, see insert_all_new)
REBUILD_FROM = 50_000
REBUILD_SHARE = 4


def create_engine(url: sa.URL) -> sa.Engine:
    """An engine for a SQLite file with the store's pragmas and locking."""
    engine = sa.create_engine(url, connect_args={"timeout": 30})
    sa.event.listen(engine, "connect", _pragmas)
    sa.event.listen(engine, "begin", _begin)
    return engine


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # the driver's implicit BEGIN is replaced by _begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) do not block an import
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash may lose the last commit only
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: a million incidents' indexes stay in memory
    cur.close()


def _begin(conn: sa.Connection) -> None:
    # A writer takes the lock when it begins: a deferred transaction that reads, then writes,
    # fails at once ("database is locked") if another process wrote in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


class SQLiteWriter(Writer):
    """Large chunks, sorted; a first import skips the id look-up; big adds rebuild the indexes."""

    @property
    def chunk_size(self) -> int:  # type: ignore[override]  # read at call time: tests shrink it
        return CHUNK

    def start(self, conn: sa.Connection, incidents: Iterable[Incident]) -> None:
        super().start(conn, incidents)
        self._known = len(incidents) if isinstance(incidents, Sequence) else None
        self._read = 0
        self._stored: int | None = None  # rows in the table before this add, counted when it matters
        self._rebuilding = False

    def before_chunk(self, conn: sa.Connection, size: int) -> None:
        self._read += size
        reach = self._known or self._read
        if self._rebuilding or reach < REBUILD_FROM:
            return
        if self._stored is None:
            self._stored = conn.execute(sa.select(sa.func.count()).select_from(incidents_table)).scalar()
        if reach * REBUILD_SHARE >= (self._stored or 0):
            drop_indexes(conn)
            self._rebuilding = True

    def insert_all_new(self, conn: sa.Connection, rows: list[Row], seen: set[str]) -> bool:
        """Insert a chunk in one go when none of its ids is stored yet (the usual import),
        sparing the look-up of existing ids; False, with nothing written, when some are."""
        ids = [r[0] for r in rows]
        if self._order != IDENTITY or not seen.isdisjoint(ids) or len(set(ids)) != len(ids):
            return False
        # The ids are distinct, so the order is free: in province-then-date order two of the three
        # indexes are filled front to back instead of at random places, which a store larger than
        # SQLite's page cache feels most (a 50k add into 1M: about a third quicker).
        ordered = sorted(rows, key=_province_date)
        savepoint = conn.begin_nested()
        if conn.exec_driver_sql(self._sql, ordered).rowcount == len(rows):  # duplicates ignored: fewer
            savepoint.commit()
            seen.update(ids)
            return True
        savepoint.rollback()
        return False

    def finish(self, conn: sa.Connection) -> None:
        if self._rebuilding:
            create_indexes(conn)
            self.analyze(conn)  # the statistics went with the old indexes

    def insert_statement(self, table: sa.Table) -> sa.Insert:
        return sqlite_insert(table).on_conflict_do_nothing()

    def analyze(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sample each index: milliseconds
        conn.exec_driver_sql("ANALYZE")


def drop_indexes(conn: sa.Connection) -> None:
    """Drop the incidents' secondary indexes (not the primary key), inside the caller's transaction:
    readers keep the old ones until it commits, and a rollback brings them back."""
    for index in incidents_table.indexes:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")


def create_indexes(conn: sa.Connection) -> None:
    for index in incidents_table.indexes:
        index.create(conn)


def _province_date(row: Row) -> tuple[str, str]:
    return row[6] or "", row[1]
