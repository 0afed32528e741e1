"""Numbered migrations, each recorded in `store_migrations` when applied (as sqlite-utils does).

`migrate` runs, in order, every migration a database has not had, inside the caller's
transaction. A store made before migrations were recorded (Strike Atlas 0.1) has none recorded,
so each migration is written to find what it adds already there and leave it. To change the
schema, append a migration here and change `geo.store.schema` to match; never edit an old one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from geo.store import postgis
from geo.store.schema import (
    event_edits_table,
    events_table,
    incidents_table,
    meta_table,
    metadata,
    migrations_table,
    reports_table,
)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[sa.Connection], None]
    dialects: tuple[str, ...] = ("sqlite", "postgresql")


# Indexes of 0.1's early stores, replaced by the covering ones in geo.store.schema.
_OLD_INDEXES = ("ix_incidents_lonlat", "ix_incidents_lonlat_killed", "ix_incidents_date",
                "ix_incidents_province_date", "ix_incidents_killed", "ix_incidents_date_figures",
                "ix_incidents_province_date_figures", "ix_incidents_spans_date")


def _tables(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[incidents_table, meta_table, reports_table])


def _place_counts(conn: sa.Connection) -> None:
    """The located/unlocated columns, filled from each row's points JSON."""
    if "located" in column_names(conn, "incidents"):
        return
    for name in ("located", "unlocated"):
        conn.exec_driver_sql(f"ALTER TABLE incidents ADD COLUMN {name} SMALLINT")
    points = incidents_table.c.points
    # "[[lon,lat],null,…]": one "[" per located point plus the outer one; four letters per null.
    located = sa.func.length(points) - sa.func.length(sa.func.replace(points, "[", "")) - 1
    unlocated = (sa.func.length(points) - sa.func.length(sa.func.replace(points, "null", ""))) / 4
    conn.execute(incidents_table.update().values(located=located, unlocated=unlocated))


def _covering_indexes(conn: sa.Connection) -> None:
    for name in _OLD_INDEXES:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    for index in incidents_table.indexes:
        index.create(conn, checkfirst=True)


def _meta_row(conn: sa.Connection) -> None:
    """The version counter's row and the longest stored span, which bounds date searches."""
    if "max_span_days" not in column_names(conn, "store_meta"):
        conn.exec_driver_sql("ALTER TABLE store_meta ADD COLUMN max_span_days INTEGER")
        conn.execute(meta_table.update().values(max_span_days=_stored_longest_span(conn)))
    if conn.execute(sa.select(meta_table.c.id)).first() is None:
        conn.execute(meta_table.insert().values(id=1, store_id=uuid.uuid4().hex[:12], version=0,
                                                max_span_days=_stored_longest_span(conn)))


def _events(conn: sa.Connection) -> None:
    """Records grouped into events (geo.events): an indexed event_id on incidents, the events
    table (the incidents' columns plus sources and grade), the edit log; stored records linked."""
    from geo.store.linking import link_unlinked

    if "event_id" not in column_names(conn, "incidents"):
        conn.exec_driver_sql("ALTER TABLE incidents ADD COLUMN event_id VARCHAR(200)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_incidents_event ON incidents (event_id)")
    metadata.create_all(conn, tables=[events_table, event_edits_table])
    if conn.dialect.name == "postgresql":
        postgis.prepare_events(conn)
    link_unlinked(conn)


MIGRATIONS = (
    Migration(1, "incidents, reports and store_meta tables", _tables),
    Migration(2, "located and unlocated place counts", _place_counts),
    Migration(3, "covering indexes for periods, provinces and the map", _covering_indexes),
    Migration(4, "store_meta row with the longest span", _meta_row),
    Migration(5, "PostGIS geometry column, trigger and GiST index", postgis.prepare, ("postgresql",)),
    Migration(6, "events: records linked into events, with their sources and grade", _events),
)


def migrate(conn: sa.Connection) -> list[int]:
    """Apply the migrations this database lacks, in order; returns their numbers."""
    metadata.create_all(conn, tables=[migrations_table])
    done = set(conn.execute(sa.select(migrations_table.c.number)).scalars())
    applied = []
    for migration in MIGRATIONS:
        if migration.number in done or conn.dialect.name not in migration.dialects:
            continue
        migration.apply(conn)
        conn.execute(migrations_table.insert().values(
            number=migration.number, name=migration.name,
            applied=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
        applied.append(migration.number)
    return applied


def column_names(conn: sa.Connection, table: str) -> set[str]:
    """The columns a table has now (not sa.inspect: it warns about PostGIS' geometry type)."""
    if conn.dialect.name == "sqlite":
        return {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
    return set(conn.execute(sa.text("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = :t AND table_schema = current_schema()"),
                            {"t": table}).scalars())


def _stored_longest_span(conn: sa.Connection) -> int:
    c = incidents_table.c
    if conn.dialect.name == "sqlite":
        days = sa.func.julianday(c.last_date) - sa.func.julianday(c.date)
    else:
        days = c.last_date - c.date
    value = conn.execute(sa.select(sa.func.max(days)).where(c.date_end.is_not(None))).scalar()
    return int(round(value or 0))
