"""Map layer benchmark on SYNTHETIC incidents (benchmarks/synthetic.py; never real reports).

For 1k, 10k and 100k incidents: HTML bytes per incident and build time (layer built and rendered
to HTML) of geo.map.view's compact canvas layer against the naive folium habit (one CircleMarker
per place, with Popup and Tooltip), measured in the same run. The naive baseline runs only up to
NAIVE_MAX; above it the table says n/a (nothing is extrapolated). At 100k the layer aggregates into
grid cells; the "points" rows force aggregation off to show the raw layer at that size.

    .venv/bin/python benchmarks/bench_map.py [--sizes 1000,10000,100000] [--browser]

--browser also times, in headless Chromium (/usr/bin/chromium), the standalone HTML from page
navigation to the first frame painted after the layer was added (window.strikeAtlasLayer.drawnMs),
with the offline base map (geo/map/basemap.py) and without it. The first table line gives the
bytes the base map adds to a page (raw and gzipped, as a server would send it);
and, for sizes of at least PAGE_MIN, the dashboard itself (`streamlit run app.py` on a SQLite store
of that many incidents, every non-local request blocked): from navigation to the first frame
painted with the incident layer in the map's iframe, on a fresh server (cold) and once more (warm).
"""

from __future__ import annotations

import argparse
import gzip
import html
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import folium  # noqa: E402
from synthetic import batches, incident  # noqa: E402

from geo.map import view as mapview  # noqa: E402
from geo.map.layer import layer_data, to_json  # noqa: E402

NAIVE_MAX = 10_000
PAGE_MIN = 100_000  # the dashboard's first drawn marks are timed from this size (--browser)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
GEOMETRY_COLUMNS = ("x", "y", "np", "k", "cl", "cu")  # what is needed to draw the marks


def render(m: folium.Map) -> str:
    return m.get_root().render()


def ours(incidents, aggregate_above: int) -> tuple[float, int]:
    """Seconds to build and render the layer, and the bytes it adds to the page."""
    base_bytes = len(render(mapview.base_map()).encode())
    start = time.perf_counter()
    m = mapview.base_map()
    mapview.incident_layer(incidents, aggregate_above=aggregate_above).add_to(m)
    page = render(m)
    return time.perf_counter() - start, len(page.encode()) - base_bytes


def naive(incidents) -> tuple[float, int]:
    """The usual folium habit: one CircleMarker with Popup and Tooltip per located place."""
    base_bytes = len(render(folium.Map(location=mapview.CENTRE, zoom_start=8)).encode())
    start = time.perf_counter()
    m = folium.Map(location=mapview.CENTRE, zoom_start=8, prefer_canvas=True)
    for inc in incidents:
        text = html.escape(f"{inc.date} {', '.join(inc.places)}: {inc.killed} killed; {inc.source}")
        for _, (lon, lat) in inc.located:
            folium.CircleMarker([lat, lon], radius=3 + (inc.killed or 0) ** 0.5,
                                popup=folium.Popup(text), tooltip=text).add_to(m)
    page = render(m)
    return time.perf_counter() - start, len(page.encode()) - base_bytes


def geometry(incidents, aggregate_above: int) -> tuple[str, int]:
    """The layer's mode and the JSON bytes of the columns needed to draw its marks."""
    data = layer_data(incidents, aggregate_above=aggregate_above)
    cols = GEOMETRY_COLUMNS if data.mode == "points" else ("x", "y", "ck", "cl")
    return data.mode, sum(len(to_json(data.payload[c])) for c in cols)


def basemap_bytes() -> tuple[int, int]:
    """Bytes (raw, gzipped) the offline base map adds to a page: geography and town names."""
    with_map = render(mapview.base_map(tiles=None, static_prefix=None)).encode()
    without = render(mapview.base_map(tiles=None, static_prefix=None, geography=False)).encode()
    return len(with_map) - len(without), len(gzip.compress(with_map)) - len(gzip.compress(without))


def first_marker_ms(incidents, aggregate_above: int, geography: bool = True) -> float:
    """Headless Chromium: ms from navigation start to the first frame painted with the layer."""
    from playwright.sync_api import sync_playwright

    m = mapview.base_map(tiles=None, static_prefix=None, geography=geography)
    mapview.incident_layer(incidents, aggregate_above=aggregate_above).add_to(m)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.html"
        path.write_text(render(m), encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(path.as_uri())
            page.wait_for_function("window.strikeAtlasLayer && window.strikeAtlasLayer.drawnMs",
                                   timeout=120_000)
            ms = page.evaluate("window.strikeAtlasLayer.drawnMs")
            browser.close()
    return ms


def page_first_marks_ms(size: int) -> tuple[tuple[float, float], tuple[float, float], str]:
    """The dashboard on `size` stored incidents in headless Chromium: (ms from navigation to the
    first frame painted with the incident layer, ms of that before the map's iframe began loading),
    cold (a fresh server) and warm (the next visit), and the first layer's mode."""
    from playwright.sync_api import sync_playwright

    from geo import open_store
    from geo.settings import DB_ENV

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'page.sqlite'}"
        store = open_store(url)
        for batch in batches(size):
            store.add(batch)
        store.close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, DB_ENV: url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_healthy(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                cold, mode = _first_marks(browser, base)
                warm, _ = _first_marks(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return cold, warm, mode


def _wait_healthy(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer at {base} within {timeout:.0f} s")


def _first_marks(browser, base: str) -> tuple[tuple[float, float], str]:
    """One visit: ms from the page's navigation start to the map iframe's first painted layer, and
    to the iframe's own start."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:"))
               else route.abort())
    page.goto(base, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=120_000)
    frame = page.frame_locator(MAP_FRAME).locator("body")
    # Polled every 20 ms in the iframe, so the first layer is seen before a rerun's replaces it
    # (that takes a round trip to the server); both clocks as epoch ms.
    painted, frame_start, mode = frame.evaluate(
        "() => new Promise((done) => { const t = setInterval(() => { const h = window.strikeAtlasLayer;"
        " if (h && h.drawnMs) { clearInterval(t);"
        " done([performance.timeOrigin + h.drawnMs, performance.timeOrigin, h.mode]); } }, 20); })",
        timeout=120_000)
    start = page.evaluate("() => performance.timeOrigin")
    page.close()
    return (painted - start, frame_start - start), mode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--browser", action="store_true", help="also time the first drawn marker in Chromium")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("SYNTHETIC incidents (benchmarks/synthetic.py), not real reports.")
    raw, packed = basemap_bytes()
    print(f"offline base map adds {raw:,} bytes to a page ({packed:,} gzipped); budget 300,000")
    print(f"{'incidents':>9} {'mode':>6} {'B/inc':>7} {'geom B/inc':>10} {'build s':>8} "
          f"{'naive B/inc':>11} {'naive s':>8} {'bytes ×':>8} {'speed ×':>8} {'first mark ms':>13} "
          f"{'no base map':>11}")
    for n in sizes:
        incidents = [incident(i) for i in range(n)]
        variants = [mapview.AGGREGATE_ABOVE]
        if n * 1.2 > mapview.AGGREGATE_ABOVE:
            variants.append(10**12)  # the same size drawn as points, aggregation off
        baseline = naive(incidents) if n <= NAIVE_MAX else None
        for aggregate_above in variants:
            seconds, size = ours(incidents, aggregate_above)
            mode, geom_bytes = geometry(incidents, aggregate_above)
            geom = geom_bytes / n
            browser = (f"{first_marker_ms(incidents, aggregate_above):13.0f} "
                       f"{first_marker_ms(incidents, aggregate_above, geography=False):11.0f}"
                       if args.browser else f"{'-':>13} {'-':>11}")
            if baseline:
                nsec, nbytes = baseline
                cols = (f"{nbytes / n:11.0f} {nsec:8.2f} {nbytes / size:8.1f} {nsec / seconds:8.1f}")
            else:
                cols = f"{'n/a':>11} {'n/a':>8} {'n/a':>8} {'n/a':>8}"
            print(f"{n:9,} {mode:>6} {size / n:7.1f} {geom:10.1f} {seconds:8.3f} {cols} {browser}", flush=True)
    pages = [n for n in sizes if n >= PAGE_MIN] if args.browser else []
    for n in pages:
        cold, warm, mode = page_first_marks_ms(n)
        print(f"dashboard, {n:,} stored: first drawn marks ({mode}) {cold[0]:.0f} ms from navigation on a "
              f"fresh server, {warm[0]:.0f} ms on the next visit (target ≤ 1,500); the map's iframe "
              f"began loading at {cold[1]:.0f} and {warm[1]:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
