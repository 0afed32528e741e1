"""`python -m geo export`: the dashboard's files from the command line, and its errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import open_store
from geo.cli import main
from tests.conftest import make_incident

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    open_store(url).add([
        make_incident(id="r1", province="Raqqa", killed=17, date="2017-08-16"),
        make_incident(id="d1", province="Deir ez-Zor", killed=6, date="2017-08-17", source="=cmd|' /C calc'!A0"),
        make_incident(id="d2", province="Deir ez-Zor", killed=1, date="2017-09-01"),
    ])
    return url


def test_export_geojson_with_filters(db, tmp_path, capsys):
    out = tmp_path / "sel.geojson"
    code = main(["export", "--db", db, "--province", "deir ez zor", "--start", "2017-08-01",
                 "--end", "2017-08-31", "--out", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert [f["id"] for f in data["features"]] == ["d1"]
    assert "wrote 1 incidents" in capsys.readouterr().err


def test_export_csv_to_stdout_is_safe(db, capsysbinary):
    assert main(["export", "--db", db, "--format", "csv", "--min-killed", "5"]) == 0
    text = capsysbinary.readouterr().out.decode()
    assert text.splitlines()[0].startswith("id,date,date_end,places")
    assert len(text.splitlines()) == 3
    assert "'=cmd" in text


@pytest.mark.parametrize("args, fragment", [
    (["--province", "Atlantis"], "accepted: Al-Hasakah"),
    (["--start", "2017-13-01"], "YYYY-MM-DD"),
    (["--format", "pdf"], "invalid choice"),
    (["--min-killed", "lots"], "invalid int value"),
])
def test_bad_arguments_one_line_exit_2(db, capsys, args, fragment):
    assert main(["export", "--db", db, *args]) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


def test_missing_and_corrupt_database(tmp_path, capsys):
    assert main(["export", "--db", f"sqlite:///{tmp_path / 'missing.sqlite'}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 500)
    assert main(["export", "--db", f"sqlite:///{bad}"]) == 2
    err = capsys.readouterr().err
    assert "not a readable SQLite database" in err and "Traceback" not in err


def test_runs_as_module_without_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "geo", "export", "--db",
                           f"sqlite:///{tmp_path / 'x.sqlite'}", "--province", "Nowhere"],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: unknown province 'Nowhere'")
    assert "Traceback" not in proc.stderr
