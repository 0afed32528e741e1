"""GeoPackage export (geo.export) opens in geopandas with the right rows; import gives them back."""

from pathlib import Path

import geopandas
import pyogrio

from geo.export import export_bytes
from geo.formats.gpkg import read_gpkg, to_geodataframe
from tests.conftest import make_incident
from tests.fixtures_formats import acled_row


def _incidents():
    return [
        make_incident(id="one", places=["Al Jala"], points=[(40.84054, 34.63346)], killed=6),
        make_incident(id="many", places=["A", "B", "C"], points=[(40.1, 35.2), None, (40.3, 35.4)],
                      killed=12, killed_max=15, children=None, date_end="2017-08-19"),
        make_incident(id="nowhere", places=["Lost"], points=[None], killed=None, children=None,
                      cumulative=True),
    ]


def test_export_opens_in_geopandas(tmp_path: Path):
    path = tmp_path / "out.gpkg"
    path.write_bytes(export_bytes(_incidents(), "gpkg"))
    frame = geopandas.read_file(path)
    assert frame.crs.to_epsg() == 4326
    assert frame["id"].tolist() == ["one", "many", "nowhere"]
    assert frame["places"].tolist() == ["Al Jala", "A; B; C", "Lost"]
    assert frame.geometry.iloc[0].geom_type == "Point"
    assert frame.geometry.iloc[1].geom_type == "MultiPoint" and len(frame.geometry.iloc[1].geoms) == 2
    assert frame.geometry.iloc[2] is None or frame.geometry.iloc[2].is_empty
    assert frame["killed_max"].iloc[1] == 15
    assert pyogrio.list_layers(path)[0][0] == "incidents"


def test_round_trip(tmp_path: Path):
    incidents = _incidents()
    path = tmp_path / "out.gpkg"
    path.write_bytes(export_bytes(incidents, "gpkg"))
    result = read_gpkg(path)
    assert result.rejects == []
    assert result.incidents == incidents


def test_acled_layer_in_a_geopackage(tmp_path: Path):
    from shapely.geometry import Point

    rows = [acled_row(0), acled_row(1, event_date="not a day")]
    frame = geopandas.GeoDataFrame(rows, geometry=[Point(40.9, 34.4)] * 2, crs="EPSG:4326")
    frame["fatalities"] = [4, 2]  # numbers, as GIS tools store them
    path = tmp_path / "acled.gpkg"
    frame.to_file(path, layer="events")
    result = read_gpkg(path)
    assert [i.id for i in result.incidents] == ["acled:SYR10000"]
    assert result.incidents[0].killed == 4
    assert result.rejects[0].line == 2 and "event_date" in result.rejects[0].reason


def test_geodataframe_columns_follow_the_model():
    from geo.model import FIELDS

    frame = to_geodataframe(_incidents())
    assert list(frame.columns[:len(FIELDS)]) == list(FIELDS)


def test_a_file_that_is_no_geopackage_is_a_format_error(tmp_path: Path):
    # the import page and --format let a user call any file a GeoPackage; OGR would open a CSV
    import pytest

    from geo.formats import FormatError

    path = tmp_path / "events.csv"
    path.write_text("date,places\n2017-08-17,Hajin\n", encoding="utf-8")
    with pytest.raises(FormatError, match="not a GeoPackage"):
        read_gpkg(path)


def test_a_table_without_geometry(tmp_path: Path):
    # ACLED rows carry their own coordinates; the atlas's layer needs its points
    import pandas as pd
    import pytest

    from geo.formats import FormatError

    acled = tmp_path / "acled.gpkg"
    pyogrio.write_dataframe(pd.DataFrame([acled_row(0)]), str(acled), layer="events", driver="GPKG")
    assert [i.id for i in read_gpkg(acled).incidents] == ["acled:SYR10000"]
    plain = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"date": ["2017-08-17"], "places": ["Hajin"]}), str(plain),
                            layer="incidents", driver="GPKG")
    with pytest.raises(FormatError, match="no geometry"):
        read_gpkg(plain)
