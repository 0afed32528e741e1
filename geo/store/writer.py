"""Writing incidents: the rule for ids already stored is shared, how rows go in is each dialect's.

`Store` picks one writer when it is made (``geo.store.sqlite.SQLiteWriter`` or
``geo.store.postgis.PostGISWriter``), as geopandas picks its I/O engine once; nothing else in the
store asks which database it is talking to when it writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator, Literal, Sequence, TypeVar

import sqlalchemy as sa

from geo.model import Incident, report_hash
from geo.store.schema import ROW_KEYS, Row, incidents_table, longest_span, reports_table, to_row, typed

OnConflict = Literal["skip", "replace"]
T = TypeVar("T")


@dataclass
class AddResult:
    """What `Store.add` did, by incident id."""

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    joined: dict[str, str] = field(default_factory=dict)  # added record → existing event it joined
    new_events: int = 0  # events the added records started


class Writer:
    """Adds incidents inside the caller's transaction; subclasses say how a dialect inserts."""

    chunk_size = 5000  # incidents converted and inserted at a time
    replayable = False  # True: a failed add may be tried again, so an iterator is read into a list
    id_chunk = 5000  # ids per look-up of the ones already stored

    def add(self, conn: sa.Connection, incidents: Iterable[Incident], on_conflict: OnConflict
            ) -> tuple[AddResult, int]:
        """Insert the new incidents; an id already stored (or repeated) is skipped or replaced.

        Returns what was done and the longest span written, in days.
        """
        result = AddResult()
        seen: set[str] = set()
        longest = 0
        self.start(conn, incidents)
        for chunk in chunks(incidents, self.chunk_size):
            self.before_chunk(conn, len(chunk))
            rows = [to_row(inc) for inc in chunk]
            longest = max(longest, longest_span(rows))
            if self.insert_all_new(conn, rows, seen):
                result.added.extend(r[0] for r in rows)
                continue
            existing = self.existing_ids(conn, [r[0] for r in rows])
            fresh = []
            for row in rows:
                if row[0] in existing or row[0] in seen:
                    if on_conflict == "replace":
                        values = typed(row)
                        del values["event_id"]  # a replaced record stays in its event (recomputed)
                        conn.execute(incidents_table.update()
                                     .where(incidents_table.c.id == row[0]).values(**values))
                        result.replaced.append(row[0])
                    else:
                        result.skipped.append(row[0])
                    continue
                seen.add(row[0])
                fresh.append(row)
            if fresh:
                # One id order for every writer: concurrent imports of the same ids cannot deadlock.
                fresh.sort(key=_first)
                inserted = self.insert(conn, fresh, chunk)
                for row in fresh:
                    # A concurrent import may have stored an id since the look-up: it is skipped.
                    (result.added if inserted is None or row[0] in inserted else result.skipped).append(row[0])
        self.finish(conn)
        return result, longest

    # --- what a dialect may change -------------------------------------------------------------

    def start(self, conn: sa.Connection, incidents: Iterable[Incident]) -> None:
        """Called once before the first chunk."""
        # Compiled once and run through the driver's executemany: the rows are already plain
        # values, so SQLAlchemy's per-row parameter processing is skipped.
        compiled = self.insert_statement(incidents_table).compile(dialect=conn.dialect,
                                                                  column_keys=list(ROW_KEYS))
        self._sql = compiled.string
        self._order = (tuple(ROW_KEYS.index(k) for k in compiled.positiontup or ())
                       if compiled.positional else None)

    def before_chunk(self, conn: sa.Connection, size: int) -> None:
        """Called before each chunk is converted."""

    def insert_all_new(self, conn: sa.Connection, rows: list[Row], seen: set[str]) -> bool:
        """Insert a chunk without looking up stored ids, when the dialect can tell that none is;
        False, with nothing written, otherwise."""
        return False

    def insert(self, conn: sa.Connection, rows: list[Row], chunk: Sequence[Incident]) -> set[str] | None:
        """Insert rows whose ids are not stored (another process may still store one first);
        returns the ids actually inserted, or None when every row was (no concurrent writer)."""
        order = self._order
        if order is None:
            params: list = [dict(zip(ROW_KEYS, r)) for r in rows]
        else:
            params = rows if order == IDENTITY else [tuple(r[i] for i in order) for r in rows]
        conn.exec_driver_sql(self._sql, params)
        return None

    def finish(self, conn: sa.Connection) -> None:
        """Called after the last chunk, still inside the transaction."""

    def existing_ids(self, conn: sa.Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(ids, self.id_chunk):
            found.update(conn.execute(sa.select(incidents_table.c.id)
                                      .where(incidents_table.c.id.in_(chunk))).scalars())
        return found

    def insert_statement(self, table: sa.Table) -> sa.Insert:
        """An INSERT that ignores a row whose key another writer stored meanwhile."""
        return table.insert()

    def analyze(self, conn: sa.Connection) -> None:
        """Refresh the planner's statistics."""
        conn.exec_driver_sql("ANALYZE")

    # --- shared by every dialect ---------------------------------------------------------------

    def add_report(self, conn: sa.Connection, text: str) -> None:
        """Keep a report's text once, under its hash."""
        stmt = self.insert_statement(reports_table)
        conn.execute(stmt, [{"hash": report_hash(text), "text": text,
                             "added": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)}])


IDENTITY = tuple(range(len(ROW_KEYS)))


def chunks(items: Iterable[T], size: int) -> Iterator[Sequence[T]]:
    """Slices of a sequence, or lists read from an iterator, of `size` items at most."""
    if isinstance(items, Sequence):
        for i in range(0, len(items), size):
            yield items[i:i + size]
        return
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _first(row: Row) -> str:
    return row[0]
