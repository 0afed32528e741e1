"""UCDP GED → incidents: tolls, precision codes, date spans, rejects."""

from pathlib import Path

import pytest

from geo.formats.ucdp import from_row, read_ucdp
from geo.model import ValidationError
from tests.fixtures_formats import UCDP_COLUMNS, ucdp_row, write_rows


def test_row_maps_to_incident():
    inc = from_row(ucdp_row(0, id="445566", low="4", best="6", high="11", deaths_civilians="5",
                            source_original="Monitor B"))
    assert inc.id == "ucdp:445566"
    assert (inc.date, inc.date_end) == ("2017-08-10", "2017-08-12")
    assert inc.killed == 4 and inc.killed_max == 11
    assert "best estimate: 6" in inc.notes and "civilian deaths: 5" in inc.notes
    assert inc.source == "UCDP GED: Monitor B"
    assert inc.province == "Deir ez-Zor" and inc.country == "SY"
    assert inc.actor == "Government of Syria" and inc.event_type == "one-sided violence"


def test_single_day_and_equal_tolls_leave_end_and_max_empty():
    inc = from_row(ucdp_row(1, date_start="2017-08-10", date_end="2017-08-10", low="3", best="3",
                            high="3"))
    assert inc.date_end is None and inc.killed == 3 and inc.killed_max is None


@pytest.mark.parametrize("where_prec, precision", [("1", 1), ("2", 2), ("3", 3), ("4", 3), ("5", 3)])
def test_where_prec_mapping(where_prec, precision):
    assert from_row(ucdp_row(2, where_prec=where_prec)).geo_precision == precision


@pytest.mark.parametrize("where_prec", ["6", "7"])
def test_country_level_and_sea_rows_are_rejected(where_prec):
    with pytest.raises(ValidationError, match="where_prec"):
        from_row(ucdp_row(3, where_prec=where_prec))


def test_file_with_bad_rows(tmp_path: Path):
    rows = [ucdp_row(0), ucdp_row(1, where_prec="6"), ucdp_row(2, low="5", high="2"),
            ucdp_row(3, date_start="2017-08-20", date_end="2017-08-01"), ucdp_row(4)]
    result = read_ucdp(write_rows(tmp_path / "ged.csv", UCDP_COLUMNS, rows))
    assert [i.id for i in result.incidents] == ["ucdp:300000", "ucdp:300004"]
    assert [r.line for r in result.rejects] == [3, 4, 5]
    assert "killed_max" in result.rejects[1].reason
    assert "date_end" in result.rejects[2].reason
