"""The incident store: an embedded SQLite file by default, any SQLAlchemy URL on request.

`open_store(url)` gives a Store with `add`, `query(Filters)`, `get` and `count`. Filters become
SQL here (the one place they do); writes run in one transaction, so a failure leaves the store as
it was. The SQL is kept portable so PostgreSQL/PostGIS uses the same code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.filters import Filters
from geo.model import FIELDS, Incident

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DB_PATH = DATA_DIR / "atlas.sqlite"
BUNDLED_INCIDENTS = DATA_DIR / "incidents.geojson"
DB_ENV = "STRIKE_ATLAS_DB"

OnConflict = Literal["skip", "replace"]

metadata = sa.MetaData()

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
    sa.Index("ix_incidents_date", "date"),
    sa.Index("ix_incidents_last_date", "last_date"),
    sa.Index("ix_incidents_province", "province"),
    sa.Index("ix_incidents_killed", "killed"),
    sa.Index("ix_incidents_lonlat", "longitude", "latitude"),
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


class Store:
    """Incidents in a SQL database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, label: str):
        self.engine = engine
        self.label = label  # the URL without password, for messages

    # --- writing ------------------------------------------------------------------------------

    def add(self, incidents: Iterable[Incident], on_conflict: OnConflict = "skip",
            report_text: str | None = None) -> AddResult:
        """Store incidents in one transaction; an id already stored is skipped or replaced.

        `report_text`, when given, is kept once in the reports table under its hash.
        """
        rows = [_to_row(inc) for inc in incidents]
        result = AddResult()
        with self._begin() as conn:
            existing = self._existing_ids(conn, [r["id"] for r in rows])
            fresh, seen = [], set()
            for row in rows:
                if row["id"] in existing or row["id"] in seen:
                    if on_conflict == "replace":
                        conn.execute(incidents_table.update()
                                     .where(incidents_table.c.id == row["id"]).values(**row))
                        result.replaced.append(row["id"])
                    else:
                        result.skipped.append(row["id"])
                    continue
                seen.add(row["id"])
                fresh.append(row)
            for chunk in _chunks(fresh, 5000):
                conn.execute(self._insert_ignoring_duplicates(incidents_table), chunk)
            result.added = [r["id"] for r in fresh]
            if report_text is not None:
                self._add_report(conn, report_text)
        return result

    def delete(self, ids: Iterable[str]) -> int:
        """Remove incidents by id; returns how many were removed."""
        ids = list(ids)
        with self._begin() as conn:
            removed = 0
            for chunk in _chunks(ids, 500):
                removed += conn.execute(incidents_table.delete()
                                        .where(incidents_table.c.id.in_(chunk))).rowcount
        return removed

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
        return list(self.iter_query(filters, limit))

    def iter_query(self, filters: Filters | None = None, limit: int | None = None) -> Iterator[Incident]:
        stmt = sa.select(incidents_table).where(*where_clauses(filters or Filters()))
        stmt = stmt.order_by(incidents_table.c.date, incidents_table.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._connect() as conn:
            for row in conn.execute(stmt).mappings():
                yield _from_row(row)

    def count(self, filters: Filters | None = None) -> int:
        stmt = sa.select(sa.func.count()).select_from(incidents_table)
        stmt = stmt.where(*where_clauses(filters or Filters()))
        with self._connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def get(self, incident_id: str) -> Incident | None:
        with self._connect() as conn:
            row = conn.execute(sa.select(incidents_table)
                               .where(incidents_table.c.id == incident_id)).mappings().first()
        return _from_row(row) if row else None

    def distinct(self, column: str) -> list[str]:
        """Distinct non-empty values of a text column (actors, sources) for pick lists."""
        col = incidents_table.c[column]
        with self._connect() as conn:
            rows = conn.execute(sa.select(col).where(col.is_not(None)).distinct().order_by(col))
            return [r[0] for r in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        """First and last day covered by any stored incident."""
        c = incidents_table.c
        with self._connect() as conn:
            low, high = conn.execute(sa.select(sa.func.min(c.date), sa.func.max(c.last_date))).one()
        return (low, high) if low else None

    # --- plumbing -----------------------------------------------------------------------------

    def _begin(self):
        return _translate_errors(self.engine.begin(), self.label)

    def _connect(self):
        return _translate_errors(self.engine.connect(), self.label)

    def _existing_ids(self, conn: sa.Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(ids, 500):
            found.update(conn.execute(sa.select(incidents_table.c.id)
                                      .where(incidents_table.c.id.in_(chunk))).scalars())
        return found

    def _insert_ignoring_duplicates(self, table: sa.Table):
        # Another process may store the same id between our check and insert; ignore, never fail.
        name = self.engine.dialect.name
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
            return insert(table).on_conflict_do_nothing()
        if name == "postgresql":
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


def where_clauses(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The SQL conditions for a selection; every filter is pushed into the query."""
    c = incidents_table.c
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.start:
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
    else:
        try:
            engine = sa.create_engine(parsed, pool_pre_ping=True)
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise StoreError(f"cannot use {label}: {exc}") from None
    store = Store(engine, label)
    with store._begin() as conn:
        new = not sa.inspect(conn).has_table("incidents")
        metadata.create_all(conn)
        if engine.dialect.name == "postgresql":
            from geo import postgis
            postgis.prepare(conn)
    if is_default and new and BUNDLED_INCIDENTS.exists():
        from geo.formats import geojson
        store.add(geojson.read_geojson(BUNDLED_INCIDENTS).incidents)
    return store


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) do not block an import
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


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
    if "connection" in low or "could not connect" in low or "refused" in low:
        return f"cannot reach the database server at {label}: is it running? ({text.splitlines()[0]})"
    return f"database error on {label}: {text.splitlines()[0] if text else type(exc).__name__}"


def _to_row(inc: Incident) -> dict:
    located = [pt for pt in inc.points if pt is not None]
    lon = sum(p[0] for p in located) / len(located) if located else None
    lat = sum(p[1] for p in located) / len(located) if located else None
    search = " ".join(str(v) for v in (" ".join(inc.places), inc.province, inc.actor, inc.event_type,
                                        inc.source, inc.quote, inc.notes) if v)
    return {
        "id": inc.id,
        "date": dt.date.fromisoformat(inc.date),
        "date_end": dt.date.fromisoformat(inc.date_end) if inc.date_end else None,
        "last_date": dt.date.fromisoformat(inc.last_date),
        "places": json.dumps(inc.places, ensure_ascii=False),
        "points": json.dumps([list(p) if p else None for p in inc.points]),
        "province": inc.province, "country": inc.country, "geo_precision": inc.geo_precision,
        "killed": inc.killed, "killed_max": inc.killed_max, "children": inc.children,
        "women": inc.women, "injured": inc.injured, "actor": inc.actor,
        "event_type": inc.event_type, "source": inc.source, "source_url": inc.source_url,
        "quote": inc.quote, "notes": inc.notes, "cumulative": bool(inc.cumulative),
        "report_hash": inc.report_hash, "longitude": lon, "latitude": lat,
        "search": search.lower(),
    }


def _from_row(row) -> Incident:
    values = {name: row[name] for name in FIELDS if name not in ("places",)}
    for name in ("date", "date_end"):
        if values[name] is not None and not isinstance(values[name], str):
            values[name] = values[name].isoformat()
    values["places"] = json.loads(row["places"])
    values["points"] = [tuple(p) if p else None for p in json.loads(row["points"])]
    values["cumulative"] = bool(values["cumulative"])
    return Incident(**values)


def _contains(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
