"""Import speed on synthetic ACLED-shaped rows (10k, 100k): the importer vs a naive baseline.

    .venv/bin/python benchmarks/bench_import.py [--sizes 10000,100000]

Parse+validate (best of 3): pandas read_csv(dtype=str) + row mapping (geo.formats.acled.read_acled) against
csv.DictReader + the same mapping per row. Store: one Store.add per file (one transaction) against
one Store.add per row (a transaction each; timed on the first NAIVE_STORE_ROWS rows only).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.formats.acled import from_row, read_acled  # noqa: E402
from geo import open_store  # noqa: E402
from tests.fixtures_formats import ACLED_COLUMNS, acled_rows, write_rows  # noqa: E402

NAIVE_STORE_ROWS = 2_000
REPEATS = 3  # parse timings: the best of three, alternating, so caches and neighbours even out


def naive_parse(path: Path) -> list:
    with open(path, encoding="utf-8", newline="") as handle:
        return [from_row(row) for row in csv.DictReader(handle)]


def timed(function, *args):
    """The result, CPU seconds and wall seconds. The 2-core machine is shared, so CPU time is the
    steadier figure for parsing; storing waits on the disk, which only wall time shows."""
    cpu, wall = time.process_time(), time.perf_counter()
    value = function(*args)
    return value, time.process_time() - cpu, time.perf_counter() - wall


def best_of(repeats: int, function, *args):
    runs = [timed(function, *args) for _ in range(repeats)]
    return runs[-1][0], min(r[1] for r in runs), min(r[2] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        read_acled(write_rows(folder / "warm.csv", ACLED_COLUMNS, acled_rows(10)))  # imports pandas
        print("rows/s        |  parse+validate (CPU / wall)    naive (CPU)  ratio |"
              "  Store.add (CPU / wall)  naive per-row (wall)  ratio")
        for size in sizes:
            path = write_rows(folder / f"acled_{size}.csv", ACLED_COLUMNS, acled_rows(size))
            result, parse_cpu, parse_wall = best_of(REPEATS, read_acled, path)
            naive, naive_cpu, _ = best_of(REPEATS, naive_parse, path)
            assert len(naive) == len(result.incidents) == size and not result.rejects
            store = open_store(f"sqlite:///{folder / f'bulk_{size}.sqlite'}")
            _, add_cpu, add_wall = timed(store.add, result.incidents)
            assert store.count() == size
            slow_store = open_store(f"sqlite:///{folder / f'naive_{size}.sqlite'}")
            subset = result.incidents[:NAIVE_STORE_ROWS]
            _, _, slow_wall = timed(lambda: [slow_store.add([inc]) for inc in subset])
            print(f"{size:>8,} rows | {size / parse_cpu:>12,.0f} / {size / parse_wall:>9,.0f}"
                  f"   {size / naive_cpu:>11,.0f}  {naive_cpu / parse_cpu:>4.2f}x |"
                  f"  {size / add_cpu:>9,.0f} / {size / add_wall:>9,.0f}"
                  f"  {len(subset) / slow_wall:>20,.0f}  {slow_wall / len(subset) * size / add_wall:>4.0f}x")
            store.close()
            slow_store.close()
    print(f"naive parse: csv.DictReader + the same row mapping; naive store: one Store.add per row, "
          f"timed on the first {NAIVE_STORE_ROWS:,} rows. Target: ≥ 50,000 rows/s parse+validate.")


if __name__ == "__main__":
    main()
