"""File → store: counts, rejects files, exit codes, one transaction, round trips, provinces by
point-in-polygon, progress, and news reports handed to extraction."""

import csv as std_csv
import sys
import types
from pathlib import Path

import pytest

from geo import open_store
from geo.cli import main
from geo.export import export_bytes
from geo.formats import Reject, tabular
from geo.ingest.importer import import_file, rejects_csv
from geo.store import writer as store_module
from tests.conftest import make_incident
from tests.fixtures_formats import ACLED_COLUMNS, UCDP_COLUMNS, acled_row, outlines_geojson, ucdp_row, write_rows


@pytest.fixture(autouse=True)
def no_installed_outlines(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(tmp_path / "no-outlines"))


def _acled_file(tmp_path: Path, bad: int = 0, good: int = 5) -> Path:
    rows = [acled_row(i) for i in range(good)]
    rows += [acled_row(100 + i, country="Narnia") for i in range(bad)]
    return write_rows(tmp_path / "acled.csv", ACLED_COLUMNS, rows)


def test_import_counts_and_reimport_adds_nothing(tmp_path: Path, store):
    path = _acled_file(tmp_path, bad=2)
    first = import_file(store, path)
    assert (first.format, first.stored, first.skipped, first.rejected) == ("acled", 5, 0, 2)
    assert first.exit_code == 1
    assert store.count() == 5
    again = import_file(store, path)
    assert (again.stored, again.skipped) == (0, 5)
    assert store.count() == 5


def test_rejects_file_beside_the_input(tmp_path: Path, store):
    path = _acled_file(tmp_path, bad=2)
    summary = import_file(store, path)
    assert summary.rejects_path == tmp_path / "acled.rejects.csv"
    with open(summary.rejects_path, encoding="utf-8") as handle:
        rows = list(std_csv.DictReader(handle))
    assert [r["line"] for r in rows] == ["7", "8"]
    assert all("Narnia" in r["reason"] for r in rows)
    assert rows[0]["event_id_cnty"] == "SYR10100" and rows[0]["country"] == "Narnia"


def test_rejects_csv_is_spreadsheet_safe():
    text = rejects_csv([Reject(2, "line 2: bad", {"notes": "=HYPERLINK(\"x\")", "n": "1"})])
    row = next(std_csv.DictReader(text.splitlines()))
    assert row["notes"].startswith("'=")


def test_exit_codes(tmp_path: Path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    clean = write_rows(tmp_path / "clean.csv", UCDP_COLUMNS, [ucdp_row(i) for i in range(3)])
    assert main(["import", str(clean), "--db", db]) == 0
    assert "3 stored" in capsys.readouterr().out
    assert main(["import", str(_acled_file(tmp_path, bad=1)), "--db", db]) == 1
    captured = capsys.readouterr()
    assert "1 rejected" in captured.out and "line 7" in captured.err
    binary = tmp_path / "sheet.csv"
    binary.write_bytes(b"\x00\x00\x01\x02")
    assert main(["import", str(binary), "--db", db]) == 2
    assert main(["import", str(tmp_path / "missing.csv"), "--db", db]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert open_store(db).count() == 3 + 5


def test_a_crash_mid_file_leaves_the_store_as_it_was(tmp_path: Path, store, monkeypatch):
    store.add([make_incident(id="before")])
    original = store_module.chunks

    adds_by = store.writer.chunk_size

    def crash_after_first_insert(items, size):
        if size != adds_by:  # not the add's own chunks (id look-ups)
            yield from original(items, size)
            return
        chunks = original(items, 2)
        yield next(chunks)  # two rows are inserted inside the transaction…
        raise RuntimeError("disk pulled out")  # …then the import dies

    monkeypatch.setattr(store_module, "chunks", crash_after_first_insert)
    with pytest.raises(RuntimeError):
        import_file(store, _acled_file(tmp_path, good=6))
    assert store.count() == 1 and store.get("acled:SYR10000") is None


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_export_then_import_gives_back_the_same_incidents(tmp_path: Path, fmt: str):
    incidents = [
        make_incident(id="a", places=["Al Jala"], points=[(40.84054, 34.63346)], killed=6),
        make_incident(id="b", places=["X", "Y"], points=[(40.1, 35.2), None], killed=3,
                      killed_max=9, children=None, date_end="2017-08-19", notes="=1+1 test"),
        make_incident(id="c", places=["Z"], points=[None], killed=None, children=None,
                      province=None, country="IQ"),
    ]
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(export_bytes(incidents, fmt))
    target = open_store(f"sqlite:///{tmp_path / 'target.sqlite'}")
    summary = import_file(target, path)
    assert (summary.format, summary.stored, summary.rejected) == (fmt, 3, 0)
    assert target.query() == sorted(incidents, key=lambda i: (i.date, i.id))


def test_points_without_province_are_placed_by_the_outlines(tmp_path: Path, store, monkeypatch):
    from geo.places import boundaries

    folder = tmp_path / "outlines"
    boundaries.add(outlines_geojson(tmp_path / "rects.geojson"), 1, "shapeName", directory=folder)
    monkeypatch.setenv("STRIKE_ATLAS_BOUNDARIES", str(folder))
    rows = [acled_row(0, admin1=""),  # Al Bukamal, inside the Deir ez-Zor rectangle
            acled_row(3, admin1=""),  # Raqqa, inside the Raqqa rectangle
            acled_row(5, admin1="", latitude="33.0", longitude="36.0"),  # outside both
            acled_row(1, admin1="Ar-Raqqa")]  # its own province is kept even though it lies elsewhere
    summary = import_file(store, write_rows(tmp_path / "a.csv", ACLED_COLUMNS, rows))
    assert summary.placed == 2
    provinces = {i.id: i.province for i in store.query()}
    assert provinces == {"acled:SYR10000": "Deir ez-Zor", "acled:SYR10003": "Raqqa",
                         "acled:SYR10005": None, "acled:SYR10001": "Raqqa"}


def test_progress_callback(tmp_path: Path, store, monkeypatch):
    monkeypatch.setattr(tabular, "PROGRESS_EVERY", 2)
    calls = []
    import_file(store, _acled_file(tmp_path, good=5), progress=lambda *a: calls.append(a))
    assert calls[:2] == [("reading", 2, 5), ("reading", 4, 5)]
    assert calls[-1] == ("storing", 5, 5)


def test_reports_go_to_extraction(tmp_path: Path, monkeypatch, capsys):
    seen = {}

    def import_report_files(store, paths, report_date=None, on_duplicate="merge"):
        seen.update(paths=paths, report_date=report_date, on_duplicate=on_duplicate)
        return [f"{p.name}: 1 incident stored" for p in paths]

    monkeypatch.setitem(sys.modules, "geo.ingest.reports",
                        types.SimpleNamespace(import_report_files=import_report_files))
    report = tmp_path / "wire.txt"
    report.write_text("A short test report.", encoding="utf-8")
    code = main(["import", str(report), "--db", f"sqlite:///{tmp_path / 'r.sqlite'}",
                 "--date", "2017-08-20", "--on-duplicate", "keep"])
    assert code == 0
    assert seen == {"paths": [report], "report_date": "2017-08-20", "on_duplicate": "keep"}
    assert "wire.txt: 1 incident stored" in capsys.readouterr().out


def test_bad_date_flag_is_a_usage_error(tmp_path: Path, capsys):
    assert main(["import", "x.txt", "--date", "20/08/2017"]) == 2
    assert "--date" in capsys.readouterr().err


def test_rejects_csv_header_from_the_file_is_spreadsheet_safe():
    # the column names come from the user's file, so they are cells like any other
    text = rejects_csv([Reject(2, "line 2: bad", {"=cmd|' /C calc'!A0": "x", "@SUM(1)": "y"})])
    header = next(std_csv.reader(text.splitlines()))
    assert header[:2] == ["line", "reason"]
    assert all(not name.startswith(("=", "+", "-", "@")) for name in header), header
    assert header[2:] == ["'=cmd|' /C calc'!A0", "'@SUM(1)"]
