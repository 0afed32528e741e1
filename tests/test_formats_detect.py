"""Format detection from names, first bytes and columns; read_file dispatch."""

from pathlib import Path

import pytest

from geo.formats import FormatError, csv, geojson
from geo.formats.detect import detect_format
from geo.formats.reader import read_file
from tests.conftest import make_incident
from tests.fixtures_formats import ACLED_COLUMNS, UCDP_COLUMNS, acled_row, ucdp_row, write_rows


def test_detects_each_format(tmp_path: Path):
    incidents = [make_incident(id="x1")]
    acled = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(0)])
    ucdp = write_rows(tmp_path / "u.csv", UCDP_COLUMNS, [ucdp_row(0)])
    ours = tmp_path / "ours.csv"
    csv.write_csv(incidents, ours)
    gj = tmp_path / "ours.data"  # no telling suffix: recognised by its first byte
    geojson.write_geojson(incidents, gj)
    report = tmp_path / "report.txt"
    report.write_text("A test report.", encoding="utf-8")
    assert [detect_format(p) for p in (acled, ucdp, ours, gj, report)] == \
        ["acled", "ucdp", "csv", "geojson", "report"]
    assert read_file(acled).incidents[0].id == "acled:SYR10000"
    assert read_file(gj).incidents == incidents


@pytest.mark.parametrize("content, message", [
    (b"\x00\x01binary", "not a text file"),
    (b"PK\x03\x04spreadsheet", "not a text file"),
    (b"name,value\nx,1\n", "cannot tell the format"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "thing.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message):
        read_file(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(FormatError, match="no such file"):
        read_file(tmp_path / "nope.csv")


def test_forced_format_that_does_not_fit(tmp_path: Path):
    path = write_rows(tmp_path / "u.csv", UCDP_COLUMNS, [ucdp_row(0)])
    with pytest.raises(FormatError, match="not an ACLED export"):
        read_file(path, "acled")
