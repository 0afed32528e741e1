"""Re-aggregation benchmark: geo.selection.map_layer for a map view at several zoom levels, on
SQLite and PostGIS stores of 100k and 1M SYNTHETIC incidents (benchmarks/synthetic.py; never real
reports), against the naive way of building the layer: every incident read as an object
(Store.query), then geo.map.layer.layer_data. The naive baseline runs up to NAIVE_MAX only
(nothing is extrapolated); at 1M the note gives its figure at NAIVE_MAX, a lower bound.

    .venv/bin/python -m benchmarks.bench_zoom [--sizes 100000,1000000]

A view is what the dashboard passes after a zoom: the screen box of a 1000 × 620 px map centred on
the densest part (Deir ez-Zor), through View.around (with its margin). Each figure is the median of
REPEATS calls, 3 above NAIVE_MAX (the page caches a layer per view: each call is one re-aggregation).
The PostgreSQL server is a throwaway one (tests/pg_server.py) unless STRIKE_ATLAS_TEST_PG_URL names one.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from geo import open_store  # noqa: E402
from geo.filters import Filters  # noqa: E402
from geo.map.layer import layer_data  # noqa: E402
from geo.selection import View, map_layer, select  # noqa: E402
from geo.store import Store  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
NAIVE_MAX = 100_000
ZOOMS = (6, 8, 10, 12, 14)
SCREEN_PX = (1000, 620)
REPEATS = 5  # calls per view (3 above NAIVE_MAX, where each takes seconds)
BATCH = 50_000


def screen_box(zoom: int, centre: tuple[float, float]) -> tuple[float, float, float, float]:
    """The (west, south, east, north) a SCREEN_PX map shows at `zoom` (equirectangular enough here)."""
    lon, lat = centre
    per_px = 360.0 / (256 * 2 ** zoom)
    half_w, half_h = SCREEN_PX[0] * per_px / 2, SCREEN_PX[1] * per_px * math.cos(math.radians(lat)) / 2
    return lon - half_w, lat - half_h, lon + half_w, lat + half_h


def main(sizes: list[int] | None = None, pg_url: str | None = None) -> list[dict]:
    """Fill one SQLite (and one PostGIS) store up to each size in turn and time the layers."""
    server = None
    if pg_url is None:
        pg_url, server = _start_pg()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-zoom-"))
    stores: dict[str, Store] = {"SQLite": open_store(f"sqlite:///{tmp / 'zoom.sqlite'}")}
    if pg_url:
        stores["PostGIS"] = open_store(pg_url)
        _truncate(stores["PostGIS"])
    rows: list[dict] = []
    stored = 0
    try:
        for size in sorted(sizes or DEFAULT_SIZES):
            for batch in synthetic.batches(size - stored, BATCH, first=stored):
                for store in stores.values():
                    store.add(batch)
            stored = size
            for name, store in stores.items():
                rows += _time_size(size, name, store)
    finally:
        for store in stores.values():
            if store.dialect == "postgresql":
                _truncate(store)
            store.close()
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _time_size(size: int, name: str, store: Store) -> list[dict]:
    selection = select(store, Filters())
    naive = _naive_ms(store) if size <= NAIVE_MAX else None
    if naive is not None:
        _NAIVE[name] = naive
    rows = []
    for zoom in ZOOMS:
        view = View.around(screen_box(zoom, synthetic.CENTRES["Deir ez-Zor"][:2]), zoom)
        map_layer(store, selection, view=view)  # warm the database pages, as a page's earlier runs do
        times, data = [], None
        for _ in range(REPEATS if size <= NAIVE_MAX else 3):
            started = time.perf_counter()
            data = map_layer(store, selection, view=view)
            times.append(time.perf_counter() - started)
        ms = statistics.median(times) * 1000
        what = f"zoom {zoom}: map_layer ms ({name})"
        drawn = (f"{data.drawn:,} cells of {data.payload['cell']:g}°" if data.mode == "cells"
                 else f"{data.drawn:,} single incidents")
        note = f"{drawn}, {data.incidents:,} incidents around the view"
        if naive is None and name in _NAIVE:
            note += f"; naive at {NAIVE_MAX // 1000}k: {_NAIVE[name]:,.0f} ms (a lower bound here)"
        rows.append({"bench": "zoom", "size": size, "what": what, "value": ms, "naive": naive,
                     "ratio": naive / ms if naive else None, "target": "≤ 300 at 1M", "note": note})
        print(f"{size:>9,} {name:7} zoom {zoom:2}: {ms:8.1f} ms  {note}", file=sys.stderr, flush=True)
    return rows


_NAIVE: dict[str, float] = {}  # the naive baseline's ms per store kind, at the largest size it ran


def _naive_ms(store: Store) -> float:
    """Every incident read as an object, then the layer built from them (once: it is slow)."""
    started = time.perf_counter()
    layer_data(store.query(Filters()))
    return (time.perf_counter() - started) * 1000


def _start_pg():
    try:
        from tests import pg_server
        server = pg_server.start()
        return server.url, server
    except Exception as exc:  # no PostgreSQL here: SQLite figures only
        print(f"bench_zoom: PostGIS left out ({str(exc).splitlines()[0]})", file=sys.stderr)
        return None, None


def _truncate(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE incidents, reports")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda t: [int(s.replace("_", "")) for s in t.split(",")],
                        default=list(DEFAULT_SIZES))
    parser.add_argument("--pg-url", default=os.environ.get("STRIKE_ATLAS_TEST_PG_URL"))
    args = parser.parse_args()
    from benchmarks.run import print_table
    print_table(main(args.sizes, args.pg_url))
