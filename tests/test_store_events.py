"""Events in both stores (the `store` fixture runs on SQLite and on PostGIS): every way in links,
records stay as given, events are counted once, split/join are undoable, concurrent imports
report their counts right. Test data made by code, not real reports."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import summary
from geo.cli import main
from geo.filters import Filters
from geo.store.linking import EventEditError
from tests.conftest import make_incident

RAQQA = (39.01, 35.95)
HAJIN = (40.83, 34.69)
SUBAYKHAN = (40.55, 34.77)


def acled(n, **kw):
    kw.setdefault("actor", "Military Forces of the United States")
    kw.setdefault("children", None)
    return make_incident(id=f"acled:SYR{n}", source="ACLED: Syrian Observatory for Human Rights",
                         event_type="Air/drone strike", **kw)


def ucdp(n, **kw):
    kw.setdefault("actor", "Government of United States")
    kw.setdefault("children", None)
    return make_incident(id=f"ucdp:{n}", source="UCDP GED: Airwars", event_type="one-sided violence", **kw)


def issue_records():
    """The issue's overlaps: Raqqa 16 Aug (ACLED 12, UCDP 12–17), Subaykhan 17 Aug (ACLED 2, a
    report 6), Hajin (ACLED, UCDP, a report); and a strike in Hajin a week later."""
    return [
        acled(1, date="2017-08-16", places=["Raqqa"], points=[RAQQA], province="Raqqa", killed=12),
        ucdp(1, date="2017-08-16", places=["Ar Raqqah"], points=[(39.02, 35.95)], province="Raqqa",
             killed=12, killed_max=17),
        acled(2, date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN], killed=2),
        make_incident(id="seed-dz", date="2017-08-17", places=["Al Jala", "Subaykhan"],
                      points=[(40.6, 34.8), SUBAYKHAN], killed=6, children=3,
                      actor="US-led coalition", source="SANA, via PressTV",
                      source_url="https://example.org/a"),
        acled(3, date="2017-08-20", places=["Hajin"], points=[HAJIN], killed=5),
        ucdp(3, date="2017-08-20", places=["Hajin"], points=[(40.84, 34.70)], killed=4, killed_max=8),
        make_incident(id="rep-hajin", date="2017-08-21", places=["Hajin"], points=[HAJIN], killed=7,
                      children=2, actor="coalition", source="PressTV citing SOHR"),
        acled(4, date="2017-08-27", places=["Hajin"], points=[HAJIN], killed=3),
    ]


def test_every_record_is_kept_and_each_strike_is_one_event(store):
    records = issue_records()
    result = store.add(records)
    assert len(result.added) == 8 and result.new_events == 4
    assert store.count() == 8 and store.count(of="events") == 4
    assert store.query() == sorted(records, key=lambda r: (r.date, r.id))  # exactly as given
    assert {r: store.event_of(r) for r in ("ucdp:1", "seed-dz", "ucdp:3", "rep-hajin", "acled:SYR4")} == {
        "ucdp:1": "acled:SYR1", "seed-dz": "acled:SYR2", "ucdp:3": "acled:SYR3",
        "rep-hajin": "acled:SYR3", "acled:SYR4": "acled:SYR4"}
    raqqa = {e.id: e for e in store.query(of="events")}["acled:SYR1"]
    assert (raqqa.killed, raqqa.killed_max, raqqa.date) == (12, 17, "2017-08-16")
    details = store.event_details(["acled:SYR1", "acled:SYR3"])
    assert details["acled:SYR1"].grade == "corroborated"  # SOHR (via ACLED) and Airwars (via UCDP)
    assert [s["id"] for s in details["acled:SYR3"].sources] == ["acled:SYR3", "ucdp:3", "rep-hajin"]
    assert details["acled:SYR3"].link_reasons == ["ucdp:3: 1.4 km apart, same day",
                                                   "rep-hajin: same place, dates 1 day apart"]
    head = summary.headline_from(store.totals(of="events"))
    # per event, lowest minimum to highest maximum: 12–17, 2–6, 4–8, 3
    assert (head.incidents, head.records, head.killed_min, head.killed_max) == (4, 8, 21, 34)
    assert head.children == 5 and head.children_reported  # 3 (Subaykhan) + 2 (Hajin)


def test_records_added_later_join_stored_events_and_a_dataset_twice_is_skipped(store):
    records = issue_records()
    store.add(records[:5])
    later = store.add(records[5:] + [records[1]])  # ucdp:1 again: the same record, skipped
    assert later.skipped == ["ucdp:1"] and later.joined == {"ucdp:3": "acled:SYR3", "rep-hajin": "acled:SYR3"}
    store.add([ucdp(9, date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN], killed=9)])
    assert store.event_of("ucdp:9") == "acled:SYR2"
    assert store.count(of="events") == 4
    sub = {e.id: e for e in store.query(of="events")}["acled:SYR2"]
    assert (sub.killed, sub.killed_max) == (2, 9)


def test_grade_and_figure_filters_run_on_events_and_records(store):
    store.add(issue_records())
    corroborated = Filters.parse(grade=["corroborated"])
    assert {e.id for e in store.query(corroborated, of="events")} == {"acled:SYR1", "acled:SYR2", "acled:SYR3"}
    assert store.count(corroborated) == 7  # the records of those events
    assert store.count(Filters.parse(grade="single"), of="events") == 1
    assert store.count(Filters.parse(min_killed=10), of="events") == 1
    assert store.count(Filters.parse(bbox=(40.7, 34.6, 40.9, 34.8)), of="events") == 2  # Hajin twice
    frame = store.query_frame(columns=["id", "grade", "records"], of="events")
    assert list(frame["records"]) == [2, 2, 3, 1]
    cells = store.grid_cells(None, 1.0, of="events")
    assert int(cells["incidents"].sum()) == 4


def test_split_join_and_undo_move_records_and_destroy_nothing(store):
    store.add(issue_records())
    before = store.query()
    new = store.split_event("acled:SYR3", ["rep-hajin"])
    assert new == "rep-hajin" and store.count(of="events") == 5
    assert store.event_details(["acled:SYR3"])["acled:SYR3"].records == 2
    assert store.event_details([new])[new].link_reasons == ["by hand: split off rep-hajin"]
    kept = store.join_events(["acled:SYR3", "acled:SYR4"])
    assert kept == "acled:SYR3" and store.count(of="events") == 4
    assert store.undo_event_edit() == "undid join #2 (1 record moved back)"
    assert store.undo_event_edit() == "undid split #1 (1 record moved back)"
    assert store.event_of("rep-hajin") == "acled:SYR3" and store.count(of="events") == 4
    assert store.query() == before
    with pytest.raises(EventEditError, match="no split or join to undo"):
        store.undo_event_edit()
    with pytest.raises(EventEditError, match="not a record of event acled:SYR1"):
        store.split_event("acled:SYR1", ["rep-hajin"])
    with pytest.raises(EventEditError, match="some but not all"):
        store.split_event("acled:SYR1", ["acled:SYR1", "ucdp:1"])


def test_the_founding_record_can_leave_its_event(store):
    store.add(issue_records())
    new = store.split_event("acled:SYR1", ["acled:SYR1"])
    assert new == "acled:SYR1~2" and store.event_of("ucdp:1") == "acled:SYR1"
    assert store.event_of("acled:SYR1") == new


def test_replacing_and_deleting_records_recompute_their_event(store):
    store.add(issue_records())
    store.add([ucdp(1, date="2017-08-16", places=["Ar Raqqah"], points=[(39.02, 35.95)],
                    province="Raqqa", killed=10, killed_max=20)], on_conflict="replace")
    raqqa = {e.id: e for e in store.query(of="events")}["acled:SYR1"]
    assert (raqqa.killed, raqqa.killed_max) == (10, 20)
    store.delete(["acled:SYR4"])
    assert store.count(of="events") == 3
    store.delete(["acled:SYR1"])  # the event keeps its name and its other record
    raqqa = {e.id: e for e in store.query(of="events")}["acled:SYR1"]
    assert (raqqa.killed, raqqa.killed_max, raqqa.records if hasattr(raqqa, "records") else 1) == (10, 20, 1)
    store.add([acled(1, date="2017-08-16", places=["Raqqa"], points=[RAQQA], province="Raqqa", killed=12)])
    assert store.event_of("acled:SYR1") == "acled:SYR1"  # it joined its old event again


def test_text_filter_matches_places_through_the_gazetteer(store):
    from geo.places.search import with_place_names
    store.add(issue_records())
    arabic = with_place_names(Filters.parse(text="الرقة"))
    assert store.count(Filters.parse(text="الرقة")) == 0
    assert {i.id for i in store.query(arabic)} == {"acled:SYR1", "ucdp:1"}
    assert store.count(with_place_names(Filters.parse(text="Sbeikhan")), of="events") == 1
    assert arabic.text.names[0] == "Ar Raqqah" and arabic.to_params() == {"text": "الرقة"}


def test_summary_command_prints_one_line_of_json(store, capsys, monkeypatch):
    url = store.engine.url.render_as_string(hide_password=False)
    store.add(issue_records())
    assert main(["summary", "--db", url, "--json"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    assert json.loads(line) == {"events": 4, "records": 8, "killed_min": 21, "killed_max": 34,
                                "children": 5, "not_located": 0}
    assert main(["summary", "--db", url, "--json", "--start", "2017-08-20", "--end", "2017-08-21"]) == 0
    assert json.loads(capsys.readouterr().out)["children"] == 2
    assert main(["summary", "--db", url, "--json", "--source", "ACLED", "--start", "2017-08-27"]) == 0
    assert json.loads(capsys.readouterr().out) == {"events": 1, "records": 1, "killed_min": 3,
                                                  "killed_max": 3, "children": None, "not_located": 0}
    assert main(["summary", "--db", url, "--grade", "nonsense"]) == 2
    assert "accepted: single source, corroborated" in capsys.readouterr().err


def test_events_command_splits_joins_and_undoes(store, capsys):
    url = store.engine.url.render_as_string(hide_password=False)
    store.add(issue_records())
    assert main(["events", "split", "--db", url, "acled:SYR3", "rep-hajin"]) == 0
    assert "into event rep-hajin" in capsys.readouterr().out
    assert main(["events", "join", "--db", url, "acled:SYR3", "rep-hajin"]) == 0
    assert main(["events", "undo", "--db", url]) == 0
    assert "undid join" in capsys.readouterr().out
    assert main(["events", "show", "--db", url, "acled:SYR2"]) == 0
    shown = capsys.readouterr().out
    assert "seed-dz" in shown and "children not reported" in shown and "https://example.org/a" in shown
    assert main(["events", "show", "--db", url, "seed-dz"]) == 2
    assert "record seed-dz is in event acled:SYR2" in capsys.readouterr().err
    assert main(["events", "split", "--db", url, "acled:SYR2", "nope"]) == 2
    assert "not a record of event acled:SYR2" in capsys.readouterr().err


_LINK_RANGE = """
import sys, time
from pathlib import Path
from geo import open_store
from tests.conftest import make_incident
url, first, last, go, dataset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
store = open_store(url)
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.01)
added = skipped = 0
for start in range(first, last, 600):  # places 0.5 degree apart, one strike each, two datasets
    result = store.add([make_incident(id=f"{dataset}:{i}", killed=i % 9 + 1, source=dataset,
                                      points=[(36 + (i % 20) * 0.5, 32 + (i // 20) * 0.5)],
                                      date=f"2017-{1 + i % 12:02d}-10")
                        for i in range(start, min(start + 600, last))])
    added += len(result.added)
    skipped += len(result.skipped)
print(added, skipped)
store.close()
"""


def test_concurrent_imports_linking_to_the_same_events_count_right(store, tmp_path):
    url = store.engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    # Two ACLED-like imports overlapping on 600-1199, and a UCDP-like one of the same strikes.
    jobs = [("acled", 0, 1200), ("acled", 600, 1800), ("ucdp", 0, 1800)]
    workers = [subprocess.Popen([sys.executable, "-c", _LINK_RANGE, url, str(a), str(b), str(go), d],
                                cwd=root, env=env, stdout=subprocess.PIPE, text=True)
               for d, a, b in jobs]
    go.touch()
    outputs = [w.communicate(timeout=240)[0].split() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0]
    added = sum(int(o[0]) for o in outputs)
    skipped = sum(int(o[1]) for o in outputs)
    assert store.count() == 3600 and added == 3600 and skipped == 600
    assert store.count(of="events") == 1800  # each strike once: an ACLED and a UCDP record
    head = summary.headline_from(store.totals(of="events"))
    assert head.records == 3600
    frame = store.query_frame(columns=["id", "records"], of="events")
    assert set(frame["records"]) == {2}


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_an_exported_file_imports_back_as_its_events_and_records(store, tmp_path, fmt, capsys):
    from geo import open_store
    from geo.ingest.importer import import_file
    url = store.engine.url.render_as_string(hide_password=False)
    store.add(issue_records())
    store.split_event("acled:SYR3", ["rep-hajin"])  # by hand: the linking alone would not give this
    out = tmp_path / f"events.{fmt}"
    assert main(["export", "--db", url, "--format", fmt, "--out", str(out)]) == 0
    assert "wrote 5 incidents (one per event)" in capsys.readouterr().err
    if fmt == "geojson":
        features = json.loads(out.read_text(encoding="utf-8"))["features"]
        hajin = next(f for f in features if f["id"] == "acled:SYR3")
        assert hajin["properties"]["grade"] == "corroborated"
        assert [s["id"] for s in hajin["properties"]["sources"]] == ["acled:SYR3", "ucdp:3"]
        assert set(hajin["properties"]["sources"][0]) >= {"id", "source", "source_url", "killed",
                                                          "killed_max", "children", "date", "quote"}
    records_out = tmp_path / f"records.{fmt}"
    assert main(["export", "--db", url, "--format", fmt, "--records", "--out", str(records_out)]) == 0
    assert "wrote 8 incidents (records as stored)" in capsys.readouterr().err
    again = open_store(f"sqlite:///{tmp_path / 'again.sqlite'}")
    again.delete([i.id for i in again.query()])  # not the bundled seed: only what was exported
    summary_ = import_file(again, out, write_rejects_file=False)
    assert summary_.stored == 8 and summary_.rejected == 0
    assert again.query() == store.query()  # the records exactly as stored
    assert {r.id: again.event_of(r.id) for r in again.query()} == {r.id: store.event_of(r.id) for r in store.query()}
    assert again.count(of="events") == 5


def test_a_store_from_the_previous_release_gets_its_records_linked(tmp_path):
    import shutil

    from geo import open_store
    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parent / "data" / "store-0.1.0.sqlite", path)
    store = open_store(f"sqlite:///{path}")
    records = store.query()
    assert all(store.event_of(r.id) for r in records)
    details = store.event_details({store.event_of(r.id) for r in records})
    assert sum(d.records for d in details.values()) == len(records) == 3
    assert store.count(of="events") == len(details)
