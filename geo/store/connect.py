"""Opening a store from a URL: the dialect's engine, the schema brought up to date."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from geo import settings
from geo.store import postgis, sqlite
from geo.store.errors import StoreError
from geo.store.migrations import migrate
from geo.store.store import Store
from geo.store.url import check_url


def open_store(url: str | None = None, create: bool = True) -> Store:
    """Open a store and apply the migrations it lacks.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///file.sqlite``, ``postgresql+psycopg://user@host/db``). None:
        STRIKE_ATLAS_DB, else the default SQLite file ``data/atlas.sqlite``.
    create
        False: a SQLite file that does not exist is an error rather than a new database.

    Returns
    -------
    Store
        With ``created`` True when this call made its tables (a new database).

    Raises
    ------
    StoreError
        The URL is not one, the file or server cannot be reached, or the schema cannot be set up.

    Examples
    --------
    >>> store = open_store("sqlite:///incidents.sqlite")  # doctest: +SKIP
    """
    url = url or settings.database_url()
    is_default = url is None
    if url is None:
        url = f"sqlite:///{settings.DEFAULT_DB_PATH}"
    parsed = check_url(url)
    label = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _check_sqlite_path(parsed, create or is_default)
        engine = sqlite.create_engine(parsed)
    elif backend == "postgresql":
        try:
            engine = postgis.create_engine(parsed)
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise StoreError(f"cannot use {label}: {exc}") from None
    else:
        raise StoreError(f"{label}: Strike Atlas stores incidents in SQLite or PostgreSQL + PostGIS; "
                         "use a sqlite:/// or postgresql+psycopg:// URL")
    store = Store(engine, label)
    with store._begin() as conn:
        if store.dialect == "postgresql":
            postgis.lock_schema(conn)  # two processes opening a new database at once
        store.created = not sa.inspect(conn).has_table("incidents")
        migrate(conn)
    return store


def _check_sqlite_path(url: sa.URL, create: bool) -> None:
    database = url.database or ""
    if not database or database == ":memory:":
        return
    path = Path(database)
    if not path.exists() and not create:
        raise StoreError(f"database file {path} does not exist; check the path, or run an import to create it")
    if not path.parent.exists():
        raise StoreError(f"folder {path.parent} does not exist; create it or choose another path")
