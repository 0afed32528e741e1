"""The "Add a report" page through AppTest, on a temporary SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import open_store
from geo.model import Incident
from geo.settings import DB_ENV

PAGE = Path(__file__).resolve().parent.parent / "views" / "1_Add_a_report.py"
REPORT = ("date 2017-10-11\nWarplanes struck the town of Hajin on Tuesday, killing eight civilians, "
          "including two children, activists said.")


@pytest.fixture
def db(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'page.sqlite'}"
    monkeypatch.setenv(DB_ENV, url)
    return url


def paste(text: str) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    at.text_area(key="report_text").input(text).run()
    assert not at.exception, at.exception
    return at


def marked_html(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "<mark" in m.value)


def test_incidents_are_shown_highlighted_and_saved(db):
    at = paste(REPORT)
    html = marked_html(at)
    assert 'title="killed">eight civilians</mark>' in html and 'title="place">Hajin</mark>' in html
    table = at.data_editor(key="r0_table").value
    assert table[["places", "killed", "children", "date"]].values.tolist() == [["Hajin", 8, 2, "2017-10-10"]]
    at.button(key="r0_save").click().run()
    assert not at.exception and at.success[0].value.startswith("stored 1 incident")
    store = open_store(db)
    (stored,) = store.query()
    assert (stored.places, stored.killed) == (["Hajin"], 8) and store.has_report(stored.report_hash)
    again = paste(REPORT)
    assert any("already stored" in i.value for i in again.info)


def test_user_text_is_escaped_before_marking(db):
    at = paste("date 2017-10-11\nSix people <img src=x onerror=alert(1)> were killed in Hajin & Susah on Tuesday.")
    html = marked_html(at)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html and "&amp; Susah" in html
    pasted_page = paste("<html><body><script>alert(1)</script><p>date 2017-10-11</p>"
                        "<p>Six people were killed in <b>Hajin</b> on Tuesday.</p></body></html>")
    html = marked_html(pasted_page)
    assert "alert" not in html and "<b>" not in html and 'title="place">Hajin</mark>' in html


def test_corrections_in_the_table_are_saved(db):
    at = paste(REPORT)
    at.session_state["r0_table"] = {"edited_rows": {0: {"killed": 9, "source": "SOHR"}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="r0_save").click().run()
    (stored,) = open_store(db).query()
    assert (stored.killed, stored.source, stored.children) == (9, "SOHR", 2)


def test_an_impossible_correction_is_refused_with_the_field_named(db):
    at = paste(REPORT)
    at.session_state["r0_table"] = {"edited_rows": {0: {"children": 20}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("children" in e.value for e in at.error)
    assert at.button(key="r0_save").disabled


def test_place_search_shows_candidates_on_a_map_and_applies_one(db):
    at = paste(REPORT)
    at.text_input(key="r0_query").input("Mayadin").run()
    assert "Al Mayadin" in at.selectbox(key="r0_pick").options[0]
    assert at.get("deck_gl_json_chart") or at.get("map")
    at.button(key="r0_apply").click().run()
    at.button(key="r0_save").click().run()
    (stored,) = open_store(db).query()
    assert stored.places == ["Al Mayadin"] and stored.points[0] is not None


def test_a_duplicate_is_shown_and_merged(db):
    open_store(db).add([Incident.from_dict({"date": "2017-10-10", "places": ["Hajin"],
                                            "points": [(40.83138, 34.69508)], "killed": 10,
                                            "source": "SANA", "id": "stored-1"})])
    at = paste(REPORT)
    assert any("may be one already stored" in m.value for m in at.markdown)
    at.radio(key="r0_dup_0").set_value("merge").run()
    at.button(key="r0_save").click().run()
    store = open_store(db)
    (merged,) = store.query()
    assert (merged.id, merged.killed, merged.killed_max, merged.source) == ("stored-1", 8, 10, "SANA; activists")


def test_empty_and_binary_uploads_give_clear_messages(db):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    at.file_uploader(key="report_files").upload("scan.txt", b"%PDF-1.5\x00\x01binary", "text/plain").run()
    assert not at.exception
    assert any("binary" in e.value for e in at.error)


def test_an_uploaded_file_name_is_shown_as_text(db):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    at.file_uploader(key="report_files").upload("![p](http:x.png) **r**.txt", REPORT.encode(),
                                                "text/plain").run()
    assert not at.exception
    (heading,) = [h.value for h in at.subheader if h.value.startswith("Report:")]
    assert "![p](" not in heading and "**r**" not in heading
    assert heading.replace("\\", "") == "Report: ![p](http:x.png) **r**.txt"


def test_a_toll_not_coded_is_listed_and_added_in_one_step(db):
    # A background toll (told as past context) is listed with its reason, not coded; one click
    # puts it in the review table pre-filled with what was read.
    at = paste("date 2018-03-05\nJets killed six people in Hajin on Monday, activists said.\n\n"
               "Last year's raid on al-Busayrah killed 14 people, the group recalled.")
    table = at.data_editor(key="r0_table").value
    assert table["places"].tolist() == ["Hajin"]
    assert any("background" in m.value and "14" in m.value for m in at.markdown)
    at.button(key="r0_add_0").click().run()
    assert not at.exception, at.exception
    table = at.data_editor(key="r0_table").value
    assert sorted(table["places"].tolist()) == ["Al Busayrah", "Hajin"]
    assert table.iloc[-1]["killed"] == 14 and "date" in table.iloc[-1]["unsure"]


def test_a_report_without_a_date_asks_for_one(db):
    at = paste("Jets killed six people in Hajin on Monday, activists said.")
    assert any("give the report's date" in w.value for w in at.warning)
    assert not any(e.key == "r0_save" for e in at.button)
