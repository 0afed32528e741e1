"""The incident store: a SQLite file by default, PostgreSQL + PostGIS for teams.

``open_store`` opens one (and migrates it); ``Store`` reads and writes incidents; the modules
beside them hold the schema, the numbered migrations and each dialect's writer.
"""

from geo.store.connect import open_store
from geo.store.errors import StoreError
from geo.store.store import PlaceCounts, Store
from geo.store.writer import AddResult

__all__ = ["AddResult", "PlaceCounts", "Store", "StoreError", "open_store"]
