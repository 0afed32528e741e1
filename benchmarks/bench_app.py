"""Dashboard benchmark: the map page (app.py, through Streamlit's AppTest) on a SQLite store of
100k and 1M SYNTHETIC incidents (benchmarks/synthetic.py; never real reports).

For each size: the first run (empty caches), reruns after changing a filter (each a selection not
seen before: p50), a rerun with nothing changed (cached), a narrow selection (a province and a
month), the incident layer's size in the page and this process's peak memory. The naive baseline
is the page's work as it was before large selections were summed in SQL, for the first run's
selection (everything): every incident read as an object (Store.query), then the headline, the
charts' frames, the table of every row and the map layer built from them (no Streamlit, so it is
a lower bound), in a child process, with its own peak memory.

    .venv/bin/python -m benchmarks.bench_app [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from geo import open_store  # noqa: E402
from geo.settings import DB_ENV  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
APP = ROOT / "app.py"
RERUNS = 5


def main(sizes: list[int] | None = None) -> list[dict]:
    """Load each size (growing one store) and time the page; returns the table rows."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    rows: list[dict] = []
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-app-"))
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    saved_env = os.environ.get(DB_ENV)
    os.environ[DB_ENV] = url
    store = open_store(url)
    stored = 0
    AppTest.from_file(str(APP), default_timeout=600).run()  # imports and Streamlit set-up, not timed
    try:
        for size in sorted(sizes or DEFAULT_SIZES):
            started = time.perf_counter()
            for batch in synthetic.batches(size - stored, 50_000, first=stored):
                store.add(batch)
            stored = size
            load = time.perf_counter() - started
            st.cache_data.clear()

            at = AppTest.from_file(str(APP), default_timeout=600)
            first = _timed(at.run)
            _check(at)
            layer = _layer_bytes(at)
            naive, naive_peak = _naive(url)
            rows.append(_row(size, "first run s (empty caches)", first, naive=naive, lower=True,
                             note=f"naive: all {size:,} read as Incidents, figures, table and layer "
                                  f"from them (peak {naive_peak:,.0f} MB); store loaded in {load:.0f} s"))
            mode = "grid cells summed in SQL" if b'"mode":"cells"' in layer else "one mark per place"
            rows.append(_row(size, "incident layer KB in the page", len(layer) / 1024,
                             note=f"{len(layer) / size:.2f} bytes per incident ({mode})"))

            times = []
            for minimum in range(1, RERUNS + 1):  # each a new (large) selection: nothing cached
                at.number_input(key="f_min_killed").set_value(minimum)
                times.append(_timed(at.run))
                _check(at)
            rows.append(_row(size, "rerun after a filter change s (p50)", statistics.median(times),
                             note=f"minimum deaths 1..{RERUNS}, each a new selection of "
                                  f"{_metric(at, 'Incidents')}+ incidents; max {max(times):.2f} s"))
            rows.append(_row(size, "rerun, nothing changed s", _timed(at.run),
                             note="every part cached on (filters, Store.version())"))
            at.number_input(key="f_min_killed").set_value(0)
            at.multiselect(key="f_provinces").set_value(["Raqqa"])
            at.run()
            at.date_input(key="f_dates").set_value((synthetic.FIRST_DAY.replace(year=2019, month=3),
                                                    synthetic.FIRST_DAY.replace(year=2019, month=3, day=31)))
            narrow = _timed(at.run)
            _check(at)
            rows.append(_row(size, "rerun, one province + a month s", narrow,
                             note=f"{_metric(at, 'Incidents')} incidents: read as incidents, drawn as points"))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows.append(_row(size, "peak memory MB (this process)", peak, target="< 1,500 at 1M",
                             note="maxrss: generating, storing and showing the synthetic incidents"))
    finally:
        store.close()
        if saved_env is None:
            os.environ.pop(DB_ENV, None)
        else:
            os.environ[DB_ENV] = saved_env
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _check(at) -> None:
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception[0].value}")


def _metric(at, label: str) -> str:
    return next((m.value for m in at.metric if m.label == label), "?")


def _layer_bytes(at) -> bytes:
    component = at.get("component_instance")
    return (json.loads(component[0].proto.json_args)["feature_group"] or "").encode() if component else b""


def _naive(url: str) -> tuple[float, float]:
    """Seconds and peak MB of the naive page work, in a child process."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_app", "--naive", url], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"naive baseline failed: {proc.stderr.strip()[-300:]}")
    seconds, peak = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds, peak


def naive_page(url: str) -> tuple[float, float]:
    """The page's data work before SQL sums: everything as Incident objects."""
    from geo import summary
    from geo.map import view as mapview
    started = time.perf_counter()
    incidents = open_store(url).query()
    summary.headline(incidents)
    step = summary.time_step(incidents)
    summary.deaths_over_time(incidents, step)
    summary.deaths_per_province(incidents)
    summary.table_frame(incidents)
    summary.gazetteer_hint(incidents)
    m = mapview.base_map()
    mapview.incident_layer(incidents).add_to(m)
    m.get_root().render()
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row(size: int, what: str, value: float, naive: float | None = None, lower: bool = False,
         target: str = "", note: str = "") -> dict:
    ratio = (naive / value if lower else value / naive) if value and naive else None
    return {"bench": "app", "size": size, "what": what, "value": value, "naive": naive, "ratio": ratio,
            "target": target, "note": note}


def _parse_sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_parse_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--naive", help=argparse.SUPPRESS)  # child process: the naive page work
    args = parser.parse_args()
    if args.naive:
        print(json.dumps(naive_page(args.naive)))
        sys.exit(0)
    from benchmarks.run import print_table
    print_table(main(args.sizes))
