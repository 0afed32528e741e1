"""Shared fixtures: stores on real database files, incidents made by code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo import open_store  # noqa: E402
from geo.model import Incident  # noqa: E402
from geo.store import Store  # noqa: E402


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A real PostgreSQL + PostGIS server for the session (tests/pg_server.py); skipped when
    PostgreSQL is not installed, except on CI (CI=true), where that is a failure."""
    from tests import pg_server
    try:
        server = pg_server.start()
    except pg_server.PgUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required on CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", "postgis"])
def store(request, tmp_path: Path) -> Store:
    """An empty store: in a real SQLite file, then on the real PostgreSQL + PostGIS server."""
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    else:
        s = open_store(request.getfixturevalue("pg_url"))
        with s.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE incidents, reports, events, event_edits")
    yield s
    s.close()


def make_incident(**overrides) -> Incident:
    """A valid test incident (test data, not a real report); override any field."""
    values = dict(date="2017-08-17", places=["Test Town"], points=[(40.5, 34.8)],
                  province="Deir ez-Zor", killed=4, children=1, actor="Test actor",
                  event_type="airstrike", source="Test source", quote="test quote")
    values.update(overrides)
    return Incident.from_dict(values)
