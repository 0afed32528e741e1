"""Hostile and odd files (made here by code): each bad row is a reject with a sentence, each
unreadable file a FormatError sentence, never a traceback; CSV cells stay safe in spreadsheets."""

import csv as std_csv
import io
import json
from pathlib import Path

import pytest

from geo.formats import FormatError, Reject, csv, geojson
from geo.formats.reader import read_file
from geo.ingest.importer import import_file, rejects_csv
from tests.conftest import make_incident
from tests.test_model_bounds import PYTHON_WORDS


@pytest.fixture(autouse=True)
def no_installed_outlines(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))


def _feature(**props):
    geometry = props.pop("geometry", {"type": "Point", "coordinates": [40.1, 35.3]})
    return {"type": "Feature", "geometry": geometry,
            "properties": {"date": "2017-08-17", "places": ["A"], **props}}


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _sentences(rejects: list[Reject]) -> None:
    for reject in rejects:
        assert not any(word in reject.reason for word in PYTHON_WORDS), reject.reason


@pytest.mark.parametrize("bad", [
    _feature(geometry="POINT (1 2)"), _feature(geometry=[40, 34]), _feature(geometry=5),
    _feature(country=12), _feature(killed=1e20), _feature(killed=10 ** 22),
    _feature(places={"a": 1}), _feature(date="2017-W01-1"), 5, "text", [1, 2],
    {"type": "Feature", "properties": "x"}, _feature(id="i" * 201),
])
def test_an_odd_feature_is_a_reject_and_the_good_one_loads(bad):
    result = geojson.loads(_collection(bad, _feature(id="good")))
    assert [i.id for i in result.incidents] == ["good"]
    assert [r.line for r in result.rejects] == [1]
    _sentences(result.rejects)


@pytest.mark.parametrize("text, fragment", [
    ('{"type": "FeatureCollection", "features": 5}', "must be a list"),
    ('{"type": "FeatureCollection", "features": [' + "[" * 5000 + "]" * 5000 + "]}", "nested deeper"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"killed": ' + "9" * 5000 + "}}]}",
     "not readable JSON"),
    ("[1, 2]", "FeatureCollection"),
])
def test_unreadable_geojson_is_a_sentence(text, fragment):
    with pytest.raises(FormatError, match=fragment):
        geojson.loads(text)


def test_a_lone_surrogate_escape_is_cleaned():
    text = _collection(_feature(id="s", notes="PLACEHOLDER")).replace("PLACEHOLDER", "x\\ud800y")
    result = geojson.loads(text)
    assert result.incidents[0].notes == "x\ufffdy"


def test_cr_only_line_endings_are_read(tmp_path: Path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"date,places,killed\r2017-08-17,A,3\r2017-08-18,B,x\r")
    result = read_file(path)
    assert [i.killed for i in result.incidents] == [3]
    assert [r.line for r in result.rejects] == [3] and "killed" in result.rejects[0].reason


def test_a_cell_of_any_length_is_read(tmp_path: Path):
    path = tmp_path / "long.csv"
    path.write_text("date,places,notes\n2017-08-17,A," + "n" * 300_000 + "\n", encoding="utf-8")
    assert len(read_file(path).incidents[0].notes) == 300_000


def test_a_csv_starting_with_sqlite_magic_is_a_sentence(tmp_path: Path):
    path = tmp_path / "fake.csv"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    with pytest.raises(FormatError, match="GeoPackage"):
        read_file(path)


def test_bytes_that_are_not_utf8_late_in_a_file_reject_that_row_alone(tmp_path: Path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"date,places\n" + b"2017-08-17,A\n" * 6000 + b"2017-08-18,Caf\xe9\n2017-08-19,C\n")
    result = read_file(path, "csv")
    assert len(result.incidents) == 6001
    assert [r.line for r in result.rejects] == [6002] and "UTF-8" in result.rejects[0].reason


def test_hostile_values_in_a_csv_reject_their_row_only(tmp_path: Path):
    path = tmp_path / "hostile.csv"
    rows = [["id", "date", "places", "killed", "province", "country", "notes"],
            ["huge", "2017-08-17", "A", "1e20", "", "SY", ""],
            ["digits", "2017-08-17", "A", "12345678901234567890123", "", "SY", ""],
            ["i" * 201, "2017-08-17", "A", "1", "", "SY", ""],
            ["prov", "2017-08-17", "A", "1", "P" * 65, "IQ", ""],
            ["span", "0001-01-01", "A", "1", "", "SY", ""],
            ["nul", "2017-08-17", "A", "1", "", "SY", "a\x00b"],
            ["good", "2017-08-17", "A", "1", "", "SY", ""]]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        std_csv.writer(handle).writerows(rows)
    result = read_file(path, "csv")
    assert {i.id for i in result.incidents} == {"nul", "good"}
    assert [i.notes for i in result.incidents if i.id == "nul"] == ["ab"]
    assert [r.line for r in result.rejects] == [2, 3, 4, 5, 6]
    _sentences(result.rejects)


@pytest.mark.parametrize("cell", ["ok\r@SUM(1+1)", "ok\n=cmd", "ok\r\n+1", "=a\n-b"])
def test_a_line_break_in_a_cell_is_quoted_and_the_next_line_neutralised(cell):
    inc = make_incident(notes=cell, actor=cell)
    text = csv.dumps([inc])
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert not line.startswith(("=", "+", "-", "@")), line
    row = next(std_csv.DictReader(io.StringIO(text, newline="")))
    assert row["notes"] == csv.safe_cell(cell)  # one quoted cell, its line breaks inside it
    assert csv.loads(text).incidents == [inc]


def test_the_rejects_file_shares_the_writer():
    text = rejects_csv([Reject(2, "line 2: bad", {"notes": "ok\r@SUM(1+1)", "n": "1\n=2"})])
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert not line.startswith(("=", "+", "-", "@")), line
    row = next(std_csv.DictReader(io.StringIO(text, newline="")))
    assert row["notes"] == "ok\r'@SUM(1+1)" and row["n"] == "1\n'=2"


def test_import_of_a_hostile_geojson_keeps_the_good_rows(tmp_path: Path, store):
    path = tmp_path / "h.geojson"
    path.write_text(_collection(_feature(id="h1", killed=2 ** 31), _feature(id="h2", notes="a\x00b"),
                                _feature(id="h3", province="Q" * 100, country="IQ"),
                                _feature(id="h" * 201), _feature(id="h5", date="2017-W01-1"),
                                _feature(id="good")), encoding="utf-8")
    summary = import_file(store, path)
    assert (summary.stored, summary.rejected) == (2, 4)
    assert {i.id for i in store.query()} == {"h2", "good"}
    assert store.get("h2").notes == "ab"
    _sentences(summary.rejects)
