"""Exports written as the incidents are read: the writers take any iterator and a binary file,
write before the selection ends, and a failed export leaves no half-written file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from geo import open_store
from geo.cli import main
from geo.export import export_bytes, write_export
from geo.formats import csv, geojson
from geo.formats.gpkg import read_gpkg
from tests.conftest import make_incident


def _incidents(n: int):
    for i in range(n):
        yield make_incident(id=f"s{i}", killed=i % 7, children=0)


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_text_formats_are_written_while_the_incidents_are_still_coming(fmt):
    out = io.BytesIO()
    written_midway = []

    def source():
        for n, inc in enumerate(_incidents(5000)):
            if n == 4000:
                written_midway.append(out.tell())
            yield inc

    assert write_export(source(), fmt, out) == 5000
    assert written_midway[0] > 0  # bytes were out before the source ended
    data = out.getvalue()
    if fmt == "geojson":
        assert [f["id"] for f in json.loads(data)["features"]] == [f"s{i}" for i in range(5000)]
    else:
        assert [i.id for i in csv.loads(data.decode()).incidents] == [f"s{i}" for i in range(5000)]


def test_streamed_and_listed_exports_are_the_same_bytes():
    incidents = list(_incidents(2500))
    for fmt in ("geojson", "csv"):
        out = io.BytesIO()
        write_export(iter(incidents), fmt, out)
        assert out.getvalue() == export_bytes(incidents, fmt)
    assert geojson.loads(export_bytes([], "geojson")).incidents == []


def test_geopackage_in_several_batches_keeps_every_incident(tmp_path: Path, monkeypatch):
    from geo.formats import gpkg
    monkeypatch.setattr(gpkg, "BATCH", 40)
    incidents = list(_incidents(100))
    path = tmp_path / "x.gpkg"
    path.write_bytes(export_bytes(iter(incidents), "gpkg"))
    assert read_gpkg(path).incidents == incidents


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch, capsys):
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    open_store(db).add(list(_incidents(10)))
    from geo.formats import geojson as module

    def broken(incidents, out, extra=None):
        out.write(b'{"type":')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "write_geojson_bytes", broken)
    target = tmp_path / "out.geojson"
    assert main(["export", "--db", db, "--out", str(target)]) == 2
    assert "No space left" in capsys.readouterr().err
    assert not target.exists() and list(tmp_path.glob("*.partial")) == []
