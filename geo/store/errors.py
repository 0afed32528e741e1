"""Database failures as sentences a user can act on: missing, corrupt, locked, unreachable."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import sqlalchemy as sa


class StoreError(RuntimeError):
    """The database cannot be opened, read or written; the message says what to do."""


class translate_errors:
    """Wrap a connection or transaction context so driver errors come out as StoreError."""

    def __init__(self, ctx: Any, label: str):
        self.ctx, self.label = ctx, label

    def __enter__(self) -> sa.Connection:
        try:
            return self.ctx.__enter__()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(explain(exc, self.label)) from exc

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool | None:
        try:
            handled = self.ctx.__exit__(exc_type, exc, tb)
        except sa.exc.SQLAlchemyError as err:
            raise StoreError(explain(err, self.label)) from err
        if isinstance(exc, sa.exc.SQLAlchemyError):
            raise StoreError(explain(exc, self.label)) from exc
        return handled


def explain(exc: Exception, label: str) -> str:
    """The sentence for a driver error on the database `label`."""
    text = str(getattr(exc, "orig", None) or exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low:
        return f"{label} is not a readable SQLite database (corrupt, or another kind of file)."
    if "locked" in low or "busy" in low:
        return f"{label} is locked by another program; wait for it to finish or close it, then retry."
    if "unable to open" in low or "readonly" in low or "read-only" in low:
        return f"cannot open or write {label}: check the path and its permissions."
    if "permission denied" in low:
        return (f"the database user lacks a permission on {label} ({text.splitlines()[0]}); "
                "see docs/postgis.md for the grants a team member needs.")
    if "connection" in low or "could not connect" in low or "refused" in low:
        return f"cannot reach the database server at {label}: is it running? ({text.splitlines()[0]})"
    return f"database error on {label}: {text.splitlines()[0] if text else type(exc).__name__}"


def is_deadlock(exc: BaseException | None) -> bool:
    """Whether a PostgreSQL error is a deadlock or serialization failure (worth one more try)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in ("40P01", "40001")
