"""The incident store: an embedded SQLite file by default, any SQLAlchemy URL on request.

`open_store(url)` gives a Store with `add`, `query(Filters)`, `get` and `count`; for selections
too large to read as objects, `query_frame`, `totals` (the dashboard's sums), `places` and
`grid_cells` (the map's), all computed in SQL; `version()` changes with every write, for caches.
Filters become SQL here (the one place they do); writes run in one transaction, so a failure
leaves the store as it was. The SQL is kept portable so PostgreSQL/PostGIS uses the same code.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Literal, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.filters import Filters
from geo.model import FIELDS, Incident
from geo.settings import BUNDLED_INCIDENTS, DB_ENV, DEFAULT_DB_PATH

if TYPE_CHECKING:
    import pandas


OnConflict = Literal["skip", "replace"]
_WRITE = "atlas_write"  # execution option: this transaction writes (SQLite takes the write lock up front)
_CHUNK = 5000  # PostgreSQL: rows per COPY; SQLite: ids per existing-id lookup
_SQLITE_CHUNK = 50_000  # SQLite: incidents converted and inserted at a time (sorted first, see _insert_all_new)
_COPY_FROM = 1000  # PostgreSQL: adds of this many incidents or more go in by COPY
_ANALYZE_AFTER = 50_000  # refresh planner statistics after adding this many rows at once
# SQLite: an add reaching this many rows, and at least a quarter of the rows already stored, drops
# the secondary indexes and builds them again before its commit: a sorted build is several times
# quicker than keeping four wide indexes up to date row by row.
_REBUILD_FROM = 50_000
_REBUILD_SHARE = 4

metadata = sa.MetaData()
_FIGURES = ("cumulative", "killed", "killed_max", "children")
# Replaced by the ones below; a minimum toll alone is answered from the covering indexes (an index
# on killed made SQLite read the table row by row for common minimums).
_OLD_INDEXES = ("ix_incidents_lonlat", "ix_incidents_lonlat_killed", "ix_incidents_date",
                "ix_incidents_province_date", "ix_incidents_killed", "ix_incidents_date_figures",
                "ix_incidents_province_date_figures", "ix_incidents_spans_date")

incidents_table = sa.Table(
    "incidents", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("date_end", sa.Date),
    sa.Column("last_date", sa.Date, nullable=False),  # date_end or date: keeps overlap tests indexable
    sa.Column("places", sa.Text, nullable=False),  # JSON list of names
    sa.Column("points", sa.Text, nullable=False),  # JSON list of [lon, lat] or null, one per place
    sa.Column("province", sa.String(64)),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("geo_precision", sa.Integer),
    sa.Column("killed", sa.Integer),
    sa.Column("killed_max", sa.Integer),
    sa.Column("children", sa.Integer),
    sa.Column("women", sa.Integer),
    sa.Column("injured", sa.Integer),
    sa.Column("actor", sa.Text),
    sa.Column("event_type", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("source_url", sa.Text),
    sa.Column("quote", sa.Text),
    sa.Column("notes", sa.Text),
    sa.Column("cumulative", sa.Boolean, nullable=False, default=False),
    sa.Column("report_hash", sa.String(64)),
    sa.Column("longitude", sa.Float),  # mean of the located points, for the bounding-box filter
    sa.Column("latitude", sa.Float),
    sa.Column("search", sa.Text, nullable=False),  # lower-cased text the free-text filter searches
    sa.Column("located", sa.SmallInteger),  # places with a point, and without: for map sums in SQL
    sa.Column("unlocated", sa.SmallInteger),
    # A period, and a province in a period: a range of `date` (see where_clauses), `last_date` tested
    # in the index; each also carries the figures, so the dashboard's sums read no row.
    sa.Index("ix_incidents_period", "date", "last_date", "province", *_FIGURES),
    sa.Index("ix_incidents_province_period", "province", "date", "last_date", *_FIGURES),
    # The map view (a box, often with a minimum toll) and the map's sums answered from the index alone.
    sa.Index("ix_incidents_map", "longitude", "latitude", "killed", "children", "cumulative",
             "located", "unlocated", "country"),
    # Only multi-day incidents: the last day covered (date_span) without reading every row.
    sa.Index("ix_incidents_spans", "last_date", sqlite_where=sa.text("date_end IS NOT NULL"),
             postgresql_where=sa.text("date_end IS NOT NULL")),
)

# One row: a random id for this database (so a re-created file never repeats an old token), a
# counter bumped in the same transaction as every write (`Store.version`), and the longest span
# (date_end - date, days) ever stored, which bounds the date-overlap search (see where_clauses).
meta_table = sa.Table(
    "store_meta", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("store_id", sa.String(32), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("max_span_days", sa.Integer),
)

reports_table = sa.Table(
    "reports", metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("added", sa.DateTime, nullable=False),
)


class StoreError(RuntimeError):
    """The database cannot be opened, read or written; the message says what to do."""


@dataclass
class AddResult:
    """What `Store.add` did, by incident id."""

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlaceCounts:
    """Where a selection is (Store.places)."""

    incidents: int
    located: int  # located places, summed over incidents
    unlocated: int  # places named but not located
    bounds: tuple[float, float, float, float] | None  # (west, south, east, north) of mean points
    unlocated_countries: tuple[str, ...] = ()


class Store:
    """Incidents in a SQL database (SQLite or PostgreSQL + PostGIS)."""

    def __init__(self, engine: Engine, label: str):
        self.engine = engine
        self.label = label  # the URL without password, for messages
        self.dialect = engine.dialect.name

    # --- writing ------------------------------------------------------------------------------

    def add(self, incidents: Iterable[Incident], on_conflict: OnConflict = "skip",
            report_text: str | None = None) -> AddResult:
        """Store incidents in one transaction; an id already stored is skipped or replaced.

        `report_text`, when given, is kept once in the reports table under its hash. Rows go in
        by chunks of executemany; on PostgreSQL a deadlock with a concurrent import is retried.
        On SQLite an iterator is read chunk by chunk (a million incidents need not sit in memory).
        """
        batch = (incidents if isinstance(incidents, Sequence) or self.dialect == "sqlite"
                 else list(incidents))
        for attempt in range(4):
            try:
                result = self._add_once(batch, on_conflict, report_text)
                break
            except StoreError as exc:
                if attempt == 3 or not _is_deadlock(exc.__cause__):
                    raise
        if len(result.added) >= _ANALYZE_AFTER and len(result.added) * 5 >= self.count():
            self.analyze()  # the table grew by a fifth or more: the planner's row counts are stale
        return result

    def _add_once(self, incidents: Iterable[Incident], on_conflict: OnConflict,
                  report_text: str | None) -> AddResult:
        result = AddResult()
        seen: set[str] = set()
        longest = 0  # days, of the spans written
        known = len(incidents) if isinstance(incidents, Sequence) else None
        read = 0
        stored: int | None = None  # rows in the table before this add, counted when it matters
        rebuilding = False
        with self._begin() as conn:
            # The statement is compiled once and run through the driver's executemany: the rows are
            # already plain values, so SQLAlchemy's per-row parameter processing is skipped.
            insert = self._insert_ignoring_duplicates(incidents_table).compile(
                dialect=conn.dialect, column_keys=list(_ROW_KEYS))
            order = tuple(_ROW_KEYS.index(k) for k in insert.positiontup) if insert.positional else None
            bulk = None
            if self.dialect == "postgresql" and len(incidents) >= _COPY_FROM:
                from geo.store import postgis
                bulk = self._insert_ignoring_duplicates(postgis.INCIDENTS_WITH_GEOM)
            for chunk in _chunks(incidents, _SQLITE_CHUNK if self.dialect == "sqlite" else _CHUNK):
                read += len(chunk)
                if self.dialect == "sqlite" and not rebuilding and (known or read) >= _REBUILD_FROM:
                    if stored is None:
                        stored = conn.execute(sa.select(sa.func.count()).select_from(incidents_table)).scalar()
                    if (known or read) * _REBUILD_SHARE >= stored:
                        _drop_indexes(conn)
                        rebuilding = True
                rows = [_to_row(inc) for inc in chunk]
                longest = max(longest, _longest_span(rows))
                if (self.dialect == "sqlite" and order == _IDENTITY
                        and self._insert_all_new(conn, insert.string, rows, seen)):
                    result.added.extend(r[0] for r in rows)
                    continue
                existing = self._existing_ids(conn, [r[0] for r in rows])
                fresh = []
                for row in rows:
                    if row[0] in existing or row[0] in seen:
                        if on_conflict == "replace":
                            conn.execute(incidents_table.update()
                                         .where(incidents_table.c.id == row[0]).values(**_typed(row)))
                            result.replaced.append(row[0])
                        else:
                            result.skipped.append(row[0])
                        continue
                    seen.add(row[0])
                    fresh.append(row)
                if fresh:
                    # One id order for every writer: concurrent imports of the same ids cannot deadlock.
                    fresh.sort(key=_first)
                    if bulk is not None:
                        points: dict[str, list] = {}
                        for inc in chunk:  # the first of repeated ids is the one inserted
                            points.setdefault(inc.id, inc.points)
                        postgis.copy_insert(conn, bulk, fresh, _ROW_KEYS, points)
                        result.added.extend(r[0] for r in fresh)
                        continue
                    params = ([tuple(r[i] for i in order) for r in fresh] if order != _IDENTITY
                              else fresh) if order else [dict(zip(_ROW_KEYS, r)) for r in fresh]
                    conn.exec_driver_sql(insert.string, params)
                    result.added.extend(r[0] for r in fresh)
            if rebuilding:
                _create_indexes(conn)
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("ANALYZE incidents")  # the statistics went with the old indexes
            if report_text is not None:
                self._add_report(conn, report_text)
            if result.added or result.replaced:
                _bump_version(conn, longest)
        return result

    def delete(self, ids: Iterable[str]) -> int:
        """Remove incidents by id; returns how many were removed."""
        ids = list(ids)
        with self._begin() as conn:
            removed = 0
            for chunk in _chunks(ids, 500):
                removed += conn.execute(incidents_table.delete()
                                        .where(incidents_table.c.id.in_(chunk))).rowcount
            if removed:
                _bump_version(conn)
        return removed

    def analyze(self) -> None:
        """Refresh the query planner's statistics (done after large imports)."""
        with self._begin() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sample each index: milliseconds
            conn.exec_driver_sql("ANALYZE incidents" if self.dialect == "postgresql" else "ANALYZE")

    def has_report(self, digest: str) -> bool:
        """Whether a report with this text hash is stored already."""
        with self._connect() as conn:
            return conn.execute(sa.select(reports_table.c.hash)
                                .where(reports_table.c.hash == digest)).first() is not None

    def report_text(self, digest: str) -> str | None:
        with self._connect() as conn:
            return conn.execute(sa.select(reports_table.c.text)
                                .where(reports_table.c.hash == digest)).scalar()

    # --- reading ------------------------------------------------------------------------------

    def query(self, filters: Filters | None = None, limit: int | None = None) -> list[Incident]:
        """Incidents matching `filters`, oldest first; the filtering happens in SQL."""
        with _gc_paused(), self._connect() as conn:
            rows = conn.execute(self._select(filters, limit)).all()  # fetchall: not a call per row
            return [_incident_from_row(row) for row in rows]

    def iter_query(self, filters: Filters | None = None, limit: int | None = None) -> Iterator[Incident]:
        """Like `query`, streamed from the server in batches (for exports of any size)."""
        stmt = self._select(filters, limit).execution_options(yield_per=2000)
        with self._connect() as conn:
            for row in conn.execute(stmt):
                yield _incident_from_row(row)

    def query_frame(self, filters: Filters | None = None, columns: Sequence[str] | None = None,
                    limit: int | None = None) -> "pandas.DataFrame":
        """Matching incidents as a DataFrame of the chosen columns (no Incident objects: for maps
        and tables at scale). Dates are ISO strings; `places`/`points` are decoded to lists."""
        import pandas as pd
        names = list(columns or FRAME_COLUMNS)
        unknown = [n for n in names if n not in _READ_COLUMNS]
        if unknown:
            raise ValueError(f"unknown column(s) {', '.join(unknown)}; accepted: {', '.join(_READ_COLUMNS)}")
        stmt = sa.select(*(_READ_COLUMNS[n] for n in names))
        stmt = self._filtered(stmt, filters, limit)
        with _gc_paused():
            with self._connect() as conn:
                rows = conn.execute(stmt).all()
            data = dict(zip(names, map(list, zip(*rows)))) if rows else {n: [] for n in names}
            if "places" in data:
                data["places"] = [_scan_json(v, 0)[0] for v in data["places"]]
            if "points" in data:
                data["points"] = [_decode_points(v) for v in data["points"]]
        if "cumulative" in data:
            data["cumulative"] = [bool(v) for v in data["cumulative"]]
        frame = pd.DataFrame(data, columns=names)
        for name in ("killed", "killed_max", "children", "women", "injured", "geo_precision"):
            if name in frame:
                frame[name] = frame[name].astype("Int64")
        return frame

    def totals(self, filters: Filters | None = None, by: Literal["province", "date"] | None = None
               ) -> "pandas.DataFrame":
        """The sums the dashboard's figures are made from, computed in SQL (no incident is read
        into Python): one row per `by` value and kind of record, in `geo.summary.totals`' shape.
        Feed it to summary.headline_from / deaths_over_time_from / deaths_per_province_from."""
        import pandas as pd
        from geo.summary import TOTAL_COLUMNS
        c = incidents_table.c
        keys = [c[by]] if by else []
        counted = c.killed.is_not(None)
        stmt = sa.select(
            *keys, c.cumulative, sa.func.count(),
            sa.func.coalesce(sa.func.sum(c.killed), 0),
            sa.func.coalesce(sa.func.sum(sa.case((counted, sa.func.coalesce(c.killed_max, c.killed)),
                                                 else_=0)), 0),
            sa.func.coalesce(sa.func.sum(c.children), 0),
            sa.func.sum(sa.case((counted, 0), else_=1)),
        ).where(*self._where(filters)).group_by(*keys, c.cumulative)
        with self._connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[by] * bool(by) + TOTAL_COLUMNS)
        frame["cumulative"] = frame["cumulative"].astype(bool)
        for name in TOTAL_COLUMNS[1:]:
            frame[name] = frame[name].astype("int64")
        return frame

    def places(self, filters: Filters | None = None) -> "PlaceCounts":
        """How many places the selection's incidents name, located or not, and the box around
        the incidents' mean points; one SQL pass."""
        c = incidents_table.c
        stmt = sa.select(c.country, sa.func.count(), sa.func.sum(c.located), sa.func.sum(c.unlocated),
                         sa.func.min(c.longitude), sa.func.min(c.latitude),
                         sa.func.max(c.longitude), sa.func.max(c.latitude)
                         ).where(*self._where(filters)).group_by(c.country)
        with self._connect() as conn:
            rows = conn.execute(stmt).all()
        boxes = [r[4:] for r in rows if r[4] is not None]
        bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                  max(b[2] for b in boxes), max(b[3] for b in boxes)) if boxes else None
        return PlaceCounts(incidents=sum(r[1] for r in rows), located=int(sum(r[2] or 0 for r in rows)),
                           unlocated=int(sum(r[3] or 0 for r in rows)), bounds=bounds,
                           unlocated_countries=tuple(sorted(r[0] for r in rows if r[3])))

    def grid_cells(self, filters: Filters | None, size: float) -> "pandas.DataFrame":
        """The selection summed into grid cells of `size` degrees (multiples of `size` from 0°),
        in SQL, for the map of a large selection. An incident counts in the cell of its mean point.

        Columns: lon, lat (mean point of the cell's incidents), incidents, places (located),
        killed (sum of minimums, cumulative records left out), children and killed_known (children
        and deaths of the incidents that report both), cumulative (records left out of the sums).
        """
        import pandas as pd
        c = incidents_table.c
        size = float(size)
        if self.dialect == "sqlite":  # no floor() here; the shifted value is positive, so CAST floors
            kx = sa.cast((c.longitude + 180.0) / size, sa.Integer)
            ky = sa.cast((c.latitude + 90.0) / size, sa.Integer)
        else:
            kx, ky = sa.func.floor(c.longitude / size), sa.func.floor(c.latitude / size)
        cell = kx * 100_000 + ky  # one integer key (|ky| < 100,000 down to 0.002°): a quicker GROUP BY
        plain = sa.and_(c.cumulative.is_(False), c.killed > 0)
        known = sa.and_(plain, c.children.is_not(None))
        stmt = sa.select(
            sa.func.avg(c.longitude), sa.func.avg(c.latitude), sa.func.count(), sa.func.sum(c.located),
            sa.func.sum(sa.case((plain, c.killed), else_=0)),
            sa.func.sum(sa.case((known, c.children), else_=0)),
            sa.func.sum(sa.case((known, c.killed), else_=0)),
            sa.func.sum(sa.case((c.cumulative.is_(True), 1), else_=0)),
        ).where(*self._where(filters), c.longitude >= -180.0).group_by(cell)  # not NULL, by index
        with self._connect() as conn:
            rows = conn.execute(stmt).all()
        columns = ["lon", "lat", "incidents", "places", "killed", "children", "killed_known", "cumulative"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        for name in columns[2:]:
            frame[name] = frame[name].astype("int64")
        return frame

    def version(self) -> str:
        """A token that changes with every write (add, replace, delete) through any Store, in any
        process: a key for caches of query results. One indexed row read."""
        with self._connect() as conn:
            row = conn.execute(sa.select(meta_table.c.store_id, meta_table.c.version)
                               .where(meta_table.c.id == 1)).first()
        return f"{row[0]}-{row[1]}" if row else "0"

    def count(self, filters: Filters | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(incidents_table)
        stmt = stmt.where(*self._where(filters))
        with self._connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def get(self, incident_id: str) -> Incident | None:
        stmt = sa.select(*_READ_COLUMNS.values()).where(incidents_table.c.id == incident_id)
        with self._connect() as conn:
            row = conn.execute(stmt).first()
        return _incident_from_row(row) if row else None

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

    # --- plumbing -----------------------------------------------------------------------------

    def _select(self, filters: Filters | None, limit: int | None) -> sa.Select:
        return self._filtered(sa.select(*_READ_COLUMNS.values()), filters, limit)

    def _where(self, filters: Filters | None) -> list[sa.ColumnElement[bool]]:
        filters = filters or Filters()
        span = None
        if filters.start:  # the overlap search is bounded by the longest span
            with self._connect() as conn:
                span = conn.execute(sa.select(meta_table.c.max_span_days)
                                    .where(meta_table.c.id == 1)).scalar()
        return where_clauses(filters, self.dialect, span)

    def _filtered(self, stmt: sa.Select, filters: Filters | None, limit: int | None) -> sa.Select:
        stmt = stmt.where(*self._where(filters))
        stmt = stmt.order_by(incidents_table.c.date, incidents_table.c.id)
        return stmt.limit(limit) if limit is not None else stmt

    def _begin(self):
        return _translate_errors(self.engine.execution_options(**{_WRITE: True}).begin(), self.label)

    def _connect(self):
        return _translate_errors(self.engine.connect(), self.label)

    def _insert_all_new(self, conn: sa.Connection, sql: str, rows: list[tuple], seen: set[str]) -> bool:
        """SQLite: insert a chunk in one go when none of its ids is stored yet (the usual import),
        sparing the lookup of existing ids; False, with nothing written, when some are."""
        ids = [r[0] for r in rows]
        if not seen.isdisjoint(ids) or len(set(ids)) != len(ids):
            return False
        # The ids are distinct, so the order is free: in province-then-date order two of the three
        # indexes are filled front to back instead of at random places, which a store larger than
        # SQLite's page cache feels most (a 50k add into 1M: about a third quicker).
        ordered = sorted(rows, key=_province_date)
        savepoint = conn.begin_nested()
        if conn.exec_driver_sql(sql, ordered).rowcount == len(rows):  # rows ignored as duplicates: fewer
            savepoint.commit()
            seen.update(ids)
            return True
        savepoint.rollback()
        return False

    def _existing_ids(self, conn: sa.Connection, ids: list[str]) -> set[str]:
        if self.dialect == "postgresql":  # one array parameter: planning 5,000 bound values took longer
            return set(conn.exec_driver_sql("SELECT id FROM incidents WHERE id = ANY(%s)", (ids,)).scalars())
        found: set[str] = set()
        for chunk in _chunks(ids, _CHUNK):
            found.update(conn.execute(sa.select(incidents_table.c.id)
                                      .where(incidents_table.c.id.in_(chunk))).scalars())
        return found

    def _insert_ignoring_duplicates(self, table: sa.Table):
        # Another process may store the same id between our check and insert; ignore, never fail.
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
            return insert(table).on_conflict_do_nothing()
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
            return insert(table).on_conflict_do_nothing()
        return table.insert()

    def _add_report(self, conn: sa.Connection, text: str) -> None:
        from geo.model import report_hash
        digest = report_hash(text)
        stmt = self._insert_ignoring_duplicates(reports_table)
        conn.execute(stmt, [{"hash": digest, "text": text,
                             "added": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)}])

    def close(self) -> None:
        self.engine.dispose()


def where_clauses(filters: Filters, dialect: str = "sqlite",
                  max_span_days: int | None = None) -> list[sa.ColumnElement[bool]]:
    """The SQL conditions for a selection; every filter is pushed into the query.

    The bounding box tests the incident's mean point on SQLite, and on PostGIS whether any of its
    located places lies in the box (the GiST-indexed geometry). `max_span_days`, the longest
    span stored, bounds how far back a multi-day incident can start and still overlap the period,
    so that part reads a short index range instead of everything before the period.
    """
    c = incidents_table.c
    clauses: list[sa.ColumnElement[bool]] = []
    # Overlap: date <= end and last_date >= start. No incident starts more than the longest span
    # before it ends, so date >= start - max_span holds too and makes the period one index range.
    if filters.start:
        if max_span_days is not None:
            clauses.append(c.date >= filters.start - dt.timedelta(days=max_span_days))
        clauses.append(c.last_date >= filters.start)
    if filters.end:
        clauses.append(c.date <= filters.end)
    if filters.provinces:
        clauses.append(c.province.in_(filters.provinces))
    if filters.min_killed:
        clauses.append(c.killed >= filters.min_killed)
    if filters.actor:
        clauses.append(sa.func.lower(c.actor).like(_contains(filters.actor), escape="\\"))
    if filters.source:
        clauses.append(sa.func.lower(c.source).like(_contains(filters.source), escape="\\"))
    if filters.text:
        clauses.append(c.search.like(_contains(filters.text), escape="\\"))
    if filters.bbox:
        if dialect == "postgresql":
            from geo.store import postgis
            clauses.append(postgis.bbox_clause(filters.bbox))
        else:
            west, south, east, north = filters.bbox
            clauses.append(c.latitude.between(south, north))
            if west <= east:
                clauses.append(c.longitude.between(west, east))
            else:  # the view crosses the antimeridian
                clauses.append(sa.or_(c.longitude >= west, c.longitude <= east))
    return clauses


def open_store(url: str | None = None, create: bool = True) -> Store:
    """Open a store. No URL: the environment's STRIKE_ATLAS_DB, else the default SQLite file,
    created on first use and filled with the bundled incidents. A URL named explicitly starts empty.

    With create=False a SQLite file that does not exist is an error rather than a new database.
    """
    url = url or os.environ.get(DB_ENV)
    is_default = url is None
    if is_default:
        url = f"sqlite:///{DEFAULT_DB_PATH}"
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{url!r} is not a database URL; use e.g. sqlite:///incidents.sqlite "
                         "or postgresql+psycopg://user@host/db") from None
    label = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            if not path.exists() and not (create or is_default):
                raise StoreError(f"database file {path} does not exist; check the path, "
                                 "or run an import to create it")
            if not path.parent.exists():
                raise StoreError(f"folder {path.parent} does not exist; create it or choose another path")
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        connect_args = {}
        if parsed.get_backend_name() == "postgresql":
            # JIT compiling spent ~50 ms of a 150 ms map-view query at 1M rows: never worth it here.
            connect_args["options"] = " ".join(filter(None, [parsed.query.get("options"), "-c jit=off"]))
        try:
            engine = sa.create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise StoreError(f"cannot use {label}: {exc}") from None
    store = Store(engine, label)
    with store._begin() as conn:
        if engine.dialect.name == "postgresql":
            from geo.store import postgis
            postgis.lock_schema(conn)  # two processes opening a new database at once
        new = not sa.inspect(conn).has_table("incidents")
        metadata.create_all(conn)
        if not new:  # a store made by an older version: add the columns and indexes it lacks
            _add_place_counts(conn)
            for name in _OLD_INDEXES:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
            for index in incidents_table.indexes:
                index.create(conn, checkfirst=True)
        if engine.dialect.name == "postgresql":
            postgis.prepare(conn)
        if not new and "max_span_days" not in _column_names(conn, "store_meta"):
            conn.exec_driver_sql("ALTER TABLE store_meta ADD COLUMN max_span_days INTEGER")
            conn.execute(meta_table.update().values(max_span_days=_stored_longest_span(conn)))
        if conn.execute(sa.select(meta_table.c.id)).first() is None:
            import uuid
            conn.execute(meta_table.insert().values(id=1, store_id=uuid.uuid4().hex[:12], version=0,
                                                    max_span_days=_stored_longest_span(conn)))
    if is_default and new and BUNDLED_INCIDENTS.exists():
        from geo.formats import geojson
        store.add(geojson.read_geojson(BUNDLED_INCIDENTS).incidents)
    return store


def _add_place_counts(conn: sa.Connection) -> None:
    """Give a store made before the located/unlocated columns existed those columns, filled."""
    if "located" in _column_names(conn, "incidents"):
        return
    for name in ("located", "unlocated"):
        conn.exec_driver_sql(f"ALTER TABLE incidents ADD COLUMN {name} SMALLINT")
    conn.execute(incidents_table.update().values(located=_LOCATED, unlocated=_UNLOCATED))


def _column_names(conn: sa.Connection, table: str) -> set[str]:
    # Not sa.inspect: it warns about PostGIS' geometry type, which it does not know.
    if conn.dialect.name == "sqlite":
        return {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
    return set(conn.execute(sa.text("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = :t AND table_schema = current_schema()"),
                            {"t": table}).scalars())


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # the driver's implicit BEGIN is replaced by _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) do not block an import
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash may lose the last commit only
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: a million incidents' indexes stay in memory
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # A writer takes the lock when it begins: a deferred transaction that reads, then writes,
    # fails at once ("database is locked") if another process wrote in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class _translate_errors:
    """Turn driver errors into StoreError sentences: missing, corrupt, locked, unreachable."""

    def __init__(self, ctx, label: str):
        self.ctx, self.label = ctx, label

    def __enter__(self):
        try:
            return self.ctx.__enter__()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(_explain(exc, self.label)) from exc

    def __exit__(self, exc_type, exc, tb):
        try:
            handled = self.ctx.__exit__(exc_type, exc, tb)
        except sa.exc.SQLAlchemyError as err:
            raise StoreError(_explain(err, self.label)) from err
        if isinstance(exc, sa.exc.SQLAlchemyError):
            raise StoreError(_explain(exc, self.label)) from exc
        return handled


def _explain(exc: Exception, label: str) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low:
        return f"{label} is not a readable SQLite database (corrupt, or another kind of file)."
    if "locked" in low or "busy" in low:
        return f"{label} is locked by another program; wait for it to finish or close it, then retry."
    if "unable to open" in low or "readonly" in low or "read-only" in low:
        return f"cannot open or write {label}: check the path and its permissions."
    if "permission denied" in low:
        return (f"the database user lacks a permission on {label} ({text.splitlines()[0]}); "
                "see docs/postgis.md for the grants a team member needs.")
    if "connection" in low or "could not connect" in low or "refused" in low:
        return f"cannot reach the database server at {label}: is it running? ({text.splitlines()[0]})"
    return f"database error on {label}: {text.splitlines()[0] if text else type(exc).__name__}"


def _bump_version(conn: sa.Connection, span_days: int = 0) -> None:
    """Count a write (and raise the longest span if `span_days` is longer); last in its
    transaction, so concurrent PostgreSQL writers queue here only for their commit."""
    m = meta_table.c
    values = {"version": m.version + 1}
    if span_days:
        values["max_span_days"] = sa.case((sa.func.coalesce(m.max_span_days, 0) < span_days, span_days),
                                          else_=m.max_span_days)
    conn.execute(meta_table.update().where(m.id == 1).values(**values))


def _drop_indexes(conn: sa.Connection) -> None:
    """Drop the incidents' secondary indexes (not the primary key), inside the caller's transaction:
    readers keep the old ones until it commits, and a rollback brings them back."""
    for index in incidents_table.indexes:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")


def _create_indexes(conn: sa.Connection) -> None:
    for index in incidents_table.indexes:
        index.create(conn)


def _longest_span(rows: Sequence[tuple]) -> int:
    """The longest date_end - date, in days, among rows (in _ROW_KEYS order)."""
    spans = [r for r in rows if r[2] is not None]
    if not spans:
        return 0
    return max((dt.date.fromisoformat(r[3]) - dt.date.fromisoformat(r[1])).days for r in spans)


def _stored_longest_span(conn: sa.Connection) -> int:
    """The longest span already in the incidents table (a store made before store_meta existed)."""
    c = incidents_table.c
    if conn.dialect.name == "sqlite":
        days = sa.func.julianday(c.last_date) - sa.func.julianday(c.date)
    else:
        days = c.last_date - c.date
    value = conn.execute(sa.select(sa.func.max(days)).where(c.date_end.is_not(None))).scalar()
    return int(round(value or 0))


def _is_deadlock(exc: BaseException | None) -> bool:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in ("40P01", "40001")  # deadlock, serialization failure


def _to_row(inc: Incident) -> tuple:
    """The stored row of a validated incident in _ROW_KEYS order, as plain driver values
    (dates as ISO text, places/points as JSON)."""
    # Floats were checked finite, so repr is valid JSON (and 3x quicker than json.dumps).
    points = inc.points
    if len(points) == 1 and points[0] is not None:  # the common case, spelt out: bulk imports
        lon, lat = points[0]
        points_json = f"[[{lon!r},{lat!r}]]"
        located = 1
    else:
        where = [pt for pt in points if pt is not None]
        located = len(where)
        if where:
            lon = sum(p[0] for p in where) / located
            lat = sum(p[1] for p in where) / located
        else:
            lon = lat = None
        points_json = "[" + ",".join(f"[{p[0]!r},{p[1]!r}]" if p else "null" for p in points) + "]"
    places = inc.places
    search = " ".join(places)
    for text in (inc.province, inc.actor, inc.event_type, inc.source, inc.quote, inc.notes):
        if text:
            search += " " + text
    return (
        inc.id, inc.date, inc.date_end, inc.date_end or inc.date,
        "[" + ", ".join(map(_encode_string, places)) + "]",  # what json.dumps(places) gives
        points_json, inc.province, inc.country, inc.geo_precision, inc.killed, inc.killed_max,
        inc.children, inc.women, inc.injured, inc.actor, inc.event_type, inc.source, inc.source_url,
        inc.quote, inc.notes, bool(inc.cumulative), inc.report_hash, lon, lat, search.lower(),
        located, len(points) - located,
    )


_encode_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (C version)
_ROW_KEYS = ("id", "date", "date_end", "last_date", "places", "points", "province", "country",
             "geo_precision", "killed", "killed_max", "children", "women", "injured", "actor",
             "event_type", "source", "source_url", "quote", "notes", "cumulative", "report_hash",
             "longitude", "latitude", "search", "located", "unlocated")
assert set(_ROW_KEYS) == {c.name for c in incidents_table.columns}
_IDENTITY = tuple(range(len(_ROW_KEYS)))


# Located and unlocated places of a row, counted in its `points` JSON ("[[lon,lat],null,…]") with
# string functions every SQL dialect has (one "[" per located point plus the outer one; "null"s):
# fills the located/unlocated columns of rows stored before they existed.
_LOCATED = (sa.func.length(incidents_table.c.points)
            - sa.func.length(sa.func.replace(incidents_table.c.points, "[", "")) - 1)
_UNLOCATED = (sa.func.length(incidents_table.c.points)
              - sa.func.length(sa.func.replace(incidents_table.c.points, "null", ""))) / 4


def _first(row: tuple) -> str:
    return row[0]


def _province_date(row: tuple) -> tuple[str, str]:
    return row[6] or "", row[1]


def _typed(row: tuple) -> dict:
    """A row for a SQLAlchemy statement, which wants date objects for Date columns."""
    typed = dict(zip(_ROW_KEYS, row))
    for name in ("date", "date_end", "last_date"):
        if typed[name] is not None:
            typed[name] = dt.date.fromisoformat(typed[name])
    return typed


# What a read selects: the model's fields plus the mean point, dates as ISO text (no date objects).
_READ_COLUMNS: dict[str, sa.ColumnElement] = {
    name: (sa.cast(incidents_table.c[name], sa.Text).label(name) if name in ("date", "date_end")
           else incidents_table.c[name])
    for name in (*FIELDS[:4], "points", *FIELDS[4:], "longitude", "latitude")
}
_INCIDENT_FIELDS = tuple(name for name in _READ_COLUMNS if name not in ("longitude", "latitude"))
# The columns a map or table needs; `query_frame` returns these unless told otherwise.
FRAME_COLUMNS = ("id", "date", "date_end", "province", "killed", "killed_max", "children",
                 "cumulative", "actor", "source", "longitude", "latitude")


def _incident_from_row(row: Sequence) -> Incident:
    """An Incident from a stored row, without re-validating: it was validated on the way in."""
    values = dict(zip(_INCIDENT_FIELDS, row))
    values["places"] = _scan_json(values["places"], 0)[0]
    values["points"] = _decode_points(values["points"])
    values["cumulative"] = bool(values["cumulative"])
    incident = object.__new__(Incident)
    incident.__dict__ = values
    return incident


# The decoder's C scanner on its own: the stored JSON is compact, so json.loads' whitespace
# checks around it are not needed (a third of the cost of reading an incident).
_scan_json = json.JSONDecoder().scan_once


def _decode_points(text: str) -> list[tuple[float, float] | None]:
    return [(p[0], p[1]) if p else None for p in _scan_json(text, 0)[0]]


def _contains(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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


def _chunks(items: Iterable, size: int) -> Iterator[Sequence]:
    if isinstance(items, Sequence):
        for i in range(0, len(items), size):
            yield items[i:i + size]
        return
    from itertools import islice
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
