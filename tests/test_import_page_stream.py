"""The "Import data" page reads a file through without holding it: a re-uploaded file says
"nothing new" before offering to store, and a partly known one says how many are new."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import open_store
from geo.formats.acled import from_row
from geo.settings import DB_ENV
from tests.fixtures_formats import ACLED_COLUMNS, acled_row, write_rows

PAGE = Path(__file__).resolve().parent.parent / "views" / "2_Import_data.py"


@pytest.fixture
def db(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'page.sqlite'}"
    monkeypatch.setenv(DB_ENV, url)
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))
    return url


def _upload(content: bytes) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    at.file_uploader(key="import_upload").upload("a.csv", content, "text/csv").run()
    assert not at.exception, at.exception
    return at


def test_a_reupload_says_nothing_new_before_storing(db: str, tmp_path: Path):
    content = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(i) for i in range(4)]).read_bytes()
    first = _upload(content)
    assert first.button(key="import_store").proto.label == "Store 4 new incidents"
    first.button(key="import_store").click().run()
    again = _upload(content)
    assert any("Nothing new" in i.value and "all 4" in i.value for i in again.info)
    assert "nothing new" in again.button(key="import_store").proto.label
    assert open_store(db).count() == 4


def test_a_partly_known_file_offers_only_the_new_ones(db: str, tmp_path: Path):
    open_store(db).add([from_row(acled_row(0))])
    content = write_rows(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(i) for i in range(3)]).read_bytes()
    at = _upload(content)
    assert at.button(key="import_store").proto.label == "Store 2 new incidents"
    at.button(key="import_store").click().run()
    assert at.success[0].value.startswith("2 stored, 1 skipped")
