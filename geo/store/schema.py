"""The store's tables, and how an incident becomes a row and a row an incident again.

The tables are created and changed only by numbered migrations (``geo.store.migrations``); this
module says what the current schema is, so both the migrations and the queries read it from here.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Sequence

import sqlalchemy as sa

from geo.model import FIELDS, Incident

metadata = sa.MetaData()
FIGURES = ("cumulative", "killed", "killed_max", "children")

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
    sa.Column("event_id", sa.String(200)),  # the event this record tells of (geo.events); indexed by migration 6
    # A period, and a province in a period: a range of `date` (see geo.filters), `last_date` tested
    # in the index; each also carries the figures, so the dashboard's sums read no row.
    sa.Index("ix_incidents_period", "date", "last_date", "province", *FIGURES),
    sa.Index("ix_incidents_province_period", "province", "date", "last_date", *FIGURES),
    # The map view (a box, often with a minimum toll) and the map's sums answered from the index alone.
    sa.Index("ix_incidents_map", "longitude", "latitude", "killed", "children", "cumulative",
             "located", "unlocated", "country"),
    # Only multi-day incidents: the last day covered (date_span) without reading every row.
    sa.Index("ix_incidents_spans", "last_date", sqlite_where=sa.text("date_end IS NOT NULL"),
             postgresql_where=sa.text("date_end IS NOT NULL")),
)

# One row: a random id for this database (so a re-created file never repeats an old token), a
# counter bumped in the same transaction as every write (`Store.version`), and the longest span
# (date_end - date, days) ever stored, which bounds the date-overlap search (see geo.filters).
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

# Which numbered migrations this database has had (geo.store.migrations), as sqlite-utils records them.
migrations_table = sa.Table(
    "store_migrations", metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("applied", sa.DateTime, nullable=False),
)

# Events (geo.events): the incidents' columns, so every filter and sum reads events as it reads
# records, holding an event's figures derived from its records, plus what only an event has.
EVENT_EXTRA = ("records", "grade", "sources", "link_reasons", "children_max", "women_max", "injured_max")
events_table = sa.Table(
    "events", metadata,
    *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
      for c in incidents_table.columns if c.name != "event_id"),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("grade", sa.String(20), nullable=False),
    sa.Column("sources", sa.Text, nullable=False),  # JSON list of the records (geo.events.SOURCE_KEYS)
    sa.Column("link_reasons", sa.Text, nullable=False),  # JSON list of "record: why it was linked"
    sa.Column("children_max", sa.Integer),
    sa.Column("women_max", sa.Integer),
    sa.Column("injured_max", sa.Integer),
    sa.Index("ix_events_period", "date", "last_date", "province", "grade", *FIGURES),
    sa.Index("ix_events_map", "longitude", "latitude", "killed", "children", "cumulative",
             "located", "unlocated", "country"),
)
EVENT_KEYS = tuple(c.name for c in events_table.columns)

# Every split and join, with the records' events before it, so each can be undone.
event_edits_table = sa.Table(
    "event_edits", metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action", sa.String(10), nullable=False),  # split, join, undo
    sa.Column("before", sa.Text, nullable=False),  # JSON {record id: event id before the edit}
    sa.Column("after", sa.Text, nullable=False),  # JSON {record id: event id after it}
    sa.Column("undone", sa.Boolean, nullable=False, default=False),
    sa.Column("made", sa.DateTime, nullable=False),
)

# --- an incident as a row ------------------------------------------------------------------------

ROW_KEYS = ("id", "date", "date_end", "last_date", "places", "points", "province", "country",
            "geo_precision", "killed", "killed_max", "children", "women", "injured", "actor",
            "event_type", "source", "source_url", "quote", "notes", "cumulative", "report_hash",
            "longitude", "latitude", "search", "located", "unlocated", "event_id")
assert set(ROW_KEYS) == {c.name for c in incidents_table.columns}

Row = tuple  # the values of ROW_KEYS, in that order, as plain driver values

_encode_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (C version)


def to_row(inc: Incident) -> Row:
    """The stored row of a validated incident in ROW_KEYS order, as plain driver values
    (dates as ISO text, places/points as JSON)."""
    # Floats were checked finite, so repr is valid JSON (and 3x quicker than json.dumps).
    points = inc.points
    lon: float | None
    lat: float | None
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
        located, len(points) - located, None,  # event_id: set when the record is linked
    )


def typed(row: Row) -> dict:
    """A row for a SQLAlchemy statement, which wants date objects for Date columns."""
    values = dict(zip(ROW_KEYS, row))
    for name in ("date", "date_end", "last_date"):
        if values[name] is not None:
            values[name] = dt.date.fromisoformat(values[name])
    return values


def longest_span(rows: Sequence[Row]) -> int:
    """The longest date_end - date, in days, among rows."""
    spans = [r for r in rows if r[2] is not None]
    if not spans:
        return 0
    return max((dt.date.fromisoformat(r[3]) - dt.date.fromisoformat(r[1])).days for r in spans)


# --- a row as an incident ------------------------------------------------------------------------

# What a read selects: the model's fields plus the mean point, dates as ISO text (no date objects).
READ_COLUMNS: dict[str, sa.ColumnElement] = {
    name: (sa.cast(incidents_table.c[name], sa.Text).label(name) if name in ("date", "date_end")
           else incidents_table.c[name])
    for name in (*FIELDS[:4], "points", *FIELDS[4:], "longitude", "latitude")
}
# The same for events, plus what only an event has (for query_frame(of="events")).
EVENT_READ_COLUMNS: dict[str, sa.ColumnElement] = {
    **{name: (sa.cast(events_table.c[name], sa.Text).label(name) if name in ("date", "date_end")
              else events_table.c[name]) for name in READ_COLUMNS},
    **{name: events_table.c[name] for name in EVENT_EXTRA},
}
_INCIDENT_FIELDS = tuple(name for name in READ_COLUMNS if name not in ("longitude", "latitude"))
# The columns a map or table needs; `Store.query_frame` returns these unless told otherwise.
FRAME_COLUMNS = ("id", "date", "date_end", "province", "killed", "killed_max", "children",
                 "cumulative", "actor", "source", "longitude", "latitude")

# The decoder's C scanner on its own: the stored JSON is compact, so json.loads' whitespace
# checks around it are not needed (a third of the cost of reading an incident).
scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # typeshed lacks it


def incident_from_row(row: Sequence) -> Incident:
    """An Incident from a stored row, without re-validating: it was validated on the way in."""
    values = dict(zip(_INCIDENT_FIELDS, row))
    values["places"] = scan_json(values["places"], 0)[0]
    values["points"] = decode_points(values["points"])
    values["cumulative"] = bool(values["cumulative"])
    incident = object.__new__(Incident)
    incident.__dict__ = values
    return incident


def decode_points(text: str) -> list[tuple[float, float] | None]:
    return [(p[0], p[1]) if p else None for p in scan_json(text, 0)[0]]
