"""The dashboard page (`app.py`) through Streamlit's AppTest, on a store the tests fill themselves."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import open_store
from geo.export import FORMATS
from geo.model import Incident
from geo.places import boundaries
from geo.settings import DB_ENV
from tests.fixtures_formats import outlines_geojson

APP = Path(__file__).resolve().parent.parent / "app.py"

# Synthetic incidents (test data, not real reports): distinct provinces, tolls and words.
ROWS = [
    dict(id="t-raqqa-1", date="2020-03-02", places=["Testville North"], points=[(39.011, 35.951)],
         province="Raqqa", killed=7, killed_max=9, children=3, actor="Alpha air force",
         source="Wire One", quote="seven dead near the bridge"),
    dict(id="t-raqqa-2", date="2020-03-04", places=["Testville South"], points=[(39.022, 35.902)],
         province="Raqqa", killed=2, children=0, actor="Alpha air force", source="Wire Two",
         quote="two dead at the market"),
    dict(id="t-deir-1", date="2020-03-05", places=["Riverbend", "Lostplace"],
         points=[(40.133, 35.333), None], province="Deir ez-Zor", killed=12, children=5,
         actor="Beta coalition", source="Monitor Three", quote="twelve dead in a bakery"),
    dict(id="t-deir-cum", date="2020-03-02", date_end="2020-03-06", places=["Riverbend"],
         points=[(40.133, 35.333)], province="Deir ez-Zor", killed=40, children=10,
         cumulative=True, actor="Beta coalition", source="Monitor Three",
         quote="forty dead since Monday"),
    dict(id="t-aleppo-1", date="2020-03-10", places=["Hilltop"], points=[(37.155, 36.205)],
         province="Aleppo", killed=None, actor="Gamma drones", source="Wire One",
         quote="an unknown number hurt"),
]
INCIDENTS = [Incident.from_dict(row) for row in ROWS]


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'incidents.sqlite'}"
    store = open_store(url)
    store.add(INCIDENTS)
    store.close()
    return url


@pytest.fixture(scope="module")
def outlines_dir(tmp_path_factory) -> Path:
    """Two rectangles installed as the Deir ez-Zor and Raqqa outlines."""
    folder = tmp_path_factory.mktemp("outlines")
    boundaries.add(outlines_geojson(folder / "source.geojson"), 1, "shapeName", directory=folder,
                   credit="Boundaries: test rectangles, licence T-1")
    return folder


@pytest.fixture
def app(db_url, monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv(DB_ENV, db_url)
    monkeypatch.setenv(boundaries.BOUNDARIES_ENV, str(tmp_path / "no-outlines"))
    return AppTest.from_file(str(APP), default_timeout=60)


def table_ids(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["id"])


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def map_layer_js(at: AppTest) -> str:
    """The JavaScript of the layer the page hands to the st_folium component."""
    component = at.get("component_instance")
    assert component, "no st_folium component on the page"
    return json.loads(component[0].proto.json_args)["feature_group"] or ""


def expected_deaths(incidents: list[Incident]) -> str:
    counted = [i for i in incidents if not i.cumulative and i.killed is not None]
    low = sum(i.killed for i in counted)
    high = sum(i.killed_max if i.killed_max is not None else i.killed for i in counted)
    return f"{low}–{high}" if high != low else f"{low}"


def url_param(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_every_incident_with_figures(app):
    at = run(app)
    assert table_ids(at) == {i.id for i in INCIDENTS}
    assert metric(at, "Incidents") == str(len(INCIDENTS))
    assert metric(at, "Reported deaths") == expected_deaths(INCIDENTS)
    assert metric(at, "Children killed") == str(sum(i.children or 0 for i in INCIDENTS
                                                         if not i.cumulative))
    captions = " ".join(c.value for c in at.caption)
    assert "cumulative record" in captions  # the excluded running toll is explained
    assert "GeoNames (CC BY 4.0, geonames.org)" in captions
    assert "OpenStreetMap contributors" in captions
    assert "not verified" in captions
    assert f"{len(INCIDENTS)} incidents in all provinces" in at.markdown[0].value


def test_choosing_a_province_changes_table_figures_and_url(app):
    at = run(app)
    at.multiselect[0].set_value(["Raqqa"])
    run(at)
    raqqa = [i for i in INCIDENTS if i.province == "Raqqa"]
    assert table_ids(at) == {i.id for i in raqqa}
    assert metric(at, "Incidents") == str(len(raqqa))
    assert metric(at, "Reported deaths") == expected_deaths(raqqa)
    assert url_param(at, "province") == ["Raqqa"]


def test_minimum_deaths_and_text_filters(app):
    at = run(app)
    at.number_input[0].set_value(5)
    run(at)
    assert table_ids(at) == {i.id for i in INCIDENTS if (i.killed or 0) >= 5}
    at.number_input[0].set_value(0)
    at.text_input(key="f_text").set_value("bakery")
    run(at)
    assert table_ids(at) == {"t-deir-1"}
    assert metric(at, "Reported deaths") == expected_deaths([INCIDENTS[2]])


def test_date_range_filter(app):
    at = run(app)
    at.date_input[0].set_value((dt.date(2020, 3, 5), dt.date(2020, 3, 10)))
    run(at)
    # The cumulative record spans 2–6 March, so it overlaps and stays.
    assert table_ids(at) == {"t-deir-1", "t-deir-cum", "t-aleppo-1"}
    assert url_param(at, "start") == ["2020-03-05"]


def test_url_parameters_seed_the_filters(app):
    app.query_params["province"] = ["Deir ez-Zor", "Aleppo"]
    app.query_params["min_killed"] = "10"
    at = run(app)
    assert at.multiselect[0].value == ["Deir ez-Zor", "Aleppo"]
    assert at.number_input[0].value == 10
    assert table_ids(at) == {"t-deir-1", "t-deir-cum"}


def test_a_shared_map_view_survives_the_url_round_trip(app):
    app.query_params["bbox"] = "38.9,35.8,39.1,36.0"  # around the two Raqqa incidents
    app.query_params["province"] = "Raqqa"
    at = run(app)
    assert table_ids(at) == {"t-raqqa-1", "t-raqqa-2"}
    assert url_param(at, "bbox") == ["38.9,35.8,39.1,36"]
    assert "in the map view" in at.markdown[0].value
    at.number_input[0].set_value(5)  # changing another filter keeps the box
    run(at)
    assert table_ids(at) == {"t-raqqa-1"} and url_param(at, "bbox") == ["38.9,35.8,39.1,36"]
    next(b for b in at.button if b.label == "Show the whole map").click()
    run(at)
    assert url_param(at, "bbox") == [] and "in the map view" not in at.markdown[0].value


def test_bad_url_parameters_warn_and_show_everything(app):
    app.query_params["start"] = "2020-13-01"
    app.query_params["province"] = "Atlantis"
    at = run(app)
    assert at.warning and "could not be used" in at.warning[0].value
    assert table_ids(at) == {i.id for i in INCIDENTS}


def test_reset_restores_everything(app):
    app.query_params["province"] = "Aleppo"
    at = run(app)
    assert table_ids(at) == {"t-aleppo-1"}
    at.button[0].click()
    run(at)
    assert at.multiselect[0].value == []
    assert table_ids(at) == {i.id for i in INCIDENTS}


def test_no_match_shows_an_empty_state(app):
    at = run(app)
    at.text_input(key="f_text").set_value("no such word anywhere")
    run(at)
    assert at.dataframe[0].value.empty
    assert any("No incidents match" in i.value for i in at.info)
    assert metric(at, "Incidents") == "0"


def test_download_buttons_for_every_format(app):
    at = run(app)
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {f"download-{name}" for name in FORMATS}
    assert all(b.label.startswith("Download ") and not b.disabled for b in buttons.values())


def test_map_component_gets_only_the_filtered_incidents(app):
    at = run(app)
    js = map_layer_js(at)
    for name in ("Testville North", "Riverbend", "Hilltop"):
        assert name in js
    at.multiselect[0].set_value(["Raqqa"])
    run(at)
    js = map_layer_js(at)
    assert "Testville North" in js and "Testville South" in js
    assert "Riverbend" not in js and "Hilltop" not in js


def test_unlocated_places_are_marked_with_the_fix(app):
    at = run(app)
    table = at.dataframe[0].value.set_index("id")
    assert "Lostplace (not located)" in table.loc["t-deir-1", "places"]
    assert any("python -m geo gazetteer fetch SY" in c.value for c in at.caption)


def test_user_text_is_shown_literally(app):
    at = run(app)
    at.text_input(key="f_actor").set_value("[click](javascript:alert(1)) <b>x</b>")
    run(at)
    sentence = at.markdown[0].value
    assert "\\[click\\]" in sentence and "\\<b\\>" in sentence


def test_corrupt_database_gives_an_error_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "broken.sqlite"
    bad.write_bytes(b"this is not a database file at all " * 200)
    monkeypatch.setenv(DB_ENV, f"sqlite:///{bad}")
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert at.error and "cannot be opened" in at.error[0].value
    assert "not a readable SQLite database" in at.error[0].value


def test_empty_store_says_how_to_fill_it(tmp_path, monkeypatch):
    monkeypatch.setenv(DB_ENV, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert any("store is empty" in i.value and "python -m geo import" in i.value for i in at.info)
    buttons = at.get("download_button")
    assert buttons and all(b.disabled for b in buttons)


def test_link_with_only_an_end_date_before_the_data(app):
    app.query_params["end"] = "2019-01-01"
    at = run(app)
    assert at.dataframe[0].value.empty
    assert url_param(at, "end") == ["2019-01-01"]


def outline_payload(at: AppTest) -> dict | None:
    """What the page hands the map's runtime for the province outlines (None: no outlines)."""
    js = map_layer_js(at)
    if "StrikeAtlas.outlines(" not in js:
        return None
    return json.JSONDecoder().raw_decode(js[js.index("{", js.index("StrikeAtlas.outlines(")):])[0]


def test_outlines_shaded_by_the_selection_under_the_markers(app, outlines_dir, monkeypatch):
    monkeypatch.setenv(boundaries.BOUNDARIES_ENV, str(outlines_dir))
    at = run(app)
    payload = outline_payload(at)
    assert payload is not None and payload["selectable"]
    deaths = {p["p"]: p["d"] for p in payload["props"]}
    expected = {province: sum(i.killed or 0 for i in INCIDENTS
                              if i.province == province and not i.cumulative)
                for province in ("Deir ez-Zor", "Raqqa")}
    assert deaths == {"Deir ez-Zor": expected["Deir ez-Zor"], "Raqqa": expected["Raqqa"]}
    js = map_layer_js(at)
    assert js.index("StrikeAtlas.outlines(") < js.index("StrikeAtlas.draw(")  # drawn first: underneath
    assert any("Boundaries: test rectangles, licence T-1" in c.value.replace("\\", "")
               for c in at.caption)  # credited on the page (Markdown-escaped)

    at.multiselect[0].set_value(["Raqqa"])
    run(at)
    props = {p["p"]: p for p in outline_payload(at)["props"]}
    assert props["Raqqa"]["s"] and not props["Deir ez-Zor"]["s"]  # the chosen province is outlined
    assert props["Deir ez-Zor"]["d"] == 0  # only the selection's deaths

    at.toggle(key="f_outlines").set_value(False)
    run(at)
    assert outline_payload(at) is None and "StrikeAtlas.draw(" in map_layer_js(at)
    assert not any("test rectangles" in c.value for c in at.caption)


def test_without_outlines_the_sidebar_says_how_to_add_them(app):
    at = run(app)
    assert outline_payload(at) is None
    assert any("python -m geo boundaries fetch SYR" in c.value for c in at.sidebar.caption)
    assert not at.get("toggle")


def test_grade_filter_in_the_sidebar_and_the_url(app):
    at = run(app)
    at.multiselect(key="f_grade").set_value(["corroborated"])
    run(at)
    assert url_param(at, "grade") == ["corroborated"]
    assert not at.dataframe or table_ids(at) == set()  # the test records each have one source
    at.multiselect(key="f_grade").set_value(["single source"])
    run(at)
    assert table_ids(at) == {i.id for i in INCIDENTS}
