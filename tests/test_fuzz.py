"""The fuzz corpus (tests/fuzz/corpus.py, made by code) through the importer and the CLI: every
file is stored whole-or-rejected-row-by-row or refused in a sentence, never a traceback, and a
file's good rows always arrive, on SQLite and PostGIS."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.ingest.importer import import_file
from tests.fuzz.corpus import corpus
from tests.test_model_bounds import PYTHON_WORDS

FILES = list(corpus())


@pytest.fixture(autouse=True)
def no_installed_outlines(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))


def _check(summary, before: int, after: int) -> None:
    if summary.error:
        assert not any(word in summary.error for word in PYTHON_WORDS), summary.error
        assert after == before  # refused: nothing stored
        return
    assert after == before + summary.stored
    for reject in summary.rejects:
        assert not any(word in reject.reason for word in PYTHON_WORDS), reject.reason
        reject.reason.encode("utf-8")


def test_the_corpus_never_crashes_an_import(store, tmp_path: Path):
    files = FILES if store.dialect == "sqlite" else FILES[::3]
    outcomes = {"stored": 0, "rejected": 0, "refused": 0}
    for name, data in files:
        path = tmp_path / name
        path.write_bytes(data)
        before = store.count()
        summary = import_file(store, path)
        _check(summary, before, store.count())
        outcomes["refused" if summary.error else "stored"] += 1
        outcomes["rejected"] += bool(summary.rejects)
    # The corpus must exercise all three outcomes, or it tests less than it claims.
    assert all(outcomes.values()), outcomes


def test_the_corpus_through_the_cli_is_sentences(tmp_path: Path, capsys):
    db = f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    for name, data in FILES[::4]:
        path = tmp_path / name
        path.write_bytes(data)
        code = main(["import", str(path), "--db", db])
        err = capsys.readouterr().err
        assert code in (0, 1, 2), name
        assert "Traceback" not in err and not any(word in err for word in PYTHON_WORDS), (name, err)


def test_a_truncated_geopackage_is_a_sentence(tmp_path: Path, store):
    from geo.export import export_bytes
    from tests.conftest import make_incident

    data = export_bytes([make_incident(id=f"g{i}") for i in range(50)], "gpkg")
    for cut in (100, len(data) // 3, len(data) // 2, len(data) - 4096):
        path = tmp_path / f"cut{cut}.gpkg"
        path.write_bytes(data[:cut])
        before = store.count()
        _check(import_file(store, path), before, store.count())
