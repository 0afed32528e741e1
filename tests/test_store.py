"""The store against real database files: round trip, each filter, transactions, errors."""

import sqlite3

import pytest

from geo import open_store
from geo.filters import Filters
from geo.store import StoreError
from tests.conftest import make_incident


def test_round_trip_keeps_every_field(store):
    inc = make_incident(places=["A", "B"], points=[(40.1, 35.2), None], killed=12, killed_max=15,
                        children=3, women=2, injured=20, source_url="https://example.org/r",
                        notes="coded by test", date_end="2017-08-18", geo_precision=2,
                        report_hash="ab" * 32)
    result = store.add([inc])
    assert result.added == [inc.id]
    assert store.get(inc.id) == inc
    assert store.query() == [inc]


def test_same_id_is_skipped_or_replaced(store):
    inc = make_incident(killed=4)
    store.add([inc])
    assert store.add([inc]).skipped == [inc.id]
    changed = make_incident(id=inc.id, killed=5)
    assert store.add([changed], on_conflict="replace").replaced == [inc.id]
    assert store.get(inc.id).killed == 5
    assert store.count() == 1


def _ids(store, **kwargs):
    return {i.id for i in store.query(Filters.parse(**kwargs))}


def test_date_filter_keeps_spans_that_overlap(store):
    day = make_incident(id="day", date="2017-08-16")
    span = make_incident(id="span", date="2017-08-14", date_end="2017-08-16", cumulative=True)
    later = make_incident(id="later", date="2017-08-20")
    store.add([day, span, later])
    assert _ids(store, start="2017-08-15", end="2017-08-15") == {"span"}
    assert _ids(store, start="2017-08-16", end="2017-08-16") == {"day", "span"}
    assert _ids(store, start="2017-08-17") == {"later"}
    assert _ids(store, end="2017-08-14") == {"span"}


def test_province_min_killed_actor_source_text_filters(store):
    store.add([
        make_incident(id="a", province="Raqqa", killed=17, actor="US-led coalition", source="SOHR",
                      quote="strikes on the old city"),
        make_incident(id="b", province="Deir ez-Zor", killed=6, actor="US-led coalition",
                      source="SANA via PressTV", children=3),
        make_incident(id="c", province="Idlib", killed=None, children=None, actor="Russian jets",
                      source="Local network", notes="market hit"),
    ])
    assert _ids(store, provinces=["raqqah"]) == {"a"}
    assert _ids(store, provinces=["Raqqa", "Idlib"]) == {"a", "c"}
    assert _ids(store, min_killed=6) == {"a", "b"}
    assert _ids(store, min_killed=7) == {"a"}
    assert _ids(store, actor="russian") == {"c"}
    assert _ids(store, source="presstv") == {"b"}
    assert _ids(store, text="MARKET") == {"c"}
    assert _ids(store, text="old city") == {"a"}
    assert _ids(store, text="100%") == set()
    assert store.count(Filters.parse(provinces=["Raqqa"])) == 1


def test_bbox_filter(store):
    store.add([make_incident(id="east", points=[(40.8, 34.6)]),
               make_incident(id="west", points=[(36.2, 33.5)]),
               make_incident(id="nowhere", places=["X"], points=[None])])
    assert _ids(store, bbox="39,34,41,36") == {"east"}
    assert _ids(store, bbox=(30, 30, 45, 40)) == {"east", "west"}


def test_failed_write_leaves_store_as_it_was(store, monkeypatch):
    store.add([make_incident(id="kept")])
    import geo.store.writer as store_module
    real = store_module.to_row
    calls = {"n": 0}

    def failing(inc):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(inc)

    batch = [make_incident(id=f"new{i}") for i in range(5)]
    monkeypatch.setattr(store_module, "to_row", failing)
    with pytest.raises(RuntimeError):
        store.add(batch)
    monkeypatch.setattr(store_module, "to_row", real)
    # a failure inside the SQL transaction rolls back too
    duplicate_in_sql = [make_incident(id="x1"), make_incident(id="x2")]
    monkeypatch.setattr(store.writer, "existing_ids", lambda conn, ids: set())
    monkeypatch.setattr(store.writer, "insert_statement", lambda table: table.insert())
    with pytest.raises(StoreError):
        store.add(duplicate_in_sql + [make_incident(id="kept")])
    assert [i.id for i in store.query()] == ["kept"]


def test_reports_are_kept_once(store):
    from geo.model import report_hash
    text = "A constructed test report."
    store.add([make_incident()], report_text=text)
    store.add([], report_text=text)
    assert store.has_report(report_hash(text))
    assert store.report_text(report_hash(text)) == text


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'nope.sqlite'}", create=False)
    with pytest.raises(StoreError, match="folder"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'dir.sqlite'}")


def test_corrupt_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        open_store(f"sqlite:///{bad}")


def test_locked_database_is_a_clear_error(tmp_path):
    path = tmp_path / "locked.sqlite"
    s = open_store(f"sqlite:///{path}")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        s.engine.dispose()
        import sqlalchemy as sa

        from geo.store import Store
        quick = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
        with pytest.raises(StoreError, match="locked"):
            Store(quick, str(path)).add([make_incident()])
    finally:
        holder.rollback()
        holder.close()


def test_bad_url_is_a_clear_error():
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("not a url at all")


def test_explicit_database_starts_empty_default_is_filled(tmp_path, monkeypatch):
    import geo.settings as store_module
    explicit = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}")
    assert explicit.count() == 0
    monkeypatch.delenv(store_module.DB_ENV, raising=False)
    monkeypatch.setattr(store_module, "DEFAULT_DB_PATH", tmp_path / "default.sqlite")
    default = open_store()
    from geo.formats.geojson import read_geojson
    bundled = read_geojson(store_module.BUNDLED_INCIDENTS)
    assert bundled.rejects == []
    assert default.count() == len(bundled.incidents) > 0


def test_distinct_and_date_span(store):
    store.add([make_incident(id="a", actor="B actor", date="2017-08-01"),
               make_incident(id="b", actor="A actor", date="2017-08-03", date_end="2017-08-09"),
               make_incident(id="c", actor=None)])
    assert store.distinct("actor") == ["A actor", "B actor"]
    low, high = store.date_span()
    assert (low.isoformat(), high.isoformat()) == ("2017-08-01", "2017-08-17")


def test_version_changes_on_every_write_and_only_then(store):
    seen = [store.version()]

    def changed() -> bool:
        now = store.version()
        fresh = now not in seen
        seen.append(now)
        return fresh

    store.add([make_incident(id="a"), make_incident(id="b")])
    assert changed()
    store.add([make_incident(id="a")])  # skipped: nothing stored changed
    assert not changed()
    store.add([make_incident(id="a", killed=9)], on_conflict="replace")  # same count, new figures
    assert changed()
    assert store.delete(["b"]) == 1
    assert changed()
    assert store.delete(["no such id"]) == 0
    assert not changed()
    store.query()
    store.count()
    assert not changed()


def test_version_is_shared_by_every_store_on_the_database(store):
    other = open_store(store.engine.url.render_as_string(hide_password=False))
    try:
        before = other.version()
        store.add([make_incident(id="seen-elsewhere")])
        assert other.version() == store.version() != before
    finally:
        other.close()


def test_recreated_database_does_not_repeat_an_old_version(tmp_path):
    path = tmp_path / "again.sqlite"
    first = open_store(f"sqlite:///{path}")
    first.add([make_incident(id="x")])
    old = first.version()
    first.close()
    path.unlink()
    second = open_store(f"sqlite:///{path}")
    second.add([make_incident(id="x", killed=1)])
    assert second.version() != old


def test_long_spans_found_through_the_span_bound(store):
    # Overlap search reads back only as far as the longest stored span: it must grow with writes.
    store.add([make_incident(id="short", date="2016-01-30", date_end="2016-02-02"),
               make_incident(id="day", date="2016-02-05")])
    period = dict(start="2016-02-01", end="2016-02-10")
    assert _ids(store, **period) == {"short", "day"}
    store.add([make_incident(id="long", date="2015-01-01", date_end="2016-02-01", cumulative=True)])
    assert _ids(store, **period) == {"short", "day", "long"}
    store.add([make_incident(id="day", date="2014-06-01", date_end="2016-02-03")], on_conflict="replace")
    assert _ids(store, **period) == {"short", "day", "long"}
    assert _ids(store, start="2016-02-01") == {"short", "day", "long"}  # no end: bounded the same way
    assert store.count(Filters.parse(**period)) == 3
    assert _ids(store, start="2016-02-03", end="2016-02-10") == {"day"}


def test_store_made_before_the_meta_table_gets_one(tmp_path):
    import sqlalchemy as sa
    path = tmp_path / "old.sqlite"
    s = open_store(f"sqlite:///{path}")
    s.add([make_incident(id="old-span", date="2015-01-01", date_end="2015-12-31")])
    with s.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE store_meta")
        conn.exec_driver_sql("DROP TABLE store_migrations")  # as in a store made before they existed
    s.close()
    reopened = open_store(f"sqlite:///{path}")
    assert reopened.version() != "0"
    assert _ids(reopened, start="2015-12-01", end="2015-12-05") == {"old-span"}
    with reopened.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max_span_days FROM store_meta")).scalar() == 364


def test_store_made_before_the_place_count_columns_gets_them_filled(tmp_path):
    path = tmp_path / "older.sqlite"
    s = open_store(f"sqlite:///{path}")
    s.add([make_incident(id="two", places=["A", "B", "C"], points=[(40.0, 35.0), None, (40.2, 35.2)]),
           make_incident(id="none", places=["Lost"], points=[None])])
    with s.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_incidents_map")
        conn.exec_driver_sql("ALTER TABLE incidents DROP COLUMN located")
        conn.exec_driver_sql("ALTER TABLE incidents DROP COLUMN unlocated")
        conn.exec_driver_sql("DROP TABLE store_migrations")  # as in a store made before they existed
    s.close()
    counts = open_store(f"sqlite:///{path}").places()
    assert (counts.incidents, counts.located, counts.unlocated) == (2, 2, 2)


def _index_sql(store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name = 'incidents'").all())


def _varied(count: int, prefix: str = "v") -> list:
    provinces = ("Raqqa", "Deir ez-Zor", "Aleppo")
    return [make_incident(id=f"{prefix}{i:04d}", date=f"2017-{i % 12 + 1:02d}-{i % 27 + 1:02d}",
                          date_end=f"2017-12-{i % 3 + 28}" if i % 7 == 0 else None,
                          province=provinces[i % 3], killed=i % 40 or None,
                          points=[(38.0 + i % 30 / 10, 35.0 + i % 20 / 10)]) for i in range(count)]


def test_large_add_rebuilds_the_indexes_and_agrees_with_row_by_row(tmp_path, monkeypatch):
    import geo.store.sqlite as store_module
    monkeypatch.setattr(store_module, "REBUILD_FROM", 50)
    monkeypatch.setattr(store_module, "CHUNK", 40)  # several chunks, a repeated id across them
    bulk = open_store(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    slow = open_store(f"sqlite:///{tmp_path / 'slow.sqlite'}")
    indexes = _index_sql(bulk)
    dropped = []
    monkeypatch.setattr(store_module, "drop_indexes",
                        lambda conn, real=store_module.drop_indexes: (dropped.append(1), real(conn)))
    incidents = _varied(300)
    result = bulk.add(incidents + [incidents[5]])
    assert dropped and len(result.added) == 300 and result.skipped == [incidents[5].id]
    for inc in incidents:
        slow.add([inc])
    assert _index_sql(bulk) == indexes
    for kwargs in ({}, {"provinces": ["Raqqa"], "start": "2017-03-01", "end": "2017-05-31"},
                   {"bbox": (38.5, 35.5, 39.5, 36.5), "min_killed": 10}, {"start": "2017-12-29"}):
        assert bulk.query(Filters.parse(**kwargs)) == slow.query(Filters.parse(**kwargs)), kwargs
    assert bulk.date_span() == slow.date_span()
    # a small add into the big store keeps the indexes as they are
    dropped.clear()
    bulk.add(_varied(60, prefix="w"))
    assert not dropped and _index_sql(bulk) == indexes


def test_failure_during_a_rebuilding_add_leaves_store_and_indexes_intact(tmp_path, monkeypatch):
    import geo.store.sqlite as store_module
    import geo.store.writer as writer_module
    monkeypatch.setattr(store_module, "REBUILD_FROM", 50)
    monkeypatch.setattr(store_module, "CHUNK", 40)
    store = open_store(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    store.add(_varied(20, prefix="kept"))
    indexes, version, before = _index_sql(store), store.version(), store.query()
    real = writer_module.to_row
    calls = {"n": 0}

    def failing(inc):
        calls["n"] += 1
        if calls["n"] == 150:  # after the indexes were dropped and some chunks inserted
            raise RuntimeError("disk on fire")
        return real(inc)

    monkeypatch.setattr(writer_module, "to_row", failing)
    with pytest.raises(RuntimeError):
        store.add(_varied(200))
    monkeypatch.setattr(writer_module, "to_row", real)
    monkeypatch.setattr(store_module, "create_indexes", lambda conn: conn.exec_driver_sql("SELECT nonsense"))
    with pytest.raises(StoreError):  # the rebuild itself failing
        store.add(_varied(200))
    assert _index_sql(store) == indexes
    assert store.query() == before and store.version() == version


def test_an_iterator_is_added_chunk_by_chunk(tmp_path, monkeypatch):
    import geo.store.sqlite as store_module
    monkeypatch.setattr(store_module, "REBUILD_FROM", 50)
    monkeypatch.setattr(store_module, "CHUNK", 40)
    store = open_store(f"sqlite:///{tmp_path / 'stream.sqlite'}")
    incidents = _varied(130)
    result = store.add(iter(incidents + incidents[:3]))
    assert result.added == [i.id for i in incidents] and len(result.skipped) == 3
    assert store.query() == sorted(incidents, key=lambda i: (i.date, i.id))


def test_reads_leave_the_garbage_collector_as_they_found_it(store, monkeypatch):
    import gc

    import geo.store.store as store_module
    store.add([make_incident(id="gc")])
    assert gc.isenabled()
    assert [i.id for i in store.query()] == ["gc"] and len(store.query_frame()) == 1
    assert gc.isenabled()
    gc.disable()
    try:
        store.query()
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()
    def broken(row):
        raise ValueError("cannot read")

    monkeypatch.setattr(store_module, "incident_from_row", broken)
    with pytest.raises(ValueError):
        store.query()
    assert gc.isenabled()
