"""End to end in a real browser: `streamlit run app.py` on a synthetic store, driven by Chromium.

Needs Debian's chromium at /usr/bin/chromium (skipped locally when absent, a failure when CI=true).
The page must work offline: Leaflet comes from /app/static, tiles are the only online part.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from geo import open_store
from geo.model import Incident
from geo.places import boundaries
from geo.settings import DB_ENV
from tests.fixtures_formats import outlines_geojson

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path("/tmp/strike-atlas.png")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

# Synthetic incidents (test data, not real reports): two provinces, one place each.
ROWS = [
    dict(id="e2e-raqqa-1", date="2021-05-01", places=["Testford"], points=[(39.02, 35.95)],
         province="Raqqa", killed=6, children=2, actor="Test air force", source="Test wire",
         quote="six dead in a test"),
    dict(id="e2e-raqqa-2", date="2021-05-03", places=["Testbury", "Nowhereville"],
         points=[(38.80, 35.84), None], province="Raqqa", killed=2, killed_max=4,
         source="Test wire"),
    dict(id="e2e-deir-1", date="2021-05-02", places=["Sampleton"], points=[(40.14, 35.33)],
         province="Deir ez-Zor", killed=11, children=4, source="Test monitor"),
    dict(id="e2e-deir-2", date="2021-05-04", places=["Exampleburg"], points=[(40.45, 35.02)],
         province="Deir ez-Zor", killed=None, source="Test monitor"),
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # not a Playwright wait: the browser is not started yet
    pytest.fail(f"streamlit did not answer /_stcore/health within {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a free port with a store of synthetic incidents; yields (base URL, start time)."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'incidents.sqlite'}"
    store = open_store(url)
    store.add(Incident.from_dict(row) for row in ROWS)
    store.close()
    # Province outlines: two rectangles, Raqqa (38–40 E, 35.5–36.5 N) and Deir ez-Zor (40–41.5 E,
    # 34–35.5 N), each holding its province's test incidents.
    outlines = folder / "outlines"
    boundaries.add(outlines_geojson(folder / "rectangles.geojson"), 1, "shapeName",
                   directory=outlines, credit="Boundaries: test rectangles")
    started = time.monotonic()
    with dashboard(folder, {DB_ENV: url, boundaries.BOUNDARIES_ENV: str(outlines)}) as base:
        yield base, started


@contextlib.contextmanager
def dashboard(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """`streamlit run app.py` on a free local port with `env` added; yields its base URL and stops
    it afterwards (its log goes to folder/streamlit.log)."""
    port = _free_port()
    log = folder / "streamlit.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"}, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Until the page is drawn and its script has finished running."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout)
    page.wait_for_timeout(300)  # let a rerun begin before asking whether it has ended
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached",
                           timeout=timeout)


def marker_count(page) -> int:
    """Incident markers drawn in the map iframe, from the hook geo/map/static/strike_atlas.js exposes."""
    frame = page.frame_locator(MAP_FRAME)
    return frame.locator("body").evaluate(
        "() => window.strikeAtlasLayer ? window.strikeAtlasLayer.count : -1", timeout=1_000)


def wait_for_markers(page, expected: int, timeout_ms: int = 20_000) -> int:
    """Poll the map until it shows `expected` markers (or time runs out); returns the last count."""
    count, deadline = -1, time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        try:
            count = marker_count(page)
        except PlaywrightError:  # the iframe is still loading
            count = -1
        if count == expected:
            break
        page.wait_for_timeout(250)
    return count


def located_places(rows) -> int:
    return sum(1 for row in rows for point in row["points"] if point is not None)


def test_map_filters_and_geojson_download(server, browser, tmp_path):
    base, started = server
    page = browser.new_page(viewport={"width": 1440, "height": 1600}, accept_downloads=True)
    page.set_default_timeout(20_000)  # every wait is bounded: a broken page fails, never hangs
    outside: list[str] = []
    # No internet, as for a field analyst behind a firewall: only the local server answers.
    page.context.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(base) or route.request.url.startswith("data:")
                       else (outside.append(route.request.url), route.abort()))
    try:
        page.goto(base, wait_until="domcontentloaded")
        wait_for_app(page)
        page.wait_for_selector(MAP_FRAME, timeout=20_000)
        assert page.frame_locator(MAP_FRAME).locator(".leaflet-container").count() == 1

        everything = located_places(ROWS)
        assert wait_for_markers(page, everything) == everything
        print(f"\ncold start to first map: {time.monotonic() - started:.1f} s")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        # Choose a province in the sidebar: the markers follow.
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.locator("[data-testid='stMultiSelect'] input").first.fill("Raqqa")  # Provinces, above Source grade
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for_app(page)
        raqqa = [row for row in ROWS if row["province"] == "Raqqa"]
        assert wait_for_markers(page, located_places(raqqa)) == located_places(raqqa)
        assert "province=Raqqa" in page.url
        assert all("tile" in url for url in outside), f"needs the internet for {outside}"
        print(f"blocked {len(outside)} outside requests, e.g. {outside[:1]}")

        # The GeoJSON download holds exactly the shown incidents.
        with page.expect_download(timeout=20_000) as info:
            page.get_by_role("button", name="Download GeoJSON").click()
        path = tmp_path / "download.geojson"
        info.value.save_as(path)
        assert info.value.suggested_filename.endswith(".geojson")
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection" and "crs" not in data
        assert {f["id"] for f in data["features"]} == {row["id"] for row in raqqa}
        for feature in data["features"]:
            lon, lat = (feature["geometry"]["coordinates"] if feature["geometry"]["type"] == "Point"
                        else feature["geometry"]["coordinates"][0])
            assert 35 < lon < 43 and 32 < lat < 38  # lon/lat order, in Syria

        with page.expect_download(timeout=20_000) as info:
            page.get_by_role("button", name="Download CSV").click()
        info.value.save_as(tmp_path / "download.csv")
        with (tmp_path / "download.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(row["id"] for row in rows) == sorted(row["id"] for row in raqqa)
    finally:
        page.close()


# The fill of a point of the outlines' canvas: [r, g, b, alpha] at (lat, lon), in the map iframe.
PIXEL_AT = """(_, [lat, lon]) => {
    const p = window.map.latLngToContainerPoint([lat, lon]);
    const box = window.map.getContainer().getBoundingClientRect();
    const canvas = document.querySelector('.leaflet-overlay-pane canvas');
    const c = canvas.getBoundingClientRect(), sx = canvas.width / c.width, sy = canvas.height / c.height;
    const x = Math.round((box.left + p.x - c.left) * sx), y = Math.round((box.top + p.y - c.top) * sy);
    return Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data);
}"""
DEIR_EMPTY_SPOT = (35.2, 40.3)  # inside the Deir ez-Zor rectangle, clear of its markers


def test_province_outlines_draw_and_filter_from_their_popup(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.set_default_timeout(20_000)
    page.context.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(base) else route.abort())
    try:
        page.goto(base, wait_until="domcontentloaded")
        wait_for_app(page)
        page.wait_for_selector(MAP_FRAME, timeout=20_000)
        everything = located_places(ROWS)
        assert wait_for_markers(page, everything) == everything
        body = page.frame_locator(MAP_FRAME).locator("body")
        assert body.evaluate("() => window.strikeAtlasOutlines.count") == 2
        assert body.evaluate("(_, [lat, lon]) => window.map.getBounds().contains([lat, lon])",
                             DEIR_EMPTY_SPOT)
        r, g, b, alpha = body.evaluate(PIXEL_AT, DEIR_EMPTY_SPOT)
        assert alpha > 0 and b > r  # Deir ez-Zor (most deaths) is filled blue under the markers
        assert "test rectangles" in body.evaluate(
            "() => document.querySelector('.leaflet-control-attribution').textContent")

        # A click on the province opens its popup and filters nothing (a stray click used to);
        # "Filter by this province" in the popup puts it in the filter: its markers alone stay.
        x, y = body.evaluate("(_, [lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                             " return [p.x, p.y]; }", DEIR_EMPTY_SPOT)
        frame = page.frame_locator(MAP_FRAME)
        frame.locator(".leaflet-container").click(position={"x": x, "y": y})
        frame.get_by_role("button", name="Filter by this province").wait_for()
        page.wait_for_timeout(1_000)
        assert marker_count(page) == everything and "province=" not in page.url
        frame.get_by_role("button", name="Filter by this province").click()
        deir = [row for row in ROWS if row["province"] == "Deir ez-Zor"]
        assert wait_for_markers(page, located_places(deir)) == located_places(deir)
        wait_for_app(page)
        assert "province=Deir+ez-Zor" in page.url
        chips = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.inner_text()
        assert "Deir ez-Zor" in chips

        # Its popup then offers to take it out of the filter (once: no rerun loop).
        page.frame_locator(MAP_FRAME).locator(".leaflet-container").click(position={"x": x, "y": y})
        page.frame_locator(MAP_FRAME).get_by_role("button", name="Remove from the province filter").click()
        assert wait_for_markers(page, everything) == everything
        wait_for_app(page)
        assert "province=" not in page.url
        page.wait_for_timeout(1_000)
        assert marker_count(page) == everything and "province=" not in page.url
    finally:
        page.close()
