"""Store benchmark: import rate, filtered query p50/p95 and peak memory on SQLite and PostGIS, each
against a naive baseline measured in the same run. Data: benchmarks/synthetic.py (synthetic only).

    python -m benchmarks.bench_store --sizes 10000,100000 [--only import]

Each size runs in a fresh child process so its peak memory is its own. The PostgreSQL server is a
throwaway one (tests/pg_server.py) unless STRIKE_ATLAS_TEST_PG_URL names one; without PostgreSQL
the PostGIS rows are left out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from geo import open_store  # noqa: E402
from geo.filters import Filters  # noqa: E402
from geo.model import Incident  # noqa: E402
from geo.store import Store  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
NAIVE_IMPORT_ROWS = 2_000  # row-by-row insert is measured on a sample: its rate does not depend on size
BATCH = 50_000
ONE_ADD_MAX = 100_000  # the one-add import holds every incident in memory: with the queries, up to this size

Row = dict


def main(sizes: list[int] | None = None, pg_url: str | None = None, only: str | None = None) -> list[Row]:
    """Run every size (each in a child process) and return the table rows; `only="import"`
    leaves the query timings out."""
    server = None
    if pg_url is None:
        pg_url, server = _start_pg()
    rows: list[Row] = []
    try:
        for size in sizes or DEFAULT_SIZES:
            cmd = [sys.executable, "-m", "benchmarks.bench_store", "--one", str(size)]
            if pg_url:
                cmd += ["--pg-url", pg_url]
            if only:
                cmd += ["--only", only]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                rows.append(_row(size, "store benchmark failed", None, "", note=proc.stderr.strip()[-300:]))
                continue
            rows += json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if server is not None:
            server.stop()
    return rows


def _start_pg():
    try:
        from tests import pg_server
        server = pg_server.start()
        return server.url, server
    except Exception as exc:  # no PostgreSQL here: SQLite figures only
        print(f"bench_store: PostGIS left out ({str(exc).splitlines()[0]})", file=sys.stderr)
        return None, None


# --- one size, in the child process -----------------------------------------------------------

def run_size(size: int, pg_url: str | None, only: str | None = None) -> list[Row]:
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    stores = {"SQLite": open_store(f"sqlite:///{tmp / 'bench.sqlite'}")}
    if pg_url:
        stores["PostGIS"] = open_store(pg_url)
        _truncate(stores["PostGIS"])

    naive_rates = {name: _naive_import_rate(name, tmp, pg_url) for name in stores}
    seconds = dict.fromkeys(stores, 0.0)
    for batch in synthetic.batches(size, BATCH):
        for name, store in stores.items():
            started = time.perf_counter()
            store.add(batch)
            seconds[name] += time.perf_counter() - started
    for name, store in stores.items():
        assert store.count() == size, f"{name}: {store.count()} stored, {size} generated"
        rate = size / seconds[name]
        rows.append(_row(size, f"import rows/s, adds of {BATCH // 1000}k ({name})", rate, "≥ 50,000",
                         naive=naive_rates[name],
                         note=f"into a growing store; naive: one add per incident, {NAIVE_IMPORT_ROWS:,} rows"
                              + ("; server with fsync off" if name == "PostGIS" else "")))
    one_add = only == "import" or size <= ONE_ADD_MAX
    if one_add:
        rows.append(_one_add_row(size, open_store(f"sqlite:///{tmp / 'one-add.sqlite'}"), naive_rates["SQLite"]))

    rng = random.Random(size)
    for kind, make in ({} if only == "import" else QUERIES).items():
        samples = [make(rng) for _ in range(_repeats(size))]
        for name, store in stores.items():
            times, found = _time_queries(store.query, samples)
            frame_times, _ = _time_queries(store.query_frame, samples)
            naive = _naive_query_seconds(store, samples[0])
            rows.append(_row(size, f"{kind}: query p50 ms ({name})", _ms(_p(times, 50)), "< 150 at 1M",
                             naive=_ms(naive), lower_is_better=True,
                             note=f"{statistics.median(found):,.0f} incidents; naive: read all rows as "
                                  "validated Incidents, filter in Python (1 run)"))
            rows.append(_row(size, f"{kind}: query p95 ms ({name})", _ms(_p(times, 95)), "",
                             naive=_ms(naive), lower_is_better=True))
            rows.append(_row(size, f"{kind}: query_frame p50 ms ({name})", _ms(_p(frame_times, 50)), "",
                             naive=_ms(naive), lower_is_better=True))
    if one_add and "PostGIS" in stores:  # last: it replaces the incidents the queries ran on
        _truncate(stores["PostGIS"])
        rows.append(_one_add_row(size, stores["PostGIS"], naive_rates["PostGIS"]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(_row(size, "peak memory MB (this process)", peak, "< 1,500 at 1M",
                     note="maxrss incl. generating the synthetic data; the PostgreSQL server not counted"))
    for store in stores.values():
        if store.dialect == "postgresql":
            _truncate(store)
        store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _one_add_row(size: int, store: Store, naive_rate: float) -> Row:
    """Every incident in one add into an empty store (what `python -m geo import` does with a file)."""
    incidents = list(synthetic.incidents(size))
    started = time.perf_counter()
    store.add(incidents)
    rate = size / (time.perf_counter() - started)
    assert store.count() == size
    name = "PostGIS" if store.dialect == "postgresql" else "SQLite"
    if name == "SQLite":
        store.close()
    return _row(size, f"import rows/s, one add ({name})", rate, "≥ 50,000", naive=naive_rate,
                note="one transaction, as an import of one file; the incidents generated beforehand"
                     + ("; server with fsync off" if name == "PostGIS" else ""))


def _province_month(rng: random.Random) -> Filters:
    province = rng.choice(("Deir ez-Zor", "Raqqa", "Aleppo", "Idlib"))
    year, month = rng.randrange(2014, 2024), rng.randrange(1, 13)
    last = 30 if month in (4, 6, 9, 11) else 28 if month == 2 else 31
    return Filters.parse(provinces=[province], start=f"{year}-{month:02d}-01", end=f"{year}-{month:02d}-{last}")


def _bbox_min_killed(rng: random.Random) -> Filters:
    # A zoomed-in map view (about 50 x 45 km) near a governorate centre, at least 10 killed.
    lon, lat, _ = synthetic.CENTRES[rng.choice(("Deir ez-Zor", "Raqqa", "Aleppo", "Idlib"))]
    west, south = lon + rng.uniform(-0.4, 0.1), lat + rng.uniform(-0.3, 0.1)
    return Filters.parse(bbox=(west, south, west + 0.5, south + 0.4), min_killed=10)


QUERIES: dict[str, Callable[[random.Random], Filters]] = {
    "province + month": _province_month,
    "bbox + min_killed 10": _bbox_min_killed,
}


def _repeats(size: int) -> int:
    return 21 if size <= 100_000 else 11


def _time_queries(run: Callable[[Filters], object], samples: list[Filters]) -> tuple[list[float], list[int]]:
    run(samples[0])  # warm the statement cache and the database pages
    times, found = [], []
    for filters in samples:
        started = time.perf_counter()
        result = run(filters)
        times.append(time.perf_counter() - started)
        found.append(len(result))
    return times, found


def _naive_query_seconds(store: Store, filters: Filters) -> float:
    """Load every row, build a validated Incident for each, then filter in Python."""
    import sqlalchemy as sa

    from geo.model import FIELDS
    from geo.store.schema import incidents_table
    started = time.perf_counter()
    kept = []
    with store.engine.connect() as conn:
        result = conn.execution_options(yield_per=5000).execute(sa.select(incidents_table))
        for row in result.mappings():
            values = {name: row[name] for name in FIELDS}
            values["date"] = values["date"].isoformat()
            values["date_end"] = values["date_end"].isoformat() if values["date_end"] else None
            values["places"] = json.loads(values["places"])
            values["points"] = [tuple(p) if p else None for p in json.loads(row["points"])]
            incident = Incident(**values)
            if _matches(incident, filters):
                kept.append(incident)
    return time.perf_counter() - started


def _matches(inc: Incident, f: Filters) -> bool:
    if f.start and inc.last_date < f.start.isoformat():
        return False
    if f.end and inc.date > f.end.isoformat():
        return False
    if f.provinces and inc.province not in f.provinces:
        return False
    if f.min_killed and (inc.killed is None or inc.killed < f.min_killed):
        return False
    if f.bbox:
        west, south, east, north = f.bbox
        return any(west <= lon <= east and south <= lat <= north for _, (lon, lat) in inc.located)
    return True


def _naive_import_rate(name: str, tmp: Path, pg_url: str | None) -> float:
    store = open_store(f"sqlite:///{tmp / 'naive.sqlite'}") if name == "SQLite" else open_store(pg_url)
    sample = list(synthetic.incidents(NAIVE_IMPORT_ROWS, seed=1))
    started = time.perf_counter()
    for incident in sample:
        store.add([incident])
    rate = NAIVE_IMPORT_ROWS / (time.perf_counter() - started)
    if name == "PostGIS":
        _truncate(store)
    store.close()
    return rate


def _truncate(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE incidents, reports, events, event_edits")


def _row(size: int, what: str, value: float | None, target: str, naive: float | None = None,
         lower_is_better: bool = False, note: str = "") -> Row:
    ratio = None
    if value and naive:
        ratio = naive / value if lower_is_better else value / naive
    return {"bench": "store", "size": size, "what": what, "value": value, "naive": naive,
            "ratio": ratio, "target": target, "note": note}


def _p(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return seconds * 1000


def _parse_sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_parse_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size, JSON out
    parser.add_argument("--pg-url", default=os.environ.get("STRIKE_ATLAS_TEST_PG_URL"))
    parser.add_argument("--only", choices=("import",), help="time the import alone (no queries)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.pg_url, args.only)))
    else:
        from benchmarks.run import print_table
        print_table(main(args.sizes, args.pg_url, args.only))
