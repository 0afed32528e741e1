"""Zooming a large selection in real Chromium, every non-local request blocked: the dashboard on
21,000 SYNTHETIC incidents (benchmarks/synthetic.py) first draws grid cells; zooming the map in
reruns the page, which draws finer cells for the view, then single incidents, and the map keeps
its zoom and centre through each rerun.

Uses the browser fixture and helpers of tests/test_e2e.py.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from benchmarks import synthetic
from geo import open_store
from geo.settings import DB_ENV
from tests.test_e2e import MAP_FRAME, _require_chromium, browser, dashboard, wait_for_app  # noqa: F401

SIZE = 21_000  # more located places than the map draws one by one (geo.map.layer.AGGREGATE_ABOVE)
CENTRE = synthetic.CENTRES["Deir ez-Zor"][:2]  # (lon, lat): the densest part of the synthetic data

# What the map iframe draws: the hook geo/map/static/strike_atlas.js exposes, and Leaflet's view.
DRAWN = """() => { const h = window.strikeAtlasLayer; if (!h || !window.map) return null;
    const c = window.map.getCenter();
    return {mode: h.mode, cell: h.cell, count: h.count, incidents: h.incidents, group: L.stamp(h.group),
            zoom: window.map.getZoom(), lat: c.lat, lon: c.lng}; }"""


@pytest.fixture(scope="module")
def large_server(tmp_path_factory):
    """The dashboard on a free port with a store of SIZE synthetic incidents; yields its base URL."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("e2e-zoom")
    url = f"sqlite:///{folder / 'incidents.sqlite'}"
    store = open_store(url)
    for batch in synthetic.batches(SIZE, 7_000):
        store.add(batch)
    store.close()
    with dashboard(folder, {DB_ENV: url}) as base:
        yield base


def drawn(page) -> dict | None:
    try:
        return page.frame_locator(MAP_FRAME).locator("body").evaluate(DRAWN, timeout=1_000)
    except PlaywrightError:  # the iframe is still loading
        return None


def wait_for_layer(page, ready, timeout_ms: int = 30_000) -> dict | None:
    """Poll the map until `ready(drawn)` holds (or time runs out); returns the last drawn state."""
    state, deadline = None, time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        state = drawn(page)
        if state is not None and ready(state):
            break
        page.wait_for_timeout(250)
    return state


def settled(page, timeout_ms: int = 30_000) -> dict:
    """The layer once the page has stopped rerunning: the same one drawn for a second."""
    deadline = time.monotonic() + timeout_ms / 1000
    state = wait_for_layer(page, lambda s: s["count"] > 0, timeout_ms)
    while time.monotonic() < deadline:
        wait_for_app(page)
        page.wait_for_timeout(1_000)
        again = drawn(page)
        if again is not None and state is not None and again["group"] == state["group"]:
            return again
        state = again
    pytest.fail(f"the map kept redrawing for {timeout_ms / 1000:.0f} s: last {state}")


def zoom_in(page, before: dict) -> dict:
    """Press the map's "+" button, as a user would; returns the layer the rerun drew."""
    page.frame_locator(MAP_FRAME).locator(".leaflet-control-zoom-in").click()
    state = wait_for_layer(page, lambda s: s["group"] != before["group"])
    assert state["group"] != before["group"], f"zooming to {before['zoom'] + 1} drew no new layer: {state}"
    return settled(page)


def test_zooming_in_draws_finer_cells_then_single_incidents(large_server, browser):  # noqa: F811
    base = large_server
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.set_default_timeout(30_000)
    outside: list[str] = []
    page.context.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith((base, "data:"))
                       else (outside.append(route.request.url), route.abort()))
    try:
        page.goto(base, wait_until="domcontentloaded")
        wait_for_app(page, timeout=60_000)
        page.wait_for_selector(MAP_FRAME, timeout=30_000)
        first = wait_for_layer(page, lambda s: s["count"] > 0)
        assert first["mode"] == "cells" and first["cell"] > 0, first
        whole = settled(page)  # once st_folium has reported the view, cells sized for its zoom
        assert whole["mode"] == "cells", whole

        # Jump over the densest part at zoom 10 (moveend, as after a wheel zoom): finer cells, summed
        # for the view and its margin only, and the map stays where it was put.
        lon, lat = CENTRE
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("body").evaluate(
            "(_, [lat, lon]) => { window.map.setView([lat, lon], 10, {animate: false}); }", [lat, lon])
        wait_for_layer(page, lambda s: s["group"] != whole["group"])
        closer = settled(page)
        assert closer["mode"] == "cells" and closer["cell"] < min(whole["cell"], first["cell"]), closer
        assert closer["incidents"] < whole["incidents"]
        assert closer["zoom"] == 10 and abs(closer["lat"] - lat) < 1e-3 and abs(closer["lon"] - lon) < 1e-3
        assert "Aggregated for this zoom" in frame.locator(".sa-notice").first.inner_text()

        # The "+" button, step by step: cells never coarser, then single incidents; the zoom is kept.
        state = closer
        for _ in range(6):
            previous, state = state, zoom_in(page, state)
            assert state["zoom"] == previous["zoom"] + 1, f"the rerun reset the view: {state}"
            assert abs(state["lat"] - lat) < 1e-3 and abs(state["lon"] - lon) < 1e-3, state
            if state["mode"] == "points":
                break
            assert state["cell"] <= previous["cell"], (previous, state)
        assert state["mode"] == "points" and 0 < state["incidents"] <= closer["incidents"], state
        assert state["count"] > 0 and state["cell"] is None
        assert "Single incidents" in frame.locator(".sa-notice").first.inner_text()
        print(f"\ncells {first['cell']}° → {whole['cell']}° (zoom {whole['zoom']}) → {closer['cell']}° "
              f"(zoom 10) → points at zoom {state['zoom']} ({state['count']:,} marks)")
        assert all("tile" in url for url in outside), f"needs the internet for {outside}"
    finally:
        page.close()
