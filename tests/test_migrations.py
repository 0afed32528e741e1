"""Numbered, recorded migrations: a store file made by Strike Atlas 0.1 opens and is brought up to date."""

import shutil
from pathlib import Path

import sqlalchemy as sa

from geo.filters import Filters
from geo.store import open_store
from geo.store.migrations import MIGRATIONS

# Made by the 0.1 release code (three synthetic incidents and a report), before migrations were
# recorded: no store_migrations table.
OLD_STORE = Path(__file__).parent / "data" / "store-0.1.0.sqlite"


def _recorded(store) -> list[int]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT number FROM store_migrations ORDER BY number")).scalars())


def test_a_store_from_the_previous_release_opens_and_migrates(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(OLD_STORE, path)
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        tables = set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    assert "store_migrations" not in tables and "incidents" in tables
    store = open_store(f"sqlite:///{path}")
    assert not store.created
    assert _recorded(store) == [m.number for m in MIGRATIONS if "sqlite" in m.dialects]
    assert [i.id for i in store.query()] == ["synthetic-1", "synthetic-2", "synthetic-3"]
    assert store.get("synthetic-2").points == [(39.0, 35.9), None]
    assert store.places().unlocated == 2
    assert {i.id for i in store.query(Filters.parse(start="2017-08-18", end="2017-08-18"))} == {"synthetic-2"}
    version = store.version()
    store.close()
    again = open_store(f"sqlite:///{path}")  # nothing left to apply: nothing written
    assert again.version() == version and _recorded(again) == _recorded(store)


def test_a_new_store_records_every_migration_once(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert store.created
    numbers = _recorded(store)
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    assert not open_store(f"sqlite:///{tmp_path / 'new.sqlite'}").created


def test_migrations_are_numbered_in_order():
    numbers = [m.number for m in MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))
