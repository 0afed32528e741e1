"""What only PostGIS has (geometry column, GiST index, map-view filter), plus concurrent imports and
the fast read paths on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import open_store
from geo.filters import Filters, where_clauses
from geo.store import Store
from tests.conftest import make_incident


@pytest.fixture
def pg_store(pg_url: str) -> Store:
    s = open_store(pg_url)
    with s.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE incidents, reports, events, event_edits")
    yield s
    s.close()


def _scalar(store: Store, sql: str, **params):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_geometry_column_has_a_gist_index(pg_store):
    definition = _scalar(pg_store, "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents' "
                                   "AND indexname = 'ix_incidents_geom_killed'")
    assert "USING gist (geom, killed)" in definition  # btree_gist comes with PostgreSQL's contrib
    srid = _scalar(pg_store, "SELECT Find_SRID('public', 'incidents', 'geom')")
    assert srid == 4326
    for name in ("ix_incidents_period", "ix_incidents_province_period", "ix_incidents_spans"):
        assert _scalar(pg_store, "SELECT count(*) FROM pg_indexes WHERE indexname = :n", n=name) == 1


def test_sessions_run_without_jit_and_keep_options_from_the_url(pg_store, pg_url):
    assert _scalar(pg_store, "SHOW jit") == "off"
    url = sa.make_url(pg_url).update_query_dict({"options": "-c statement_timeout=4321"})
    other = open_store(url.render_as_string(hide_password=False))
    try:
        assert _scalar(other, "SHOW jit") == "off"
        assert _scalar(other, "SHOW statement_timeout") == "4321ms"
    finally:
        other.close()


def test_geometry_follows_points_on_insert_and_replace(pg_store):
    pg_store.add([make_incident(id="one", points=[(40.1, 35.2)]),
                  make_incident(id="two", places=["A", "B", "C"], points=[(40.1, 35.2), None, (39.0, 36.0)]),
                  make_incident(id="none", places=["Lost"], points=[None])])

    def shape(incident_id):
        return _scalar(pg_store, "SELECT ST_AsText(geom) FROM incidents WHERE id = :i", i=incident_id)

    assert shape("one") == "POINT(40.1 35.2)"
    assert shape("two") == "MULTIPOINT((40.1 35.2),(39 36))"
    assert shape("none") is None
    pg_store.add([make_incident(id="none", places=["Found"], points=[(38.5, 35.5)])], on_conflict="replace")
    assert shape("none") == "POINT(38.5 35.5)"


def test_bbox_uses_every_located_place_and_the_index(pg_store):
    # The mean of these two places (39.5, 35.5) is outside the box; one place is inside it.
    pg_store.add([make_incident(id="spread", places=["A", "B"], points=[(38.0, 35.0), (41.0, 36.0)]),
                  make_incident(id="far", points=[(36.0, 33.0)])])
    ids = {i.id for i in pg_store.query(Filters.parse(bbox="40.5,35.5,41.5,36.5"))}
    assert ids == {"spread"}
    assert pg_store.count(Filters.parse(bbox="-10,-10,10,10")) == 0
    # a view across the antimeridian, 170 E eastwards to 37 E: only the place at 36 E is in it
    assert pg_store.count(Filters.parse(bbox="170,30,37,40")) == 1
    with pg_store.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        stmt = sa.select(sa.literal_column("id")).select_from(sa.table("incidents")).where(
            *where_clauses(Filters.parse(bbox="40,35,41,36"), "postgresql"))
        sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_incidents_geom" in plan


def test_opening_again_changes_no_schema(pg_store, pg_url):
    before = _scalar(pg_store, "SELECT count(*) FROM pg_trigger WHERE tgname = 'incidents_geom'")
    again = open_store(pg_url)
    again.close()
    assert before == 1
    assert _scalar(pg_store, "SELECT count(*) FROM pg_trigger WHERE tgname = 'incidents_geom'") == 1


def test_fast_read_paths_agree_with_the_model(store):
    incidents = [make_incident(id=f"r{i}", date=f"2017-08-{10 + i:02d}", killed=i, children=None,
                               places=["A", "B"], points=[(40.0 + i / 10, 35.0), None]) for i in range(5)]
    store.add(incidents)
    assert store.query() == incidents  # equality compares every field
    assert list(store.iter_query(Filters.parse(min_killed=3))) == incidents[3:]
    frame = store.query_frame(Filters.parse(min_killed=3), columns=["id", "date", "killed", "points"])
    assert list(frame["id"]) == ["r3", "r4"]
    assert list(frame["date"]) == ["2017-08-13", "2017-08-14"]
    assert list(frame["killed"]) == [3, 4]
    assert frame["points"][0] == [(40.3, 35.0), None]
    assert len(store.query_frame(Filters.parse(min_killed=99))) == 0
    with pytest.raises(ValueError, match="accepted"):
        store.query_frame(columns=["id", "password"])


_IMPORT_RANGE = """
import sys, time
from pathlib import Path
from geo import open_store
from tests.conftest import make_incident
url, first, last, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
store = open_store(url)
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.01)
for start in range(first, last, 1000):  # 1000, 1000, 500: the COPY path and the executemany one
    store.add([make_incident(id=f"c{i:05d}", killed=i % 50 + 1)
               for i in range(start, min(start + 1000, last))])
store.close()
"""


def test_concurrent_imports_lose_nothing(store, tmp_path):
    # Separate interpreters (not multiprocessing), so nothing is shared with this process.
    url = store.engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    # disjoint parts (0-1499 and 2500-3999) and an overlap both processes write (1500-2499)
    workers = [subprocess.Popen([sys.executable, "-c", _IMPORT_RANGE, url, str(a), str(b), str(go)],
                                cwd=root, env=env) for a, b in ((0, 2500), (1500, 4000))]
    go.touch()
    codes = [w.wait(120) for w in workers]
    assert codes == [0, 0]
    assert store.count() == 4000
    ids = [i.id for i in store.iter_query()]
    assert ids == sorted(ids) and set(ids) == {f"c{i:05d}" for i in range(4000)}


def test_bulk_add_by_copy_stores_the_same_geometry_as_the_trigger(pg_store):
    from geo.store import postgis as store_module
    count = store_module.COPY_FROM + 200  # large enough for the COPY path
    incidents = [make_incident(id=f"b{i:05d}", places=["A", "B"],
                               points=[(38.0 + i / 1000, 35.0), None if i % 3 else (39.0, 36.0 - i / 1000)])
                 for i in range(count)]
    incidents[7] = make_incident(id="b00007", places=["Lost"], points=[None])
    result = pg_store.add(incidents + [make_incident(id="b00001")])  # one repeated id is skipped
    assert len(result.added) == count and result.skipped == ["b00001"]
    # the trigger recomputes every geometry from the points JSON: nothing may change
    with pg_store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE bulk AS SELECT id, geom FROM incidents")
        conn.exec_driver_sql("UPDATE incidents SET points = points")
        differing = conn.exec_driver_sql("SELECT count(*) FROM incidents i JOIN bulk b USING (id) "
                                         "WHERE i.geom IS DISTINCT FROM b.geom").scalar()
        located = conn.exec_driver_sql("SELECT count(geom) FROM bulk").scalar()
        bad = conn.exec_driver_sql("SELECT i.id, ST_AsEWKT(i.geom), ST_AsEWKT(b.geom) FROM incidents i JOIN bulk b USING (id) WHERE i.geom IS DISTINCT FROM b.geom").all() if differing else []
    assert differing == 0 and located == count - 1, bad
    single = _scalar(pg_store, "SELECT ST_AsText(geom) FROM incidents WHERE id = 'b00004'")
    multi = _scalar(pg_store, "SELECT ST_AsText(geom) FROM incidents WHERE id = 'b00003'")
    assert single == "POINT(38.004 35)" and multi == "MULTIPOINT((38.003 35),(39 35.997))"
    assert _scalar(pg_store, "SELECT geom FROM incidents WHERE id = 'b00007'") is None
