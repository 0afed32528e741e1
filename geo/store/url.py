"""A `--db` URL checked before any connection: a sentence for a bad port, an unknown kind of
database, or an in-memory SQLite database (which an import would fill and then throw away)."""

from __future__ import annotations

import sqlalchemy as sa

from geo.store.errors import StoreError

DIALECTS = ("sqlite", "postgresql")
EXAMPLES = "sqlite:///incidents.sqlite or postgresql+psycopg://user@host/db"


def check_url(url: str, purpose: str | None = None) -> sa.URL:
    """The parsed URL, or StoreError saying what is wrong and what is accepted.

    `purpose` ("import", "export"), when given, also refuses an in-memory SQLite database: it
    would start empty and vanish when the command ends.
    """
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"{url!r} is not a database URL; use e.g. {EXAMPLES}") from None
    except ValueError:  # SQLAlchemy reads the port as a number while parsing
        raise StoreError(f"the port in {_safe(url)} is not a number; give a port from 1 to 65535, "
                         f"e.g. postgresql+psycopg://user@host:5432/db") from None
    backend = parsed.get_backend_name()
    if backend not in DIALECTS:
        raise StoreError(f"{backend!r} databases are not supported; use SQLite or PostgreSQL "
                         f"with PostGIS, e.g. {EXAMPLES}")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise StoreError(f"port {parsed.port} in {_label(parsed)} is out of range; "
                         "give a port from 1 to 65535")
    if backend == "sqlite" and purpose and in_memory(parsed):
        raise StoreError(f"{_label(parsed)} is an in-memory database: it starts empty and is gone "
                         f"when the command ends, so there is nothing to {purpose}. Name a file "
                         "instead, e.g. sqlite:///incidents.sqlite")
    return parsed


def in_memory(parsed: sa.URL) -> bool:
    """Whether a SQLite URL names no file: sqlite://, :memory:, or a memory URI."""
    database = parsed.database or ""
    return (database in ("", ":memory:") or database.startswith("file::memory:")
            or parsed.query.get("mode") == "memory")


def _label(parsed: sa.URL) -> str:
    return parsed.render_as_string(hide_password=True)


def _safe(url: str) -> str:
    """The URL without its password, for a message (it could not be parsed)."""
    head, at, tail = url.rpartition("@")
    if not at:
        return repr(url)
    scheme, sep, rest = head.partition("://")
    user = rest.split(":", 1)[0]
    return repr(f"{scheme}{sep}{user}{':***' if ':' in rest else ''}@{tail}")
