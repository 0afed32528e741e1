"""Imports that are killed (kill -9) or run side by side, as separate processes through the CLI, on
SQLite and PostGIS: a store holds all of a file or none of it, and concurrent importers lose
nothing. Synthetic ACLED-shaped rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import open_store
from tests.conftest import make_incident
from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgis"])
def db(request, tmp_path: Path) -> str:
    """An empty store's URL, holding one incident stored before the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'durable.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM incidents")
    store.add([make_incident(id="before")])
    store.close()
    return url


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "STRIKE_ATLAS_BOUNDARIES": str(tmp_path / "none")}


def _import(path: Path, db: str, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "geo", "import", str(path), "--db", db],
                            cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_kill_9_mid_import_leaves_all_or_nothing(db: str, tmp_path: Path):
    rows = 30_000
    path = write_rows(tmp_path / "big.csv", ACLED_COLUMNS, (acled_row(i) for i in range(rows)))
    proc = _import(path, db, tmp_path)
    # Wait until it has read 10,000 rows (its progress line), then kill it without warning.
    deadline = time.monotonic() + 120
    for line in proc.stderr:
        if "10,000/" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    count = open_store(db).count()
    assert count in (1, 1 + rows), count  # before alone, or the whole file: never part of it


def test_concurrent_importers_lose_nothing(db: str, tmp_path: Path):
    files = []
    for n, start in enumerate((0, 2_000, 4_000)):  # each file shares 1,000 ids with the next
        files.append(write_rows(tmp_path / f"part{n}.csv", ACLED_COLUMNS,
                                (acled_row(i) for i in range(start, start + 3_000))))
    procs = [_import(path, db, tmp_path) for path in files]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    store = open_store(db)
    assert store.count() == 1 + 7_000
    stored = sum(int(out.split("): ")[1].split(" stored")[0]) for out, _ in outputs)
    assert stored == 7_000  # each id stored by exactly one importer
