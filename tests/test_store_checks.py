"""--db URLs checked before connecting, in-memory SQLite refused, a corrupt SQLite store refused
by import (synthetic incidents)."""

from pathlib import Path

import pytest

from geo.cli import main
from geo.store import StoreError, open_store
from geo.store.integrity import check_integrity
from geo.store.url import check_url
from tests.conftest import make_incident
from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows


@pytest.fixture(autouse=True)
def no_installed_outlines(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))
    monkeypatch.delenv("STRIKE_ATLAS_DB", raising=False)


@pytest.mark.parametrize("url, fragment", [
    ("postgresql+psycopg://analyst:secret@db.example:abc/atlas", "port"),
    ("postgresql+psycopg://analyst@db.example:99999/atlas", "out of range"),
    ("mysql://analyst@db.example/atlas", "'mysql' databases are not supported"),
    ("not a url", "not a database URL"),
])
def test_bad_urls_are_sentences(url, fragment):
    with pytest.raises(StoreError, match=fragment) as err:
        check_url(url)
    assert "secret" not in str(err.value)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?cache=shared"])
@pytest.mark.parametrize("command", ["import", "export"])
def test_in_memory_sqlite_is_refused(url, command, tmp_path: Path, capsys):
    path = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(0)])
    args = ["import", str(path)] if command == "import" else ["export"]
    assert main([*args, "--db", url]) == 2
    err = capsys.readouterr().err
    assert "in-memory database" in err and f"nothing to {command}" in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_port_through_the_cli_is_one_line(capsys):
    assert main(["export", "--db", "postgresql+psycopg://u@h:port/db"]) == 2
    err = capsys.readouterr().err
    assert "port" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def _corrupted_store(tmp_path: Path) -> Path:
    path = tmp_path / "atlas.sqlite"
    store = open_store(f"sqlite:///{path}")
    store.add([make_incident(id=f"c{i}", notes="n" * 200) for i in range(3000)])
    store.engine.dispose()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8192] = b"\xff\x00" * 4096  # two pages in the middle overwritten
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def test_import_refuses_a_corrupt_store_and_writes_nothing(tmp_path: Path, capsys):
    db = _corrupted_store(tmp_path)
    before = db.read_bytes()
    path = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(i) for i in range(20)])
    assert main(["import", str(path), "--db", f"sqlite:///{db}"]) == 2
    err = capsys.readouterr().err
    assert ("damaged" in err or "not a readable SQLite database" in err) and "Traceback" not in err
    assert db.read_bytes() == before


def test_a_sound_store_passes_the_check(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'ok.sqlite'}")
    store.add([make_incident(id="ok")])
    check_integrity(store)


def test_export_to_an_unknown_extension_names_the_formats(tmp_path: Path, capsys):
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    open_store(db).add([make_incident(id="x")])
    assert main(["export", "--db", db, "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert ".xlsx" in err and ".geojson" in err and ".csv" in err and ".gpkg" in err
    assert not (tmp_path / "x.xlsx").exists()
    assert main(["export", "--db", db, "--out", str(tmp_path / "x.xlsx"), "--format", "csv"]) == 0
    assert (tmp_path / "x.xlsx").read_text(encoding="utf-8").startswith("id,date")
