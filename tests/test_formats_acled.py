"""ACLED exports → incidents: the column mapping, both date styles, spellings, and row rejects."""

from pathlib import Path

import pytest

from geo.formats import FormatError
from geo.formats.acled import from_row, read_acled
from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows


def test_row_maps_to_incident():
    inc = from_row(acled_row(0, event_id_cnty="SYR777", fatalities="9", geo_precision="2",
                             source="Monitor A", notes="Houses hit.", time_precision="2"))
    assert inc.id == "acled:SYR777"
    assert inc.date == "2017-08-01"
    assert inc.places == ["Al Bukamal"] and inc.points == [(40.92, 34.45)]
    assert inc.province == "Deir ez-Zor" and inc.country == "SY"
    assert inc.killed == 9 and inc.killed_max is None
    assert inc.geo_precision == 2
    assert inc.source == "ACLED: Monitor A"
    assert inc.event_type == "Air/drone strike" and inc.actor == "Coalition air forces"
    assert inc.notes.startswith("Houses hit.")
    assert "civilians targeted" in inc.notes and "known to the week" in inc.notes


@pytest.mark.parametrize("text, expected", [
    ("2017-08-17", "2017-08-17"), ("17 August 2017", "2017-08-17"), ("3 Sep 2017", "2017-09-03"),
])
def test_both_date_styles(text, expected):
    assert from_row(acled_row(1, event_date=text)).date == expected


@pytest.mark.parametrize("admin1, province", [
    ("Deir ez Zor", "Deir ez-Zor"), ("Dayr az Zawr governorate", "Deir ez-Zor"),
    ("Ar-Raqqa", "Raqqa"), ("Ar Raqqah governorate", "Raqqa"), ("", None),
])
def test_province_spellings(admin1, province):
    assert from_row(acled_row(2, admin1=admin1)).province == province


def test_other_countries_keep_their_admin1():
    inc = from_row(acled_row(3, country="Iraq", admin1="Ninewa"))
    assert inc.country == "IQ" and inc.province == "Ninewa"


def test_bad_rows_are_rejected_with_line_and_reason(tmp_path: Path):
    rows = [acled_row(0), acled_row(1, country="Atlantis"), acled_row(2, event_date="soon"),
            acled_row(3, latitude="123.5"), acled_row(4, fatalities="-2"), acled_row(5)]
    result = read_acled(write_rows(tmp_path / "acled.csv", ACLED_COLUMNS, rows))
    assert [i.id for i in result.incidents] == ["acled:SYR10000", "acled:SYR10005"]
    assert [r.line for r in result.rejects] == [3, 4, 5, 6]
    reasons = [r.reason for r in result.rejects]
    assert "country" in reasons[0] and "Atlantis" in reasons[0]
    assert "event_date" in reasons[1]
    assert "latitude" in reasons[2]
    assert "killed" in reasons[3] and "negative" in reasons[3]
    assert result.rejects[0].raw["event_id_cnty"] == "SYR10001"


def test_file_without_acled_columns_is_a_format_error(tmp_path: Path):
    path = tmp_path / "other.csv"
    path.write_text("date,places\n2017-08-01,Raqqa\n", encoding="utf-8")
    with pytest.raises(FormatError, match="event_id_cnty"):
        read_acled(path)


def test_a_row_with_too_many_cells_is_rejected_alone(tmp_path: Path):
    path = write_rows(tmp_path / "acled.csv", ACLED_COLUMNS, [acled_row(i) for i in range(3)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",stray,cells"  # the second data row, line 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_acled(path)
    assert [i.id for i in result.incidents] == ["acled:SYR10000", "acled:SYR10002"]
    assert [r.line for r in result.rejects] == [3]
    assert "33 cells for 31 columns" in result.rejects[0].reason
    assert result.rejects[0].raw["event_id_cnty"] == "SYR10001"
    assert result.rejects[0].raw["extra_2"] == "cells"


def test_rows_after_a_multiline_note_keep_their_line(tmp_path: Path):
    rows = [acled_row(0, notes="first line\nsecond line"), acled_row(1, country="Nowhere")]
    path = write_rows(tmp_path / "acled.csv", ACLED_COLUMNS, rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[-1] += ",extra"  # forces the line-exact reader
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_acled(path)
    assert [r.line for r in result.rejects] == [4]
