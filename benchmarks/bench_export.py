"""Export through the CLI, streamed from the store into the file, against the naive way (the
selection read into a list, the file built in memory, then written): MB/s and peak memory, each
run in a fresh process, for GeoJSON and CSV (and GeoPackage up to GPKG_MAX).

    .venv/bin/python -m benchmarks.bench_export [--sizes 100000,1000000]

Data: a SQLite store filled with synthetic ACLED-shaped rows by a streamed import (see
bench_import); never real reports. The machine is shared: CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_import import acled_file  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
GPKG_MAX = 100_000  # GDAL's GeoPackage writer is slow; larger sizes would dominate the run

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[5])
mode, fmt, db, out = sys.argv[1:5]
wall, cpu = time.perf_counter(), time.process_time()
if mode == "stream":
    from geo.cli import main
    code = main(["export", "--db", db, "--format", fmt, "--out", out])
elif mode == "naive":
    from geo.export import export_bytes
    from geo import open_store
    data = export_bytes(open_store(db, create=False).query(), fmt)
    open(out, "wb").write(data)
    code = 0
else:  # the import that fills the store
    from geo.cli import main
    code = main(["import", out, "--db", db])
print(json.dumps({"code": code, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(mode: str, fmt: str, db: str, out: Path, folder: Path) -> dict:
    env = {**os.environ, "STRIKE_ATLAS_BOUNDARIES": str(folder / "no-outlines")}
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, fmt, db, str(out), str(ROOT)],
                          capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise RuntimeError(f"{mode} {fmt} failed: {proc.stderr.strip()[-400:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["mb"] = out.stat().st_size / 1e6 if mode != "fill" else 0
    return result


def main(sizes: list[int] | None = None) -> list[dict]:
    if sizes is None:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
        sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("size, format | file MB | streamed: MB/s CPU / wall, peak MB | naive: MB/s CPU / wall, "
              "peak MB | memory ratio")
        for size in sizes:
            db = f"sqlite:///{folder / f'store_{size}.sqlite'}"
            source = acled_file(folder / f"acled_{size}.csv", size)
            run_child("fill", "", db, source, folder)
            source.unlink()
            for fmt in ("geojson", "csv", "gpkg"):
                if fmt == "gpkg" and size > GPKG_MAX:
                    continue
                out = folder / f"out.{fmt}"
                stream = run_child("stream", fmt, db, out, folder)
                naive = run_child("naive", fmt, db, out, folder)
                out.unlink()
                mb = stream["mb"]
                print(f"{size:>9,} {fmt:<7} | {mb:>7,.0f} | {mb / stream['cpu']:>6,.1f} / "
                      f"{mb / stream['wall']:>6,.1f}, {stream['peak_mb']:>6,.0f} MB | "
                      f"{mb / naive['cpu']:>6,.1f} / {mb / naive['wall']:>6,.1f}, {naive['peak_mb']:>6,.0f} MB"
                      f" | {naive['peak_mb'] / stream['peak_mb']:.1f}x less", flush=True)
                rows.append({"bench": "export", "size": size, "what": f"{fmt} export MB/s (CPU), streamed",
                             "value": mb / stream["cpu"], "naive": mb / naive["cpu"],
                             "ratio": naive["cpu"] / stream["cpu"], "note": f"{mb:,.0f} MB file"})
                rows.append({"bench": "export", "size": size, "what": f"{fmt} export peak memory MB",
                             "value": stream["peak_mb"], "naive": naive["peak_mb"],
                             "ratio": naive["peak_mb"] / stream["peak_mb"],
                             "target": "≤ 300 at 1M" if fmt == "geojson" else ""})
    print("naive: store.query() (a list) → export_bytes → write; streamed: `python -m geo export "
          "--out FILE` (iter_query → the format's writer → the file).")
    return rows


if __name__ == "__main__":
    main()
