"""Where Strike Atlas keeps its files and what it reads from the environment, read in one place.

Every other module asks here: the data folder, the default store, the store URL a user set in
``STRIKE_ATLAS_DB`` (an empty value counts as unset), and the User-Agent of online requests.
"""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.2.0"

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DB_PATH = DATA_DIR / "atlas.sqlite"
BUNDLED_INCIDENTS = DATA_DIR / "incidents.geojson"

DB_ENV = "STRIKE_ATLAS_DB"
CONTACT_ENV = "STRIKE_ATLAS_CONTACT"


def database_url() -> str | None:
    """The store URL set in STRIKE_ATLAS_DB, or None (the default SQLite file) when unset or blank."""
    return os.environ.get(DB_ENV, "").strip() or None


def user_agent(purpose: str) -> str:
    """The User-Agent of every request to an online service.

    The tool, its version and what it is doing, plus the contact (an email or URL) set in
    STRIKE_ATLAS_CONTACT, which Nominatim's usage policy asks for.

    Examples
    --------
    >>> user_agent("geocoding")  # doctest: +SKIP
    'strike-atlas/0.2.0 (geocoding; desk@example.org)'
    """
    contact = os.environ.get(CONTACT_ENV, "").strip()
    return f"strike-atlas/{__version__} ({purpose}{'; ' + contact if contact else ''})"
