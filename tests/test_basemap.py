"""The offline base map (bundled geography, town labels), the bundled province outlines, the HTML
export's heading and download names. Incidents here are test data made by code."""

from __future__ import annotations

import datetime as dt
import json
import re

from streamlit.testing.v1 import AppTest

from geo import open_store
from geo.export import FORMATS, download_name, export_bytes
from geo.filters import Filters
from geo.map import basemap
from geo.map import view as mapview
from geo.places import boundaries
from geo.places.gazetteer import Place
from geo.settings import DB_ENV
from tests.conftest import make_incident
from tests.test_app import APP, map_layer_js, outline_payload, run

PAGE_BUDGET = 300_000  # bytes the base map may add to a page


def setup_options(page: str) -> dict:
    """The options the page hands StrikeAtlas.setupMap, parsed back."""
    start = page.index("{", page.index("StrikeAtlas.setupMap("))
    return json.JSONDecoder().raw_decode(page[start:])[0]


def test_bundled_geography_is_small_and_complete():
    data = basemap.payload()
    assert "Syria" in data["country_names"] and {"Iraq", "Turkey", "Jordan"} <= set(data["country_names"])
    assert len(data["provinces"]) == 14 and len(data["rivers"]) >= 10 and data["lakes"]
    with_map = mapview.base_map(tiles=None).get_root().render().encode()
    without = mapview.base_map(tiles=None, geography=False).get_root().render().encode()
    assert 20_000 < len(with_map) - len(without) <= PAGE_BUDGET
    # rounded to 1e-3 degree: no coordinate carries more decimals
    text = (basemap.BASEMAP_DIR / "countries.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{4,}", text)


def test_geography_sits_in_the_page_with_its_credits():
    options = setup_options(mapview.base_map(tiles=None).get_root().render())
    assert options["basemap"]["credits"] == [basemap.BACKGROUND_CREDIT, basemap.BOUNDARIES_CREDIT]
    assert "CC BY 3.0 IGO" in basemap.BOUNDARIES_CREDIT and "public domain" in basemap.BACKGROUND_CREDIT
    assert setup_options(mapview.base_map(tiles=None, geography=False).get_root().render())["basemap"] is None


def test_town_labels_by_population_with_arabic_names():
    labels = {name: (arabic, zoom) for name, arabic, _, _, zoom in basemap.payload()["labels"]}
    assert labels["Deir ez-Zor"] == ("دير الزور", 6)
    assert labels["Al Mayadin"][1] == 8 and labels["Al Mayadin"][0] == "الميادين"
    assert labels["Ar Raqqah"][1] < labels["Al Mayadin"][1] < labels["Al Jala"][1]
    assert [basemap.label_zoom(p) for p in (2_000_000, 300_000, 50_000, 0)] == [5, 6, 8, 11]


def test_labels_choose_places_and_names():
    def place(name, pop, lon, country="SY", alternates=(), source="geonames:cities500"):
        return Place(name, 35.0, lon, country, "07", pop, source, alternates=list(alternates))

    chosen = basemap.town_labels([
        place("Small", 600, 41.0, alternates=["د مشق", "ئاممان", "صغير"]),
        place("Big", 90_000, 40.0),
        place("Big suburb", 80_000, 40.03),                      # ~3 km from Big: left out
        place("Far away", 10**6, 60.0),                          # outside the extent
        place("Turkish town", 20_000, 39.0, country="TR"),       # a small neighbour: left out
        place("Village", 0, 38.0, source="geonames:SY"),         # a dump's village: left out
        place("Big", 500, 37.0),                                 # the same name again
    ])
    assert [c[0] for c in chosen] == ["Big", "Small"]
    assert chosen[1][1] == "صغير"  # a split spelling and a Kurdish one are skipped
    assert basemap.arabic_name(["Dayr", "Kurdish ە"]) is None


def test_bundled_outlines_shade_the_provinces_without_any_download(tmp_path, monkeypatch):
    monkeypatch.delenv(boundaries.BOUNDARIES_ENV, raising=False)
    monkeypatch.setattr(boundaries, "DEFAULT_DIR", tmp_path / "nothing-installed")
    assert boundaries.outlines_dir() == boundaries.BUNDLED_DIR
    outlines = boundaries.load_outlines(1, boundaries.outlines_dir())
    assert outlines["province"].notna().all()  # every governorate matched to its canonical name
    assert len(outlines) == 14 and "Deir ez-Zor" in set(outlines["province"])
    assert outlines.attrs["credit"] == basemap.BOUNDARIES_CREDIT

    monkeypatch.setenv(boundaries.BOUNDARIES_ENV, str(tmp_path / "mine"))
    assert boundaries.outlines_dir() == tmp_path / "mine"  # a folder the user names is used as is


def test_dashboard_uses_the_bundled_outlines(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'i.sqlite'}"
    store = open_store(url)
    store.add([make_incident(id="b1", province="Deir ez-Zor", killed=5, children=None)])
    store.close()
    monkeypatch.setenv(DB_ENV, url)
    monkeypatch.delenv(boundaries.BOUNDARIES_ENV, raising=False)
    monkeypatch.setattr(boundaries, "DEFAULT_DIR", tmp_path / "nothing-installed")
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    payload = outline_payload(at)
    assert payload is not None and len(payload["props"]) == 14
    assert {p["p"]: p["d"] for p in payload["props"]}["Deir ez-Zor"] == 5
    footer = at.caption[-1].value.replace("\\", "")
    assert "Natural Earth" in footer and footer.count("geoBoundaries") == 1
    assert "StrikeAtlas.draw(" in map_layer_js(at)


def test_download_names_follow_the_filters():
    aug = Filters.parse(provinces=["Deir ez-Zor"], start="2017-08-01", end="2017-08-31")
    assert download_name(aug, "geojson") == "strike-atlas_deir-ez-zor_2017-08.geojson"
    assert download_name(Filters.parse(start="2017-01-01", end="2017-12-31"), "csv") == "strike-atlas_2017.csv"
    span = Filters.parse(provinces=["Raqqa", "Homs"], start="2017-08-14", end="2017-08-16", min_killed=5)
    assert download_name(span, "gpkg") == "strike-atlas_homs-raqqa_2017-08-14_2017-08-16_min5killed.gpkg"
    assert download_name(Filters.parse(start="2017-08-14"), "html") == "strike-atlas_from-2017-08-14.html"
    assert download_name(Filters.parse(text="../../etc/passwd"), "csv") == "strike-atlas_etc-passwd.csv"
    many = Filters.parse(provinces=["Raqqa", "Homs", "Hama", "Idlib"])
    assert download_name(many, "csv") == "strike-atlas_4-provinces.csv"
    assert download_name(Filters(), "csv", today=dt.date(2026, 12, 1)) == "strike-atlas_all_2026-12-01.csv"
    assert download_name(None, "geojson", today=dt.date(2026, 12, 1)).endswith(
        "_2026-12-01." + FORMATS["geojson"].extension)


def test_html_export_has_title_filters_date_and_legend():
    hostile = "<script>alert(1)</script>"
    filters = Filters.parse(provinces=["Deir ez-Zor"], actor=hostile)
    page = mapview.to_html([make_incident(id="h1", killed=3, children=1)], filters,
                           exported=dt.date(2026, 12, 1)).decode()
    assert "<title>Strike Atlas: reported incidents</title>" in page
    assert "<h1>Strike Atlas: reported incidents</h1>" in page
    assert "1 incident in Deir ez-Zor, actor contains" in page and "Exported 2026-12-01" in page
    assert hostile not in page and "&lt;script&gt;" in page
    assert "StrikeAtlas.legend(" in page and "Natural Earth" in page
    assert "StrikeAtlas.setupMap(" in page and '"provinces":[' in page  # the base map, inline
    via_export = export_bytes([make_incident(id="h2")], "html", filters).decode()
    assert "Deir ez-Zor" in via_export.split("</header>")[0]
