"""PostgreSQL + PostGIS, for teams: the engine, the writer, and the geometry kept beside each row.

`geom` is the Point (one located place) or MultiPoint (several) of an incident, EPSG:4326, with a
GiST index (over geom and killed when the btree_gist extension is available). Bulk adds COPY rows with their geometry into a staging table, then insert them; a
trigger computes `geom` from the `points` JSON for any other writer (psql, another tool) and on
every change of `points`, so it stays right whoever writes.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from geo.model import Incident
from geo.store.errors import StoreError
from geo.store.schema import ROW_KEYS, Row, incidents_table, typed
from geo.store.writer import Writer

COPY_FROM = 1000  # adds of this many incidents or more go in by COPY
_LOCK_KEY = 7_341_920_117  # advisory lock id for schema changes by Strike Atlas

_GEOM_FUNCTION = """
CREATE OR REPLACE FUNCTION strike_atlas_incident_geom() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    shape geometry;
BEGIN
    SELECT ST_Collect(ST_MakePoint((p ->> 0)::float8, (p ->> 1)::float8)) INTO shape
    FROM jsonb_array_elements(NEW.points::jsonb) AS p
    WHERE jsonb_typeof(p) = 'array';
    IF shape IS NOT NULL AND ST_NumGeometries(shape) = 1 THEN
        shape := ST_GeometryN(shape, 1);
    END IF;
    NEW.geom := ST_SetSRID(shape, 4326);
    RETURN NEW;
END
$$
"""

_SCHEMA = (
    "ALTER TABLE incidents ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326)",
    "CREATE INDEX IF NOT EXISTS ix_incidents_geom ON incidents USING GIST (geom)",
    _GEOM_FUNCTION,
    "DROP TRIGGER IF EXISTS incidents_geom ON incidents",
    # An insert that brings its geometry (the bulk path) skips the function call.
    "CREATE TRIGGER incidents_geom BEFORE INSERT ON incidents FOR EACH ROW WHEN (NEW.geom IS NULL) "
    "EXECUTE FUNCTION strike_atlas_incident_geom()",
    "DROP TRIGGER IF EXISTS incidents_geom_update ON incidents",
    "CREATE TRIGGER incidents_geom_update BEFORE UPDATE OF points ON incidents "
    "FOR EACH ROW EXECUTE FUNCTION strike_atlas_incident_geom()",
    "UPDATE incidents SET points = points WHERE geom IS NULL",  # rows stored before PostGIS set-up
)


def create_engine(url: sa.URL) -> sa.Engine:
    """An engine for a PostgreSQL server; sessions run without JIT, keeping the URL's own options."""
    # JIT compiling spent ~50 ms of a 150 ms map-view query at 1M rows: never worth it here.
    options = " ".join(filter(None, [str(url.query.get("options") or ""), "-c jit=off"]))
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": options})


class PostGISWriter(Writer):
    """Ids looked up with one array parameter; large adds go in by COPY with their geometry."""

    replayable = True  # a deadlock with a concurrent import is retried, so the batch is kept

    def start(self, conn: sa.Connection, incidents: Iterable[Incident]) -> None:
        super().start(conn, incidents)
        big = isinstance(incidents, Sequence) and len(incidents) >= COPY_FROM
        self._bulk = self.insert_statement(INCIDENTS_WITH_GEOM) if big else None

    def insert(self, conn: sa.Connection, rows: list[Row], chunk: Sequence[Incident]) -> set[str]:
        """Insert, returning the ids inserted: a concurrent import may have stored some of them
        since they were looked up, and those are skipped, not counted as stored."""
        if self._bulk is None:
            stmt = self.insert_statement(incidents_table).returning(incidents_table.c.id)
            return set(conn.execute(stmt, [typed(r) for r in rows]).scalars())
        points: dict[str, list] = {}
        for inc in chunk:  # the first of repeated ids is the one inserted
            points.setdefault(inc.id, inc.points)
        return copy_insert(conn, self._bulk, rows, ROW_KEYS, points)

    def existing_ids(self, conn: sa.Connection, ids: list[str]) -> set[str]:
        # One array parameter: planning 5,000 bound values took longer than the look-up.
        return set(conn.exec_driver_sql("SELECT id FROM incidents WHERE id = ANY(%s)", (ids,)).scalars())

    def insert_statement(self, table: sa.Table) -> sa.Insert:
        return pg_insert(table).on_conflict_do_nothing()

    def analyze(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("ANALYZE incidents")
        conn.exec_driver_sql("ANALYZE events")


def lock_schema(conn: sa.Connection) -> None:
    """Serialise schema set-up between processes until this transaction ends."""
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")


def prepare(conn: sa.Connection) -> None:
    """Make sure PostGIS, the geometry column, its GiST index and trigger exist.

    Does nothing when they do, so a team member with only read/write grants can open the store.
    """
    if not _scalar(conn, "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"):
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                "the PostGIS extension is not enabled in this database and this user may not enable it "
                f"({str(exc.orig).splitlines()[0]}). Ask the database owner to run "
                "`CREATE EXTENSION postgis;` (the server needs the postgis package installed).") from None
    if not _scalar(conn, "SELECT 1 FROM pg_trigger WHERE tgname = 'incidents_geom_update' "
                         "AND tgrelid = 'incidents'::regclass"):
        for statement in _SCHEMA:
            conn.exec_driver_sql(statement)
    _geom_killed_index(conn)


def prepare_events(conn: sa.Connection) -> None:
    """The events table's geometry, kept from its points by the incidents' trigger function."""
    for statement in (
            "ALTER TABLE events ADD COLUMN IF NOT EXISTS geom geometry(Geometry, 4326)",
            "CREATE INDEX IF NOT EXISTS ix_events_geom ON events USING GIST (geom)",
            "DROP TRIGGER IF EXISTS events_geom ON events",
            "CREATE TRIGGER events_geom BEFORE INSERT OR UPDATE OF points ON events FOR EACH ROW "
            "EXECUTE FUNCTION strike_atlas_incident_geom()"):
        conn.exec_driver_sql(statement)


def _geom_killed_index(conn: sa.Connection) -> None:
    """GiST over (geom, killed) where the btree_gist extension can be had: the map view with a
    minimum toll is then one index scan (4x quicker at 1M). Otherwise the index on geom alone stays."""
    if _scalar(conn, "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_incidents_geom_killed' "
                     "AND schemaname = current_schema()"):
        return
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
            conn.exec_driver_sql("CREATE INDEX ix_incidents_geom_killed ON incidents USING GIST (geom, killed)")
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_incidents_geom")
    except sa.exc.DBAPIError:
        pass  # this user may not add extensions or indexes: fine, only slower


def _scalar(conn: sa.Connection, sql: str):
    return conn.exec_driver_sql(sql).scalar()


class Geometry(sa.types.UserDefinedType):
    """PostGIS geometry in EPSG:4326, for the statements the bulk path compiles."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "geometry(Geometry, 4326)"


def _tables() -> tuple[sa.Table, sa.Table]:
    metadata = sa.MetaData()
    target = incidents_table.to_metadata(metadata)
    target.append_column(sa.Column("geom", Geometry()))
    stage = sa.Table("incidents_stage", metadata, *(sa.Column(c.name, c.type) for c in target.columns),
                     prefixes=["TEMPORARY"])
    return target, stage


INCIDENTS_WITH_GEOM, STAGE = _tables()


def copy_insert(conn: sa.Connection, insert: sa.Insert, rows: Sequence[tuple], keys: Sequence[str],
                points: dict[str, list]) -> set[str]:
    """Insert rows (tuples in `keys` order, id first) by COPY into a temporary staging table, then
    `insert ... SELECT` from it: several times faster than executemany. `insert` is the INSERT
    into INCIDENTS_WITH_GEOM (with its conflict rule); `points` maps id → the incident's points."""
    conn.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS incidents_stage "
                         "(LIKE incidents INCLUDING DEFAULTS) ON COMMIT DROP")
    conn.exec_driver_sql("TRUNCATE incidents_stage")
    columns = [*keys, "geom"]
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection taken from the pool holds its driver's
    cursor = driver.cursor()
    with cursor.copy(f"COPY incidents_stage ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, ewkt(points[row[0]])))
    inserted: sa.CursorResult = conn.execute(insert.from_select(columns, sa.select(*(STAGE.c[name] for name in columns)))
                            .returning(sa.literal_column("id")))
    return set(inserted.scalars())


def ewkt(points: list) -> str | None:
    """Extended WKT of the located points: POINT for one, MULTIPOINT for several, None for none."""
    located = [p for p in points if p is not None]
    if not located:
        return None
    if len(located) == 1:
        return f"SRID=4326;POINT({located[0][0]!r} {located[0][1]!r})"
    return "SRID=4326;MULTIPOINT(" + ",".join(f"({lon!r} {lat!r})" for lon, lat in located) + ")"
