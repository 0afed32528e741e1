"""Strike Atlas: reported airstrikes as incidents on a map.

The library behind the dashboard (``app.py``) and the CLI (``python -m geo``); nothing here imports
Streamlit. The names below are its public face: callers, tests and benchmarks need nothing else
for the common paths. They are loaded on first use, so ``python -m geo --help`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geo.settings import __version__, user_agent

if TYPE_CHECKING:
    from geo.export import export_bytes
    from geo.extraction import Extraction, ExtractionError, extract
    from geo.filters import FilterError, Filters
    from geo.formats import FormatError, ReadResult, Reject
    from geo.formats.reader import read_file
    from geo.ingest.bundled import open_store
    from geo.model import Incident, ValidationError
    from geo.places.gazetteer import Gazetteer, default_gazetteer
    from geo.store import Store, StoreError

_PUBLIC = {
    "open_store": "geo.ingest.bundled", "Store": "geo.store", "StoreError": "geo.store",
    "Filters": "geo.filters", "FilterError": "geo.filters",
    "Incident": "geo.model", "ValidationError": "geo.model",
    "extract": "geo.extraction", "Extraction": "geo.extraction", "ExtractionError": "geo.extraction",
    "read_file": "geo.formats.reader", "FormatError": "geo.formats", "ReadResult": "geo.formats",
    "Reject": "geo.formats",
    "export_bytes": "geo.export",
    "Gazetteer": "geo.places.gazetteer", "default_gazetteer": "geo.places.gazetteer",
}
__all__ = [
    "__version__", "user_agent", "open_store", "Store", "StoreError", "Filters", "FilterError",
    "Incident", "ValidationError", "extract", "Extraction", "ExtractionError", "read_file",
    "FormatError", "ReadResult", "Reject", "export_bytes", "Gazetteer", "default_gazetteer",
]
assert set(__all__) == {"__version__", "user_agent", *_PUBLIC}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
