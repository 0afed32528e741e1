"""The dashboard on a selection too large to read as incidents (synthetic test data): figures from
SQL sums equal those from the incidents, the table shows its first rows, the map grid cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks import synthetic
from geo import open_store, summary
from geo.filters import Filters
from geo.settings import DB_ENV

APP = Path(__file__).resolve().parent.parent / "app.py"
SIZE = 21_000  # above the page's LARGE (5,000) and with more located places than maplayer aggregates


@pytest.fixture(scope="module")
def incidents():
    return list(synthetic.incidents(SIZE))


@pytest.fixture(scope="module")
def db_url(tmp_path_factory, incidents) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('large') / 'incidents.sqlite'}"
    store = open_store(url)
    store.add(incidents)
    store.close()
    return url


@pytest.fixture
def app(db_url, monkeypatch) -> AppTest:
    monkeypatch.setenv(DB_ENV, db_url)
    return AppTest.from_file(str(APP), default_timeout=90)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def layer_payload(at: AppTest) -> str:
    return json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"] or ""


def test_large_selection_sums_in_sql_and_shows_first_rows(app, incidents):
    at = app.run()
    assert not at.exception, at.exception
    head = summary.headline(incidents)
    assert metric(at, "Incidents") == f"{SIZE:,}"
    assert metric(at, "Reported deaths") == head.killed_text
    assert metric(at, "Children killed") == f"{head.children:,}"
    table = at.dataframe[0].value
    oldest = sorted(incidents, key=lambda i: (i.date, i.id))[:1000]
    assert list(table["id"]) == [i.id for i in oldest]
    assert any(f"first 1,000 of {SIZE:,} incidents" in c.value for c in at.caption)
    assert '"mode":"cells"' in layer_payload(at)
    assert "Aggregated" in layer_payload(at)


def test_narrowing_to_a_small_selection_reads_every_incident(app, incidents, db_url):
    at = app.run()
    at.multiselect[0].set_value(["Raqqa"])
    at.run()
    assert not at.exception, at.exception
    raqqa = open_store(db_url).query(Filters.parse(provinces=["Raqqa"]))
    assert 0 < len(raqqa) <= 5_000
    assert set(at.dataframe[0].value["id"]) == {i.id for i in raqqa}
    assert metric(at, "Reported deaths") == summary.headline(raqqa).killed_text
    assert '"mode":"points"' in layer_payload(at)


def _zoom_to(at: AppTest, box: tuple[float, float, float, float], zoom: int) -> AppTest:
    """What st_folium reports after the user zooms or pans (its value under the map's key)."""
    west, south, east, north = box
    at.session_state["incident-map"] = {"zoom": zoom, "bounds": {"_southWest": {"lat": south, "lng": west},
                                                                  "_northEast": {"lat": north, "lng": east}}}
    at.run()
    assert not at.exception, at.exception
    return at


def _payload(at: AppTest) -> dict:
    text = layer_payload(at)
    start = text.index('{"mode"')
    return json.JSONDecoder().raw_decode(text[start:])[0]


def test_zooming_in_aggregates_finer_then_shows_single_incidents(app, incidents):
    at = app.run()
    whole = _payload(at)
    assert whole["mode"] == "cells"
    # Zoomed in a few steps over the densest part: finer cells, only around the view.
    lons = sorted(i.points[0][0] for i in incidents if i.points and i.points[0])
    lats = sorted(i.points[0][1] for i in incidents if i.points and i.points[0])
    lon, lat = lons[len(lons) // 2], lats[len(lats) // 2]
    closer = _payload(_zoom_to(at, (lon - 0.6, lat - 0.4, lon + 0.6, lat + 0.4), 10))
    assert closer["mode"] == "cells" and closer["cell"] < whole["cell"]
    assert closer["n"] < whole["n"]
    # Closer still: few enough places around the view to draw them one by one.
    single = _payload(_zoom_to(at, (lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01), 16))
    assert single["mode"] == "points" and 0 < single["n"] <= 5_000
    assert metric(at, "Incidents") == f"{SIZE:,}"  # the headline is still the whole selection
