"""The incident store: a SQLite file by default, PostgreSQL + PostGIS for teams."""

from geo.store.core import AddResult, PlaceCounts, Store, StoreError, open_store

__all__ = ["AddResult", "PlaceCounts", "Store", "StoreError", "open_store"]
