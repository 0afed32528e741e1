"""Province outlines: fetch from a loopback geoBoundaries API, add a file, load, and draw them."""

import json
import socket
from pathlib import Path

import pytest

from geo.cli import main
from geo.map import view as mapview
from geo.places import boundaries
from geo.places.boundaries import BoundaryError
from tests.fixtures_formats import outlines_geojson, rectangle
from tests.loopback import serve


@pytest.fixture
def api(tmp_path: Path):
    """A geoBoundaries look-alike on 127.0.0.1: /api/SYR/ADM1/ → record, /files/… → GeoJSON."""
    root = tmp_path / "www"
    (root / "api" / "SYR" / "ADM1").mkdir(parents=True)
    (root / "files").mkdir()
    outlines_geojson(root / "files" / "syr1.geojson")
    with serve(folder=root) as base:
        record = {"boundaryID": "SYR-ADM1-test", "boundaryISO": "SYR", "boundaryType": "ADM1",
                  "boundaryLicense": "Test licence 1.0", "boundarySource": "Test mapping office",
                  "simplifiedGeometryGeoJSON": f"{base}/files/syr1.geojson"}
        (root / "api" / "SYR" / "ADM1" / "index.html").write_text(json.dumps(record), encoding="utf-8")
        yield f"{base}/api"


def test_fetch_installs_outlines_with_licence_and_credit(api: str, tmp_path: Path):
    folder = tmp_path / "outlines"
    result = boundaries.fetch("SYR", 1, api_base=api, directory=folder)
    assert result.path == folder / "SYR_ADM1.geojson" and result.features == 2
    sidecar = json.loads((folder / "SYR_ADM1.json").read_text(encoding="utf-8"))
    assert sidecar["licence"] == "Test licence 1.0"
    assert "Test mapping office" in sidecar["credit"] and "geoBoundaries" in sidecar["credit"]
    outlines = boundaries.load_outlines(1, folder)
    assert sorted(outlines["province"]) == ["Deir ez-Zor", "Raqqa"]
    assert "Test licence 1.0" in outlines.attrs["credit"]


def test_fetch_through_the_cli(api: str, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "cli-outlines"))
    assert main(["boundaries", "fetch", "SYR", "--api-base", api]) == 0
    assert "installed 2 outlines" in capsys.readouterr().out
    assert main(["boundaries", "list"]) == 0
    assert "SYR ADM1: 2 outlines" in capsys.readouterr().out


def test_unknown_level_is_a_clear_error(api: str, tmp_path: Path):
    with pytest.raises(BoundaryError, match="HTTP 404"):
        boundaries.fetch("SYR", 2, api_base=api, directory=tmp_path)


def test_network_failure_is_a_clear_error(tmp_path: Path, capsys, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path))
    code = main(["boundaries", "fetch", "SYR", "--api-base", f"http://127.0.0.1:{port}/api"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach" in err and "Traceback" not in err


def test_add_a_file_with_its_name_field(tmp_path: Path):
    source = outlines_geojson(tmp_path / "mine.geojson", name_field="GOV_NAME")
    result = boundaries.add(source, 1, "GOV_NAME", directory=tmp_path / "o", licence="CC0")
    assert result.unmatched == []
    assert sorted(boundaries.load_outlines(1, tmp_path / "o")["province"]) == ["Deir ez-Zor", "Raqqa"]
    with pytest.raises(BoundaryError, match="no field 'NAME_1'"):
        boundaries.add(source, 1, "NAME_1", directory=tmp_path / "o")


def test_add_rejects_points(tmp_path: Path):
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [40, 35]},
         "properties": {"n": "x"}}]}), encoding="utf-8")
    with pytest.raises(BoundaryError, match="not a polygon layer"):
        boundaries.add(path, 1, "n", directory=tmp_path / "o")


def test_no_outlines_installed(tmp_path: Path):
    assert boundaries.load_outlines(1, tmp_path / "empty") is None


def outline_payload(page: str) -> dict:
    """The JSON the outline layer hands to StrikeAtlas.outlines, parsed back."""
    start = page.index("{", page.index("StrikeAtlas.outlines("))
    return json.JSONDecoder().raw_decode(page[start:])[0]


def test_outline_layer_colours_escapes_and_has_a_legend(tmp_path: Path):
    path = tmp_path / "named.geojson"
    hostile = "<img src=x onerror=alert(1)></script>`${x}`"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": rectangle(40, 34, 41, 35), "properties": {"n": "Deir ez Zor"}},
        {"type": "Feature", "geometry": rectangle(38, 35, 39, 36), "properties": {"n": hostile}},
    ]}), encoding="utf-8")
    boundaries.add(path, 1, "n", directory=tmp_path / "o", credit="Credit <b>line</b>")
    outlines = boundaries.load_outlines(1, tmp_path / "o")
    fmap = mapview.base_map(tiles=None, static_prefix=None)
    boundaries.outline_layer(outlines, {"Deir ez-Zor": 40}).add_to(fmap)
    page = fmap.get_root().render()
    assert "<img" not in page and "alert(1)></script>" not in page  # the name stays data, not markup
    payload = outline_payload(page)
    deir, other = payload["props"]
    assert deir == {"p": "Deir ez-Zor", "l": "Deir ez-Zor", "d": 40, "c": boundaries.COLOURS[-1],
                    "s": False}
    assert other["l"] == hostile and other["p"] == "" and other["c"] == boundaries.NO_DEATHS
    assert payload["credit"] == "Credit <b>line</b>"  # the runtime adds it as text, not HTML
    assert payload["legend"]["title"] == "Reported deaths per province"
    assert payload["legend"]["rows"][0] == ["0", boundaries.NO_DEATHS]
    assert payload["selectable"] is False
    assert payload["shapes"][0]["type"] == "Polygon"
    assert payload["shapes"][0]["coordinates"][0][:2] == [[40, 34], [41, 34]]


def test_outline_layer_for_the_dashboard_marks_the_chosen_provinces(tmp_path: Path):
    boundaries.add(outlines_geojson(tmp_path / "rects.geojson"), 1, "shapeName", directory=tmp_path)
    outlines = boundaries.load_outlines(1, tmp_path)
    fmap = mapview.base_map(tiles=None, static_prefix=None)
    boundaries.outline_layer(outlines, {"Raqqa": 3}, selected=["Raqqa"]).add_to(fmap)
    payload = outline_payload(fmap.get_root().render())
    assert payload["selectable"] is True
    assert {p["p"]: (p["s"], p["d"]) for p in payload["props"]} == {"Deir ez-Zor": (False, 0),
                                                                   "Raqqa": (True, 3)}


def test_legend_rows_name_every_class():
    breaks = boundaries.class_breaks(1000)
    rows = boundaries.legend_rows(breaks, 1000)
    assert rows[0] == ["0", boundaries.NO_DEATHS]
    assert [colour for _, colour in rows[1:]] == list(boundaries.COLOURS[:len(breaks)])
    assert rows[1][0] == "1–200" and rows[-1][0] == "801–1,000"
    assert boundaries.legend_rows(boundaries.class_breaks(1), 1) == [["0", boundaries.NO_DEATHS],
                                                                    ["1", boundaries.COLOURS[0]]]


def test_class_breaks_cover_the_range():
    for highest in (1, 2, 7, 100, 12345):
        breaks = boundaries.class_breaks(highest)
        assert breaks[0] == 1 and breaks == sorted(set(breaks)) and breaks[-1] <= highest
        assert boundaries.colour_for(highest, breaks) == boundaries.COLOURS[len(breaks) - 1]
    assert boundaries.colour_for(0, boundaries.class_breaks(10)) == boundaries.NO_DEATHS


@pytest.mark.parametrize("sidecar", ['["not", "an", "object"]', "{broken", '{"credit": 7}'])
def test_a_damaged_sidecar_leaves_the_outlines_without_credit(tmp_path: Path, sidecar: str):
    path = tmp_path / "named.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": rectangle(40, 34, 41, 35), "properties": {"n": "Raqqa"}}]}),
        encoding="utf-8")
    boundaries.add(path, 1, "n", directory=tmp_path / "o", credit="kept")
    [written] = (tmp_path / "o").glob("*.json")
    written.write_text(sidecar, encoding="utf-8")
    outlines = boundaries.load_outlines(1, tmp_path / "o")
    assert list(outlines["province"]) == ["Raqqa"]
    assert outlines.attrs["credit"] == ""
