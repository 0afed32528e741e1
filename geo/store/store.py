"""`Store`: incidents in a SQL database, written by the dialect's writer and read with Filters.

Reads for selections too large to hold as objects (`query_frame`, `totals`, `places`,
`grid_cells`) are computed in SQL; `version()` changes with every write, for caches. Writes run in
one transaction, so a failure leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Literal, Sequence

import sqlalchemy as sa

from geo.filters import Filters
from geo.model import Incident
from geo.store import linking, postgis, sqlite
from geo.store.errors import StoreError, is_deadlock, translate_errors
from geo.store.schema import (
    EVENT_READ_COLUMNS,
    FRAME_COLUMNS,
    READ_COLUMNS,
    decode_points,
    events_table,
    incident_from_row,
    incidents_table,
    meta_table,
    reports_table,
    scan_json,
)
from geo.store.writer import AddResult, OnConflict, Writer, chunks

if TYPE_CHECKING:
    import pandas

ANALYZE_AFTER = 50_000  # refresh planner statistics after adding this many rows at once
# The sums `totals` returns, per kind of record (cumulative or not): geo.summary reads them.
TOTAL_COLUMNS = ["cumulative", "incidents", "killed", "killed_max", "children", "without_toll",
                 "children_known", "records"]
Of = Literal["records", "events"]  # what a read counts: records as stored, or events (each once)
CELL_COLUMNS = ["lon", "lat", "incidents", "places", "killed", "children", "killed_known", "cumulative"]


@dataclass(frozen=True)
class EventDetails:
    """What an event has beyond a record's columns (Store.event_details)."""

    id: str
    grade: str
    records: int
    sources: list[dict]  # the records, each with geo.events.SOURCE_KEYS
    link_reasons: list[str]


@dataclass(frozen=True)
class PlaceCounts:
    """Where a selection is (Store.places)."""

    incidents: int
    located: int  # located places, summed over incidents
    unlocated: int  # places named but not located
    bounds: tuple[float, float, float, float] | None  # (west, south, east, north) of mean points
    unlocated_countries: tuple[str, ...] = ()


def writer_for(dialect: str) -> Writer:
    """The writer of a dialect, chosen once per store."""
    if dialect == "sqlite":
        return sqlite.SQLiteWriter()
    if dialect == "postgresql":
        return postgis.PostGISWriter()
    raise StoreError(f"Strike Atlas stores incidents in SQLite or PostgreSQL + PostGIS, not {dialect}; "
                     "use a sqlite:/// or postgresql+psycopg:// URL")


class Store:
    """Incidents in a SQL database (SQLite or PostgreSQL + PostGIS).

    Examples
    --------
    >>> store = open_store("sqlite:///incidents.sqlite")  # doctest: +SKIP
    >>> store.add([incident]).added  # doctest: +SKIP
    ['acled:SYR1']
    >>> store.count(Filters.parse(provinces=["Raqqa"]))  # doctest: +SKIP
    1
    """

    def __init__(self, engine: sa.Engine, label: str):
        self.engine = engine
        self.label = label  # the URL without password, for messages
        self.dialect = engine.dialect.name
        self.writer = writer_for(self.dialect)
        self.created = False  # open_store: this open made the database's tables

    # --- writing ------------------------------------------------------------------------------

    def add(self, incidents: Iterable[Incident], on_conflict: OnConflict = "skip",
            report_text: str | None = None) -> AddResult:
        """Store incidents in one transaction; an id already stored is skipped or replaced.

        Parameters
        ----------
        incidents
            Validated incidents; an iterator is read chunk by chunk on SQLite.
        on_conflict
            "skip" or "replace" an incident whose id is stored already.
        report_text
            The report the incidents were coded from, kept once under its hash.

        Raises
        ------
        StoreError
            The database cannot be written; nothing was stored.
        """
        batch = (incidents if isinstance(incidents, Sequence) or not self.writer.replayable
                 else list(incidents))
        for attempt in range(4):
            try:
                result = self._add_once(batch, on_conflict, report_text)
                break
            except StoreError as exc:
                if attempt == 3 or not is_deadlock(exc.__cause__):
                    raise
        if len(result.added) >= ANALYZE_AFTER and len(result.added) * 5 >= self.count():
            self.analyze()  # the table grew by a fifth or more: the planner's row counts are stale
        return result

    def _add_once(self, incidents: Iterable[Incident], on_conflict: OnConflict,
                  report_text: str | None) -> AddResult:
        with self._begin() as conn:
            result, longest = self.writer.add(conn, incidents, on_conflict)
            if report_text is not None:
                self.writer.add_report(conn, report_text)
            if result.added or result.replaced:
                if longest:
                    _raise_span(conn, longest)  # linking reads the longest span
                linked = linking.link_unlinked(conn, self._events_of(conn, result.replaced))
                result.joined = linked.joined
                result.new_events = linked.new_events
                _bump_version(conn, longest)
        return result

    def delete(self, ids: Iterable[str]) -> int:
        """Remove incidents by id; returns how many were removed."""
        with self._begin() as conn:
            removed = 0
            ids = list(ids)
            touched = self._events_of(conn, ids)
            for chunk in chunks(ids, 500):
                removed += conn.execute(incidents_table.delete()
                                        .where(incidents_table.c.id.in_(chunk))).rowcount
            if removed:
                linking.recompute_events(conn, touched)  # an event left without records goes
                _bump_version(conn)
        return removed

    # --- events: records grouped by strike (geo.events, geo.store.linking) --------------------

    def event_details(self, event_ids: Iterable[str]) -> dict[str, "EventDetails"]:
        """Grade, records, sources (the records' figures and quotes) and link reasons per event."""
        e = events_table.c
        found: dict[str, EventDetails] = {}
        with self._connect() as conn:
            for chunk in chunks(list(event_ids), 2000):
                for row in conn.execute(sa.select(e.id, e.grade, e.records, e.sources, e.link_reasons)
                                        .where(e.id.in_(chunk))):
                    found[row[0]] = EventDetails(row[0], row[1], row[2], scan_json(row[3], 0)[0],
                                                 scan_json(row[4], 0)[0])
        return found

    def event_of(self, record_id: str) -> str | None:
        """The id of the event a record belongs to."""
        with self._connect() as conn:
            return conn.execute(sa.select(incidents_table.c.event_id)
                                .where(incidents_table.c.id == record_id)).scalar()

    def split_event(self, event_id: str, record_ids: Sequence[str]) -> str:
        """Move these records out of an event into a new one (undo with `undo_event_edit`);
        returns the new event's id. Raises linking.EventEditError with what to give instead."""
        with self._begin() as conn:
            new_id = linking.split(conn, event_id, record_ids)
            _bump_version(conn)
        return new_id

    def join_events(self, event_ids: Sequence[str]) -> str:
        """Put the records of several events into the first (undo with `undo_event_edit`)."""
        with self._begin() as conn:
            kept = linking.join(conn, event_ids)
            _bump_version(conn)
        return kept

    def restore_events(self, groups: dict[str, list[str]]) -> int:
        """Put records into the events an exported file gave them (event id → record ids);
        returns how many events had to change. Undoable like a join."""
        with self._begin() as conn:
            changed = linking.regroup(conn, groups)
            if changed:
                _bump_version(conn)
        return changed

    def undo_event_edit(self) -> str:
        """Undo the last split or join; returns what was undone, in words."""
        with self._begin() as conn:
            done = linking.undo(conn)
            _bump_version(conn)
        return done

    def _events_of(self, conn: sa.Connection, record_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        c = incidents_table.c
        for chunk in chunks(list(record_ids), 2000):
            found.update(e for e in conn.execute(sa.select(c.event_id).where(c.id.in_(chunk))).scalars() if e)
        return found

    def analyze(self) -> None:
        """Refresh the query planner's statistics (done after large imports)."""
        with self._begin() as conn:
            self.writer.analyze(conn)

    def has_report(self, digest: str) -> bool:
        """Whether a report with this text hash is stored already."""
        with self._connect() as conn:
            return conn.execute(sa.select(reports_table.c.hash)
                                .where(reports_table.c.hash == digest)).first() is not None

    def report_text(self, digest: str) -> str | None:
        """The text of a stored report, by its hash."""
        with self._connect() as conn:
            return conn.execute(sa.select(reports_table.c.text)
                                .where(reports_table.c.hash == digest)).scalar()

    # --- reading ------------------------------------------------------------------------------

    def query(self, filters: Filters | None = None, limit: int | None = None, of: Of = "records"
              ) -> list[Incident]:
        """Incidents matching `filters`, oldest first; the filtering happens in SQL."""
        with _gc_paused(), self._connect() as conn:
            rows = conn.execute(self._select(filters, limit, of)).all()  # fetchall: not a call per row
            return [incident_from_row(row) for row in rows]

    def iter_query(self, filters: Filters | None = None, limit: int | None = None, of: Of = "records"
                   ) -> Iterator[Incident]:
        """Like `query`, streamed from the server in batches (for exports of any size)."""
        stmt = self._select(filters, limit, of).execution_options(yield_per=2000)
        with self._connect() as conn:
            for row in conn.execute(stmt):
                yield incident_from_row(row)

    def query_frame(self, filters: Filters | None = None, columns: Sequence[str] | None = None,
                    limit: int | None = None, of: Of = "records") -> "pandas.DataFrame":
        """Matching incidents as a DataFrame of the chosen columns (no Incident objects: for maps
        and tables at scale). Dates are ISO strings; `places`/`points` are decoded to lists."""
        import pandas as pd
        names = list(columns or FRAME_COLUMNS)
        readable = READ_COLUMNS if of == "records" else EVENT_READ_COLUMNS
        unknown = [n for n in names if n not in readable]
        if unknown:
            raise ValueError(f"unknown column(s) {', '.join(unknown)}; accepted: {', '.join(readable)}")
        stmt = self._filtered(sa.select(*(readable[n] for n in names)), filters, limit, of)
        with _gc_paused():
            with self._connect() as conn:
                rows = conn.execute(stmt).all()
            data = dict(zip(names, map(list, zip(*rows)))) if rows else {n: [] for n in names}
            if "places" in data:
                data["places"] = [scan_json(v, 0)[0] for v in data["places"]]
            if "points" in data:
                data["points"] = [decode_points(v) for v in data["points"]]
        if "cumulative" in data:
            data["cumulative"] = [bool(v) for v in data["cumulative"]]
        frame = pd.DataFrame(data, columns=names)
        for name in ("killed", "killed_max", "children", "women", "injured", "geo_precision", "records"):
            if name in frame:
                frame[name] = frame[name].astype("Int64")
        return frame

    def totals(self, filters: Filters | None = None, by: Literal["province", "date"] | None = None,
               of: Of = "records") -> "pandas.DataFrame":
        """The sums the dashboard's figures are made from, computed in SQL (no incident is read
        into Python): one row per `by` value and kind of record, columns TOTAL_COLUMNS.
        geo.summary turns them into figures (headline_from, deaths_over_time_from …)."""
        import pandas as pd
        c = _table(of).c
        keys = [c[by]] if by else []
        counted = c.killed.is_not(None)
        stmt = sa.select(
            *keys, c.cumulative, sa.func.count(),
            sa.func.coalesce(sa.func.sum(c.killed), 0),
            sa.func.coalesce(sa.func.sum(sa.case((counted, sa.func.coalesce(c.killed_max, c.killed)),
                                                 else_=0)), 0),
            sa.func.coalesce(sa.func.sum(c.children), 0),
            sa.func.sum(sa.case((counted, 0), else_=1)),
            sa.func.count(c.children),
            sa.func.sum(c.records) if of == "events" else sa.func.count(),
        ).where(*self._where(filters, of)).group_by(*keys, c.cumulative)
        with self._connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[by] * bool(by) + TOTAL_COLUMNS)
        frame["cumulative"] = frame["cumulative"].astype(bool)
        for name in TOTAL_COLUMNS[1:]:
            frame[name] = frame[name].astype("int64")
        return frame

    def places(self, filters: Filters | None = None, of: Of = "records") -> PlaceCounts:
        """How many places the selection's incidents name, located or not, and the box around
        the incidents' mean points; one SQL pass."""
        c = _table(of).c
        stmt = sa.select(c.country, sa.func.count(), sa.func.sum(c.located), sa.func.sum(c.unlocated),
                         sa.func.min(c.longitude), sa.func.min(c.latitude),
                         sa.func.max(c.longitude), sa.func.max(c.latitude)
                         ).where(*self._where(filters, of)).group_by(c.country)
        with self._connect() as conn:
            rows = conn.execute(stmt).all()
        boxes = [r[4:] for r in rows if r[4] is not None]
        bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                  max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else None
        return PlaceCounts(incidents=sum(r[1] for r in rows), located=int(sum(r[2] or 0 for r in rows)),
                           unlocated=int(sum(r[3] or 0 for r in rows)), bounds=bounds,
                           unlocated_countries=tuple(sorted(r[0] for r in rows if r[3])))

    def grid_cells(self, filters: Filters | None, size: float, of: Of = "records") -> "pandas.DataFrame":
        """The selection summed into grid cells of `size` degrees (multiples of `size` from 0°),
        in SQL, for the map of a large selection.

        The rule is the map's at every size (geo.map.layer): each located place of an incident
        counts in its own cell with an equal share of the incident's minimum toll and children.
        Columns CELL_COLUMNS: lon, lat (mean point of the cell's places), incidents, places,
        killed (sum of shares, cumulative records left out), children and killed_known (of the
        incidents that report both), cumulative (places of cumulative records, left out of sums).
        """
        import pandas as pd
        size = float(size)
        where = self._where(filters, of)
        with self._connect() as conn:
            single = conn.execute(self._cells_of_single_places(where, size, of)).all()
            several = conn.execute(self._places_of_several(where, of)).all()
        frame = pd.DataFrame([tuple(r) for r in single], columns=["key", *CELL_COLUMNS])
        if several:
            frame = _merge_cells(frame, list(several), size, self.dialect)
        frame = frame.drop(columns="key")
        for name in CELL_COLUMNS[2:]:
            frame[name] = frame[name].astype("int64") if name not in ("killed", "children", "killed_known") \
                else frame[name].astype(float)
        return frame.reset_index(drop=True)

    def _cells_of_single_places(self, where: list, size: float, of: Of = "records") -> sa.Select:
        """Incidents with one located place: their mean point is that place; summed per cell."""
        c = _table(of).c
        if self.dialect == "sqlite":  # no floor() here; the shifted value is positive, so CAST floors
            kx = sa.cast((c.longitude + 180.0) / size, sa.Integer) - int(round(180.0 / size))
            ky = sa.cast((c.latitude + 90.0) / size, sa.Integer) - int(round(90.0 / size))
        else:
            kx, ky = sa.func.floor(c.longitude / size), sa.func.floor(c.latitude / size)
        cell = kx * 100_000 + ky  # one integer key (|ky| < 100,000 down to 0.002°): a quicker GROUP BY
        plain = sa.and_(c.cumulative.is_(False), c.killed > 0)
        known = sa.and_(plain, c.children.is_not(None))
        return sa.select(
            cell, sa.func.avg(c.longitude), sa.func.avg(c.latitude), sa.func.count(), sa.func.count(),
            sa.func.sum(sa.case((plain, c.killed), else_=0)),
            sa.func.sum(sa.case((known, c.children), else_=0)),
            sa.func.sum(sa.case((known, c.killed), else_=0)),
            sa.func.sum(sa.case((c.cumulative.is_(True), 1), else_=0)),
        ).where(*where, c.longitude >= -180.0, c.located == 1).group_by(cell)  # not NULL, by index

    def _places_of_several(self, where: list, of: Of = "records") -> sa.Select:
        """Incidents with several located places: id, figures and points, to be shared out."""
        c = _table(of).c
        return sa.select(c.id, c.points, c.killed, c.children, c.cumulative, c.located).where(
            *where, c.longitude >= -180.0, c.located > 1)

    def version(self) -> str:
        """A token that changes with every write (add, replace, delete) through any Store, in any
        process: a key for caches of query results. One indexed row read."""
        with self._connect() as conn:
            row = conn.execute(sa.select(meta_table.c.store_id, meta_table.c.version)
                               .where(meta_table.c.id == 1)).first()
        return f"{row[0]}-{row[1]}" if row else "0"

    def count(self, filters: Filters | None = None, of: Of = "records") -> int:
        """How many incidents (records, or events) match."""
        stmt = sa.select(sa.func.count()).select_from(_table(of)).where(*self._where(filters, of))
        with self._connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def get(self, incident_id: str) -> Incident | None:
        """One incident by id, or None."""
        stmt = sa.select(*READ_COLUMNS.values()).where(incidents_table.c.id == incident_id)
        with self._connect() as conn:
            row = conn.execute(stmt).first()
        return incident_from_row(row) if row else None

    def distinct(self, column: str) -> list[str]:
        """Distinct non-empty values of a text column (actors, sources) for pick lists."""
        col = incidents_table.c[column]
        with self._connect() as conn:
            rows = conn.execute(sa.select(col).where(col.is_not(None)).distinct().order_by(col))
            return [r[0] for r in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        """First and last day covered by any stored incident."""
        c = incidents_table.c
        spans = sa.select(sa.func.max(c.last_date)).where(c.date_end.is_not(None)).scalar_subquery()
        with self._connect() as conn:  # both parts answered from an index (date; spans)
            low, high, high_span = conn.execute(sa.select(sa.func.min(c.date), sa.func.max(c.date),
                                                          spans)).one()
        return (low, max(high, high_span or high)) if low else None

    def close(self) -> None:
        self.engine.dispose()

    # --- plumbing -----------------------------------------------------------------------------

    def _select(self, filters: Filters | None, limit: int | None, of: Of = "records") -> sa.Select:
        columns = READ_COLUMNS if of == "records" else EVENT_READ_COLUMNS
        return self._filtered(sa.select(*(columns[n] for n in READ_COLUMNS)), filters, limit, of)

    def _where(self, filters: Filters | None, of: Of = "records") -> list[sa.ColumnElement[bool]]:
        filters = filters or Filters()
        span = None
        if filters.start:  # the overlap search is bounded by the longest span
            with self._connect() as conn:
                span = conn.execute(sa.select(meta_table.c.max_span_days)
                                    .where(meta_table.c.id == 1)).scalar()
        return filters.where(_table(of).c, self.dialect, span)

    def _filtered(self, stmt: sa.Select, filters: Filters | None, limit: int | None,
                  of: Of = "records") -> sa.Select:
        stmt = stmt.where(*self._where(filters, of))
        stmt = stmt.order_by(_table(of).c.date, _table(of).c.id)
        return stmt.limit(limit) if limit is not None else stmt

    def _begin(self) -> translate_errors:
        return translate_errors(self.engine.execution_options(**{sqlite.WRITE: True}).begin(), self.label)

    def _connect(self) -> translate_errors:
        return translate_errors(self.engine.connect(), self.label)


def _table(of: Of) -> sa.Table:
    if of == "records":
        return incidents_table
    if of == "events":
        return events_table
    raise ValueError(f"of must be 'records' or 'events', got {of!r}")


def _merge_cells(frame: "pandas.DataFrame", several: list, size: float, dialect: str) -> "pandas.DataFrame":
    """Add the shared-out places of multi-place incidents to the cells of single-place ones."""
    import math

    import pandas as pd
    shift_x, shift_y = int(round(180.0 / size)), int(round(90.0 / size))

    def cell_of(lon: float, lat: float) -> int:  # the SQL's own arithmetic, so no place changes cell
        if dialect == "sqlite":
            return (int((lon + 180.0) / size) - shift_x) * 100_000 + int((lat + 90.0) / size) - shift_y
        return int(math.floor(lon / size)) * 100_000 + int(math.floor(lat / size))

    cells: dict[int, list] = {}
    for _id, points_json, killed, children, cumulative, _located in several:
        located = [p for p in decode_points(points_json) if p is not None]
        share = killed / len(located) if killed else None
        child = children / len(located) if share and children is not None else None
        seen: set[int] = set()
        for lon, lat in located:
            key = cell_of(lon, lat)
            cell = cells.setdefault(key, [0.0, 0.0, 0, 0, 0.0, 0.0, 0.0, 0])
            cell[0] += lon
            cell[1] += lat
            cell[3] += 1
            if key not in seen:
                cell[2] += 1
                seen.add(key)
            if cumulative:
                cell[7] += 1
            elif share:
                cell[4] += share
                if child is not None:
                    cell[5] += child
                    cell[6] += share
    extra = pd.DataFrame([[k, *v] for k, v in cells.items()], columns=["key", *CELL_COLUMNS])
    both = pd.concat([frame.assign(wlon=frame["lon"] * frame["places"], wlat=frame["lat"] * frame["places"]),
                      extra.assign(wlon=extra["lon"], wlat=extra["lat"])], ignore_index=True)
    # `extra` carries sums of coordinates; single-place cells carry means, weighted back above.
    merged = both.groupby("key", as_index=False, sort=False).sum(numeric_only=True)
    merged["lon"] = merged["wlon"] / merged["places"]
    merged["lat"] = merged["wlat"] / merged["places"]
    return merged.drop(columns=["wlon", "wlat"])[["key", *CELL_COLUMNS]]


def _raise_span(conn: sa.Connection, span_days: int) -> None:
    m = meta_table.c
    conn.execute(meta_table.update().where(m.id == 1).values(max_span_days=sa.case(
        (sa.func.coalesce(m.max_span_days, 0) < span_days, span_days), else_=m.max_span_days)))


def _bump_version(conn: sa.Connection, span_days: int = 0) -> None:
    """Count a write (and raise the longest span if `span_days` is longer); last in its
    transaction, so concurrent PostgreSQL writers queue here only for their commit."""
    m = meta_table.c
    values: dict = {"version": m.version + 1}
    if span_days:
        values["max_span_days"] = sa.case((sa.func.coalesce(m.max_span_days, 0) < span_days, span_days),
                                          else_=m.max_span_days)
    conn.execute(meta_table.update().where(m.id == 1).values(**values))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No garbage collection while a result is fetched and built: none of it is garbage, and in a
    process holding many objects (the dashboard's, or one that just imported a million incidents)
    the collections it sets off made a 7k-incident map-view query at 1M take 180 ms instead of 105."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
