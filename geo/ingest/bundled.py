"""The incidents bundled with Strike Atlas (data/incidents.geojson), put into a new default store."""

from __future__ import annotations

from geo import settings
from geo.formats.geojson import read_geojson
from geo.store import Store
from geo.store import open_store as open_any_store


def open_store(url: str | None = None, create: bool = True) -> Store:
    """`geo.store.open_store`; the default SQLite file, when this call created it, is filled with
    the bundled incidents, so a first run shows a map. A store named by URL starts empty.

    Raises
    ------
    StoreError
        As geo.store.open_store.
    """
    store = open_any_store(url, create)
    if url is None and settings.database_url() is None and store.created \
            and settings.BUNDLED_INCIDENTS.exists():
        store.add(read_geojson(settings.BUNDLED_INCIDENTS).incidents)
    return store
