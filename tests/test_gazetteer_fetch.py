"""`gazetteer fetch`: GeoNames country dumps downloaded from a loopback server, then used."""

from __future__ import annotations

import io
import zipfile

import pytest

import geo.places.gazetteer as gazetteer_module
from geo import cli
from geo.places.gazetteer import Gazetteer, GazetteerError, fetch_dump, read_dump
from tests.loopback import serve

# A village made up for this test: no real place has this name.
TEST_VILLAGE = ("9900001", "Qaryat at-Tajribah", "Qaryat at-Tajribah",
                "Qaryat at Tajribah,Tajribeh,قرية التجربة", "34.91000", "40.55000", "P", "PPL",
                "SY", "", "07", "", "", "", "0", "", "210", "Asia/Damascus", "2024-01-01")


def dump_line(*cols: str) -> str:
    return "\t".join(cols)


def dump_text() -> str:
    rows = [
        TEST_VILLAGE,
        # a wadi (feature class H): not a populated place, must be dropped
        ("9900002", "Wadi Tajribah", "Wadi Tajribah", "", "34.9", "40.5", "H", "WAD", "SY", "",
         "07", "", "", "", "0", "", "200", "Asia/Damascus", "2024-01-01"),
        # a place also in cities500: the dump's record wins
        ("166597", "Al Jalā’", "Al Jala'", "Al Jala,Jalaa", "34.63346", "40.84054", "P", "PPL",
         "SY", "", "07", "", "", "", "5000", "", "190", "Asia/Damascus", "2024-01-01"),
    ]
    return "\n".join(dump_line(*row) for row in rows) + "\n"


def make_zip(member: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
        archive.writestr("readme.txt", "test archive\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A loopback HTTP server for a folder of dump zips: SY.zip good, IQ.zip not a zip,
    JO.zip a zip without JO.txt."""
    root = tmp_path_factory.mktemp("dumps")
    (root / "SY.zip").write_bytes(make_zip("SY.txt", dump_text()))
    (root / "IQ.zip").write_bytes(b"<html>maintenance</html>")
    (root / "JO.zip").write_bytes(make_zip("other.txt", "x\n"))
    with serve(folder=root) as url:
        yield url


def test_fetch_keeps_populated_places_and_the_gazetteer_uses_them(server, tmp_path):
    lines = []
    path = fetch_dump("sy", data_dir=tmp_path, url_base=server, progress=lines.append)
    assert path == tmp_path / "gazetteer" / "SY.txt"
    places = read_dump(path)
    assert [p.geonameid for p in places] == [9900001, 166597]
    assert any("kept 2 populated places" in line for line in lines)
    assert any(line.startswith("SY.zip: ") for line in lines)

    gazetteer = Gazetteer.load(tmp_path, countries=("SY",))
    for spelling in ("Qaryat at-Tajribah", "Qaryat al-Tajriba", "Tajribeh", "قرية التجربة"):
        match = gazetteer.resolve(spelling)
        assert match is not None, spelling
        assert (match.geonameid, match.source) == (9900001, "geonames:SY")
        assert match.province == "Deir ez-Zor" and match.point == (40.55, 34.91)
    assert gazetteer.resolve("Wadi Tajribah") is None
    jala = gazetteer.resolve("al-Jala")
    assert (jala.source, jala.population, jala.name) == ("geonames:SY", 5000, "Al Jala")
    assert gazetteer.counts()["geonames:SY"] == 2


def test_village_unknown_before_the_fetch(tmp_path):
    assert Gazetteer.load(tmp_path, countries=("SY",)).resolve("Qaryat at-Tajribah") is None


@pytest.mark.parametrize("country, message", [
    ("IQ", "not a zip file"), ("JO", "holds no JO.txt"), ("LB", "HTTP 404"), ("SYR", "ISO 3166"),
])
def test_fetch_errors_are_clear(server, tmp_path, country, message):
    with pytest.raises(GazetteerError, match=message):
        fetch_dump(country, data_dir=tmp_path, url_base=server)
    assert not list(tmp_path.glob("gazetteer/*.txt"))


def test_fetch_network_failure(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(GazetteerError, match="could not download"):
        fetch_dump("SY", data_dir=tmp_path, url_base=f"http://127.0.0.1:{port}", timeout=5)


def test_cli_fetch_then_geocode(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(gazetteer_module, "DATA_DIR", tmp_path)
    gazetteer_module.default_gazetteer.cache_clear()
    try:
        assert cli.main(["geocode", "--json", "Qaryat at-Tajribah"]) == 1
        assert cli.main(["gazetteer", "fetch", "SY", "--url-base", server]) == 0
        assert (tmp_path / "gazetteer" / "SY.txt").exists()
        capsys.readouterr()
        assert cli.main(["geocode", "Tajribeh"]) == 0
        assert "Qaryat at-Tajribah (34.91000, 40.55000) Deir ez-Zor" in capsys.readouterr().out
        assert cli.main(["gazetteer", "status"]) == 0
        assert "geonames:SY: 2" in capsys.readouterr().out
        assert cli.main(["gazetteer", "fetch", "IQ", "--url-base", server]) == 2
        assert "not a zip file" in capsys.readouterr().err
    finally:
        gazetteer_module.default_gazetteer.cache_clear()


def test_bad_dump_file_is_reported_with_its_line(tmp_path):
    folder = tmp_path / "gazetteer"
    folder.mkdir()
    (folder / "SY.txt").write_text(dump_line(*TEST_VILLAGE) + "\nbroken line\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="line 2"):
        Gazetteer.load(tmp_path, countries=("SY",))
