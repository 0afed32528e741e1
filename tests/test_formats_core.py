"""The project's own GeoJSON and CSV: validity, round trips, spreadsheet safety, row-level rejects."""

import csv as std_csv
import io
import json

import geopandas
import pytest

from geo.formats import FormatError, csv, geojson
from tests.conftest import make_incident


@pytest.fixture
def incidents():
    return [
        make_incident(id="one", places=["Al Jala"], points=[(40.84054, 34.63346)], killed=6, children=3),
        make_incident(id="many", places=["A", "B", "C"], points=[(40.1, 35.2), None, (40.3, 35.4)],
                      killed=12, killed_max=15, children=None, injured=20, date_end="2017-08-19"),
        make_incident(id="none", places=["Nowhere"], points=[None], killed=None, children=None),
        make_incident(id="west", places=["W"], points=[(-3.7, 40.4)], country="ES", province=None),
    ]


def test_geojson_is_rfc7946_and_reads_in_geopandas(incidents, tmp_path):
    text = geojson.dumps(incidents)
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [40.84054, 34.63346]}
    assert data["features"][1]["geometry"]["type"] == "MultiPoint"
    path = tmp_path / "x.geojson"
    path.write_text(text)
    frame = geopandas.read_file(path)
    assert len(frame) == 4
    assert list(frame["id"]) == ["one", "many", "none", "west"]
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].x == pytest.approx(40.84054)
    assert frame["killed"].iloc[0] == 6


def test_geojson_round_trip(incidents):
    assert geojson.loads(geojson.dumps(incidents)).incidents == incidents


def test_csv_round_trip(incidents):
    result = csv.loads(csv.dumps(incidents))
    assert result.rejects == []
    assert result.incidents == incidents


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_cells_are_safe_in_spreadsheets(evil):
    inc = make_incident(source=evil, actor=evil, places=[evil], points=[(40.0, 35.0)], quote=evil)
    text = csv.dumps([inc])
    row = next(std_csv.DictReader(io.StringIO(text)))
    for column in ("source", "actor", "places", "quote"):
        assert not row[column].startswith(("=", "+", "-", "@", "\t")), column
    assert csv.loads(text).incidents == [inc]


def test_csv_negative_longitude_stays_a_number():
    inc = make_incident(country="ES", province=None, places=["W"], points=[(-3.7, 40.4)])
    row = next(std_csv.DictReader(io.StringIO(csv.dumps([inc]))))
    assert float(row["longitude"]) == pytest.approx(-3.7)


def test_csv_bad_rows_are_reported_with_line_and_good_rows_load(incidents):
    text = csv.dumps(incidents[:2])
    lines = text.splitlines()
    header = lines[0].split(",")
    bad = lines[1].replace("2017-08-17", "2017-13-45", 1)
    negative = dict(zip(header, next(std_csv.reader([lines[1]]))))
    text = "\n".join([lines[0], bad, lines[2], lines[1].replace(",6,", ",-6,", 1)]) + "\n"
    result = csv.loads(text)
    assert [i.id for i in result.incidents] == ["many"]
    assert [r.line for r in result.rejects] == [2, 4]
    assert "date" in result.rejects[0].reason and "line 2" in result.rejects[0].reason
    assert "killed" in result.rejects[1].reason and "negative" in result.rejects[1].reason
    assert negative["id"] == "one"


def test_geojson_bad_feature_is_reported_and_others_load(incidents):
    data = geojson.to_feature_collection(incidents[:2])
    data["features"][0]["properties"]["children"] = 99
    result = geojson.loads(json.dumps(data))
    assert [i.id for i in result.incidents] == ["many"]
    assert result.rejects[0].line == 1 and "children" in result.rejects[0].reason


def test_unreadable_files_raise_format_error(tmp_path):
    with pytest.raises(FormatError, match="not valid JSON"):
        geojson.loads("{nope")
    with pytest.raises(FormatError, match="FeatureCollection"):
        geojson.loads("[1, 2]")
    with pytest.raises(FormatError, match="date"):
        csv.loads("a,b\n1,2\n")
    binary = tmp_path / "b.csv"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(FormatError, match="UTF-8"):
        csv.read_csv(binary)


def test_files_with_a_byte_order_mark_are_read(incidents, tmp_path):
    # Windows tools often save UTF-8 with a BOM; json.loads refuses one unless it is dropped.
    for name, text, reader in (("x.geojson", geojson.dumps(incidents), geojson.read_geojson),
                               ("x.csv", csv.dumps(incidents), csv.read_csv)):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        assert reader(path).incidents == incidents, name


def test_csv_row_with_surplus_cells_or_bad_points_is_rejected_with_a_reason(incidents):
    lines = csv.dumps(incidents[:1]).splitlines()
    header = lines[0].split(",")
    points_at = header.index("points")
    cells = next(std_csv.reader([lines[1]]))
    bad_points = list(cells)
    bad_points[points_at] = "40.8 north"
    text = "\n".join([lines[0], lines[1] + ",surplus", ",".join(f'"{c}"' for c in bad_points),
                      lines[1]]) + "\n"
    result = csv.loads(text)
    assert len(result.incidents) == 1
    assert [r.line for r in result.rejects] == [2, 3]
    assert "more cell(s) than the header" in result.rejects[0].reason
    assert "points" in result.rejects[1].reason and "longitude latitude" in result.rejects[1].reason
