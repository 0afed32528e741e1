"""Importing report texts into a store: extraction, the report kept once, duplicates by policy."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extraction import ExtractionError
from geo.ingest.reports import import_report, import_report_files
from geo.model import report_hash

FIRST = ("date 2017-10-11\nWarplanes struck the town of Hajin on Tuesday, killing eight civilians, "
         "including two children, the Syrian Observatory for Human Rights said.")
SECOND = ("date 2017-10-11\nTen people died in an air strike on Hajin on Tuesday, among them three "
          "children, the state news agency SANA said.")
ELSEWHERE = ("date 2017-10-11\nFour civilians were killed on Tuesday when a house was bombed in "
             "al-Busayrah, activists said.")


def test_import_stores_incidents_and_the_report_once(store):
    summary = import_report(store, FIRST)
    assert len(summary.stored) == 1 and not summary.already_stored
    inc = store.get(summary.stored[0])
    assert (inc.places, inc.killed, inc.children, inc.date) == (["Hajin"], 8, 2, "2017-10-10")
    assert inc.report_hash == report_hash(FIRST)
    assert store.has_report(report_hash(FIRST)) and store.report_text(report_hash(FIRST)) == FIRST
    again = import_report(store, FIRST + "\n")  # the same words, whitespace aside
    assert again.already_stored and again.stored == [] and "nothing stored" in again.describe()
    assert store.count() == 1


def test_second_source_is_merged_by_default(store):
    first = import_report(store, FIRST).stored[0]
    summary = import_report(store, SECOND)
    assert summary.merged == [first] and summary.stored == []
    merged = store.get(first)
    assert (merged.killed, merged.killed_max, merged.children) == (8, 10, 3)
    assert merged.source == "SOHR; SANA"
    assert store.count() == 1 and store.has_report(report_hash(SECOND))


@pytest.mark.parametrize("policy, count, skipped", [("keep", 2, 0), ("skip", 1, 1)])
def test_keep_and_skip_policies(store, policy, count, skipped):
    import_report(store, FIRST)
    summary = import_report(store, SECOND, on_duplicate=policy)
    assert store.count() == count and len(summary.skipped) == skipped and summary.merged == []


def test_a_different_place_is_not_a_duplicate(store):
    import_report(store, FIRST)
    assert len(import_report(store, ELSEWHERE).stored) == 1
    assert store.count() == 2


def test_a_report_without_incidents_is_kept_and_recognised(store):
    text = "date 2017-11-02\nThe ministry sent two letters to the UN about the campaign."
    assert import_report(store, text).stored == []
    assert import_report(store, text).already_stored


def test_bad_options_and_dates_are_refused(store):
    with pytest.raises(ValueError, match="on_duplicate"):
        import_report(store, FIRST, on_duplicate="overwrite")
    with pytest.raises(ExtractionError, match="YYYY-MM-DD"):
        import_report(store, "Five killed in Hajin.", report_date="17/08/2017")
    with pytest.raises(ExtractionError, match="empty"):
        import_report(store, "   \n ")


def test_import_report_files_prints_a_line_per_file(store, tmp_path):
    good, binary = tmp_path / "hajin.txt", tmp_path / "scan.txt"
    good.write_text(FIRST, encoding="utf-8")
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02 binary")
    lines = import_report_files(store, [good, binary, tmp_path / "missing.txt"], report_date="2017-10-11")
    assert lines[0].startswith(f"{good}: stored 1 incident")
    assert f"{binary}: not imported:" in lines[1] and "binary" in lines[1]
    assert lines[2].startswith(f"{tmp_path / 'missing.txt'}: not imported:")
    assert import_report_files(store, [good])[0].endswith("nothing stored")


def test_report_date_is_used_without_a_dateline(store):
    summary = import_report(store, "Warplanes killed six people in Hajin yesterday, activists said.",
                            report_date=dt.date(2017, 10, 11))
    assert store.get(summary.stored[0]).date == "2017-10-10"
    assert not any("today" in w for w in summary.warnings)


def test_reviewed_incidents_merged_into_one_stored_incident_list_it_once(store):
    from geo.extraction import extract
    from geo.ingest.reports import save_reviewed

    first = import_report(store, FIRST).stored[0]
    text = ("date 2017-10-11\nAn air strike on Hajin on Tuesday killed nine people, SANA said. "
            "A second raid on Hajin on Tuesday killed three more, activists said.")
    found = extract(text).to_incidents()
    assert len(found) == 2
    summary = save_reviewed(store, text, found, {inc.id: "merge" for inc in found})
    assert summary.merged == [first] and summary.stored == []
    assert store.count() == 1 and store.has_report(report_hash(text))
