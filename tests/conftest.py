"""Shared fixtures: stores on real database files, incidents made by code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.model import Incident  # noqa: E402
from geo.store import Store, open_store  # noqa: E402


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty store in a real SQLite file."""
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield s
    s.close()


def make_incident(**overrides) -> Incident:
    """A valid test incident (test data, not a real report); override any field."""
    values = dict(date="2017-08-17", places=["Test Town"], points=[(40.5, 34.8)],
                  province="Deir ez-Zor", killed=4, children=1, actor="Test actor",
                  event_type="airstrike", source="Test source", quote="test quote")
    values.update(overrides)
    return Incident.from_dict(values)
