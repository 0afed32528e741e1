"""Import through the CLI from a file, streamed, against the naive way (the whole file read into a
list of incidents, then one add): rows/s and peak memory, each run in a fresh process.

    .venv/bin/python -m benchmarks.bench_import [--sizes 100000,1000000]

Data: synthetic ACLED-shaped rows (tests/fixtures_formats.py), written to a temporary CSV; never
real reports. The machine is shared: CPU time is the steadier figure, wall time what a user waits.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
NAIVE_MAX = 1_000_000  # the naive import holds every incident: beyond this it needs several GB

# Run in the child: one import, then its own CPU time and peak memory as JSON on the last line.
CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[4])
mode, path, db = sys.argv[1:4]
wall, cpu = time.perf_counter(), time.process_time()
if mode == "stream":
    from geo.cli import main
    code = main(["import", path, "--db", db])
else:
    from geo.formats.reader import read_file
    from geo import open_store
    result = read_file(path)
    open_store(db).add(result.incidents)
    code = 0
print(json.dumps({"code": code, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def acled_file(path: Path, count: int, seed: int = 1) -> Path:
    """`count` synthetic ACLED rows, written as they are made (a million do not sit in memory)."""
    rng = random.Random(seed)

    def rows() -> Iterator[dict[str, str]]:
        for n in range(count):
            day = rng.randint(1, 28)
            date = f"2017-{rng.randint(1, 12):02d}-{day:02d}" if n % 2 else f"{day} August 2017"
            yield acled_row(n, event_date=date, fatalities=str(rng.randint(0, 40)))
    return write_rows(path, ACLED_COLUMNS, rows())


def run_child(mode: str, path: Path, db: str, folder: Path) -> dict:
    env_boundaries = {"STRIKE_ATLAS_BOUNDARIES": str(folder / "no-outlines")}
    import os
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), db, str(ROOT)],
                          capture_output=True, text=True, env={**os.environ, **env_boundaries})
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} import failed: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(sizes: list[int] | None = None) -> list[dict]:
    if sizes is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
        sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("size       | streamed CLI import: rows/s CPU / wall, peak MB | naive (list, one add): "
              "rows/s CPU / wall, peak MB | memory ratio")
        for size in sizes:
            path = acled_file(folder / f"acled_{size}.csv", size)
            stream = run_child("stream", path, f"sqlite:///{folder / f'stream_{size}.sqlite'}", folder)
            naive = (run_child("naive", path, f"sqlite:///{folder / f'naive_{size}.sqlite'}", folder)
                     if size <= NAIVE_MAX else None)
            line = (f"{size:>10,} | {size / stream['cpu']:>10,.0f} / {size / stream['wall']:>8,.0f}, "
                    f"{stream['peak_mb']:>7,.0f} MB")
            if naive:
                line += (f" | {size / naive['cpu']:>10,.0f} / {size / naive['wall']:>8,.0f}, "
                         f"{naive['peak_mb']:>7,.0f} MB | {naive['peak_mb'] / stream['peak_mb']:.1f}x less")
            print(line, flush=True)
            rows.append({"bench": "import", "size": size, "what": "CLI import rows/s (CPU), streamed",
                         "value": size / stream["cpu"], "naive": naive and size / naive["cpu"],
                         "ratio": naive and naive["cpu"] / stream["cpu"], "target": "≥ 100,000"})
            rows.append({"bench": "import", "size": size, "what": "CLI import rows/s (wall), streamed",
                         "value": size / stream["wall"], "naive": naive and size / naive["wall"],
                         "ratio": naive and naive["wall"] / stream["wall"], "note": "shared machine"})
            rows.append({"bench": "import", "size": size, "what": "CLI import peak memory MB",
                         "value": stream["peak_mb"], "naive": naive and naive["peak_mb"],
                         "ratio": naive and naive["peak_mb"] / stream["peak_mb"], "target": "≤ 500"})
            path.unlink()
    print("naive: read_file (every row an Incident in one list) then one Store.add; streamed: "
          "`python -m geo import FILE` (rows read, checked and stored chunk by chunk in one transaction).")
    return rows


if __name__ == "__main__":
    main()
