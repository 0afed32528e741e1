"""The "Import data" page through AppTest: upload, preview, rejects, store, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import open_store
from geo.settings import DB_ENV
from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows

PAGE = Path(__file__).resolve().parent.parent / "views" / "2_Import_data.py"


@pytest.fixture
def db(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'page.sqlite'}"
    monkeypatch.setenv(DB_ENV, url)
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))
    return url


def _upload(name: str, content: bytes) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    at.file_uploader(key="import_upload").upload(name, content, "text/csv").run()
    assert not at.exception, at.exception
    return at


def test_upload_preview_rejects_and_store(db: str, tmp_path: Path):
    rows = [acled_row(i) for i in range(4)] + [acled_row(9, country="Narnia", notes="<b>x</b>")]
    content = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, rows).read_bytes()
    at = _upload("acled export.csv", content)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Format": "acled", "Incidents ready": "4", "Rows rejected": "1"}
    rejects = at.dataframe[1].value
    assert rejects["line"].tolist() == [6] and "Narnia" in rejects["reason"].iloc[0]
    assert at.download_button(key="import_rejects_download").proto.label.startswith("Download")
    at.button(key="import_store").click().run()
    assert not at.exception
    assert at.success[0].value == "4 stored, 0 skipped (already stored), 1 rejected."
    assert open_store(db).count() == 4


def test_reimport_skips_known_ids(db: str, tmp_path: Path):
    content = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(i) for i in range(3)]).read_bytes()
    for expected in ("3 stored, 0 skipped", "0 stored, 3 skipped"):
        at = _upload("a.csv", content)
        at.button(key="import_store").click().run()
        assert at.success[0].value.startswith(expected)


def test_unreadable_file_is_an_error_not_a_traceback(db: str):
    at = _upload("numbers.csv", b"alpha,beta\n1,2\n")
    assert not at.exception
    assert "cannot tell the format" in at.error[0].value


def test_geopackage_upload(db: str):
    from geo.export import export_bytes
    from tests.conftest import make_incident

    data = export_bytes([make_incident(id="g1"), make_incident(id="g2", killed=9)], "gpkg")
    at = _upload("mine.gpkg", data)
    assert {m.label: m.value for m in at.metric}["Format"] == "gpkg"
    at.button(key="import_store").click().run()
    assert at.success[0].value.startswith("2 stored")
    assert sorted(i.id for i in open_store(db).query()) == ["g1", "g2"]


def test_file_text_in_an_error_is_not_markdown(db: str):
    # the header's names are quoted in the error: a link or image there must stay text
    at = _upload("odd.csv", b"![p](http://tracker.example/p.png),[x](http://example.org)\n1,2\n")
    assert not at.exception
    message = at.error[0].value
    assert "cannot tell the format" in message
    assert "![p](" not in message and "[x](" not in message
    assert "\\!\\[p\\]\\(http" in message
