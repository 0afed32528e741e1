"""Property tests (hypothesis): generated rows and values never crash the model, the readers or an
import, never half-load a file, and good rows are always kept. All data generated here."""

from __future__ import annotations

import csv as std_csv
import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.formats import FormatError, geojson
from geo.formats.reader import read_file
from geo.ingest.importer import import_file
from geo.model import FIRST_YEAR, LAST_YEAR, MAX_COUNT, MAX_CUMULATIVE, MAX_ID, Incident, ValidationError
from tests.conftest import make_incident
from tests.test_model_bounds import PYTHON_WORDS

# A modest search by default (the suite stays quick); ATLAS_EXAMPLES=1000 searches harder.
FEW = settings(max_examples=int(os.environ.get("ATLAS_EXAMPLES", "60")), deadline=None)
STORE = settings(max_examples=15, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text as hostile files hold it: NUL, lone surrogates, line breaks, formula starts, long cells.
hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "\ud800", "a\r@SUM(1)", "=cmd", "-1", "1e20", "NaN", "inf",
                     "2017-W01-1", "20170817xx", "0001-01-01", "9999-12-31", "[", "[1, [2]]",
                     "Raqqa", "Deir ez-Zor", "null", "12345678901234567890123", "x" * 300]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12)
FIELDS = ["id", "date", "date_end", "places", "points", "province", "country", "geo_precision",
          "killed", "killed_max", "children", "women", "injured", "actor", "notes", "cumulative",
          "longitude", "latitude", "report_hash"]


def _storable(inc: Incident) -> None:
    """What every incident that passed validation must be: bounded, dated, clean, typed."""
    bound = MAX_CUMULATIVE if inc.cumulative else MAX_COUNT
    for name in ("killed", "killed_max", "children", "women", "injured"):
        value = getattr(inc, name)
        assert value is None or (type(value) is int and 0 <= value <= bound)
    assert FIRST_YEAR <= int(inc.date[:4]) <= LAST_YEAR and len(inc.date) == 10
    assert 0 < len(inc.id) <= MAX_ID
    for text in [inc.id, *inc.places, *(getattr(inc, n) or "" for n in
                                         ("actor", "notes", "province", "source", "quote"))]:
        assert "\x00" not in text
        text.encode("utf-8")
    assert len(inc.points) == len(inc.places)
    for point in inc.points:
        assert point is None or all(math.isfinite(c) for c in point)


@FEW
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12))
def test_from_dict_either_builds_a_storable_incident_or_says_why(data):
    try:
        inc = Incident.from_dict(data)
    except ValidationError as exc:
        assert exc.field and not any(word in str(exc) for word in PYTHON_WORDS), str(exc)
        return
    _storable(inc)


@FEW
@given(json_values)
def test_from_feature_takes_any_json(value):
    feature = {"type": "Feature", "geometry": value, "properties": {"date": "2017-08-17", "places": ["A"]}}
    for candidate in (value, feature, {"type": "Feature", "properties": value}):
        try:
            _storable(Incident.from_feature(candidate))
        except ValidationError as exc:
            assert not any(word in str(exc) for word in PYTHON_WORDS), str(exc)


# --- files -----------------------------------------------------------------------------------

COLUMNS = ["id", "date", "places", "killed", "province", "country", "notes", "longitude", "latitude"]
good_rows = st.builds(
    lambda n, day, killed, notes: {"id": f"good-{n}", "date": f"2017-08-{day:02d}", "places": "Town",
                                   "killed": str(killed), "province": "Raqqa", "country": "SY",
                                   "notes": notes, "longitude": "39.01", "latitude": "35.95"},
    st.integers(0, 10 ** 6), st.integers(1, 28), st.integers(0, MAX_COUNT),
    st.text(max_size=20).map(lambda t: t.replace("\x00", "").encode("utf-8", "ignore").decode()))
bad_rows = st.builds(lambda n, column, value: {**{c: "" for c in COLUMNS}, "id": f"bad-{n}",
                                               "date": "2017-08-17", "places": "Town", column: value},
                     st.integers(0, 10 ** 6), st.sampled_from(["date", "killed", "country", "longitude"]),
                     st.sampled_from(["2017-W01-1", "1e20", "-3", "Syria", "north", "0001-01-01", "x"]))


def _unique(rows: list[dict]) -> list[dict]:
    return list({r["id"]: r for r in rows}.values())


def _write_csv(path: Path, rows: list[dict], newline: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        # Every cell quoted: Python's writer leaves a lone CR unquoted when rows end in LF, which
        # splits the row for any reader (the hostile case tests/test_formats_hostile.py covers).
        writer = std_csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator=newline,
                                    quoting=std_csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


@FEW
@given(st.lists(st.one_of(good_rows, bad_rows), max_size=15), st.sampled_from(["\n", "\r\n", "\r"]))
def test_csv_files_keep_every_good_row_and_reject_the_rest(tmp_path_factory, rows, newline):
    rows = _unique(rows)
    path = _write_csv(tmp_path_factory.mktemp("csv") / "x.csv", rows, newline)
    result = read_file(path, "csv")
    good = {r["id"] for r in rows if r["id"].startswith("good")}
    assert {i.id for i in result.incidents} == good
    assert len(result.incidents) + len(result.rejects) == len(rows)
    for reject in result.rejects:
        assert reject.line >= 2 and not any(word in reject.reason for word in PYTHON_WORDS)


@FEW
@given(st.lists(st.one_of(good_rows.map(lambda r: ("good", r)), json_values.map(lambda v: ("any", v))),
                max_size=12))
def test_geojson_features_of_any_shape_never_lose_the_good_ones(items):
    features, good = [], set()
    for n, (kind, value) in enumerate(items):
        if kind == "good":
            inc = Incident.from_dict({**value, "id": f"good-{n}"})
            features.append(inc.to_feature())
            good.add(inc.id)
        else:
            features.append(value)
    result = geojson.loads(json.dumps({"type": "FeatureCollection", "features": features}))
    assert good <= {i.id for i in result.incidents}
    assert len(result.incidents) + len(result.rejects) == len(features)


@FEW
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_in_a_sentence(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("x.csv", "x.geojson", "x.gpkg"):
        path = folder / name
        path.write_bytes(data)
        try:
            result = read_file(path)
        except FormatError as exc:
            assert not any(word in str(exc) for word in PYTHON_WORDS), str(exc)
            continue
        for reject in result.rejects:
            assert not any(word in reject.reason for word in PYTHON_WORDS), reject.reason


# --- imports into both stores ----------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_installed_outlines(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))


@STORE
@given(rows=st.lists(st.one_of(good_rows, bad_rows), min_size=1, max_size=12))
def test_an_import_stores_exactly_the_good_rows_on_both_backends(store, tmp_path_factory, rows):
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM incidents")
    store.add([make_incident(id="already-there")])
    rows = _unique(rows)
    path = _write_csv(tmp_path_factory.mktemp("imp") / "x.csv", rows, "\n")
    summary = import_file(store, path)
    good = {r["id"] for r in rows if r["id"].startswith("good")}
    assert summary.error is None
    assert (summary.stored, summary.rejected) == (len(good), len(rows) - len(good))
    assert {i.id for i in store.query()} == good | {"already-there"}
    assert all(i.killed is None or i.killed <= MAX_COUNT for i in store.query())
