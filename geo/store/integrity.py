"""A store's file checked before writing into it: SQLite's `PRAGMA quick_check` over every page,
so an import refuses a corrupt store instead of adding rows to it."""

from __future__ import annotations

from geo.store.errors import StoreError
from geo.store.store import Store

_SHOWN = 3  # problems quoted from quick_check's list


def check_integrity(store: Store) -> None:
    """Raise StoreError if a SQLite store's file is damaged (PostgreSQL checks its own pages)."""
    if store.dialect != "sqlite":
        return
    try:
        with store.engine.connect() as conn:
            found = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA quick_check")]
    except Exception as exc:  # the driver's DatabaseError for a file that is not a database at all
        raise StoreError(f"{store.label} is not a readable SQLite database (corrupt, or another "
                         f"kind of file): {str(getattr(exc, 'orig', exc)).splitlines()[0]}. Restore "
                         "it from a backup or choose another file; nothing was written.") from None
    problems = [line.strip() for text in found for line in text.splitlines()
                if line.strip() and not line.startswith("***")]
    if problems != ["ok"]:
        raise StoreError(f"{store.label} is damaged ({'; '.join(problems[:_SHOWN])}"
                         f"{'; …' if len(problems) > _SHOWN else ''}). Restore it from a backup, "
                         "or export what can be read and import it into a new file; nothing was written.")
