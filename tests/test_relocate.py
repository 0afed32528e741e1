"""`relocate`: stored incidents' unlocated places get points once a fetched GeoNames list knows them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import geo.places.gazetteer as gazetteer_module
from geo import cli, open_store
from geo.places.gazetteer import Gazetteer
from geo.places.relocate import relocate
from tests.conftest import make_incident
from tests.loopback import serve

# Villages made up for these tests (no real place has these names), as a GeoNames dump would list them:
# geonameid, name, asciiname, alternatenames, latitude, longitude, feature class/code, country, admin1.
VILLAGE = ("9910001", "Tell al-Mukhtabar", "Tell al-Mukhtabar", "Tall al Mukhtabar", "34.88000",
           "40.61000", "P", "PPL", "SY", "", "07")  # Deir ez-Zor
HAMLET = ("9910002", "Kharbat Tajrib", "Kharbat Tajrib", "Khirbet Tajrib", "35.91000", "39.12000",
          "P", "PPL", "SY", "", "04")  # Raqqa
VILLAGE_POINT = (40.61, 34.88)
HAMLET_POINT = (39.12, 35.91)
AL_JALA = (40.84054, 34.63346)  # in cities500, Deir ez-Zor
UNKNOWN = "Xqvwz Jjkkp"  # in no list


def dump_text() -> str:
    tail = ("", "", "", "0", "", "200", "Asia/Damascus", "2024-01-01")
    return "".join("\t".join(row + tail) + "\n" for row in (VILLAGE, HAMLET))


def write_dump(data_dir: Path) -> None:
    (data_dir / "gazetteer").mkdir(parents=True, exist_ok=True)
    (data_dir / "gazetteer" / "SY.txt").write_text(dump_text(), encoding="utf-8")


def incidents():
    """One incident per case, ids naming the case."""
    return [
        make_incident(id="village", places=["Tell al-Mukhtabar"], points=[None], province=None),
        make_incident(id="mixed", places=["Al Jala", "Tell al-Mukhtabar"], points=[AL_JALA, None],
                      province=None),
        make_incident(id="two-provinces", places=["Tell al-Mukhtabar", "Kharbat Tajrib"],
                      points=[None, None], province=None),
        # placed by hand elsewhere: must stay there; its stated province must stay too
        make_incident(id="kept", places=["Tell al-Mukhtabar", "Kharbat Tajrib"],
                      points=[(40.0, 35.0), None], province="Raqqa"),
        make_incident(id="located", places=["Test Town"], points=[(40.5, 34.8)], province=None),
        make_incident(id="unknown", places=[UNKNOWN], points=[None], province=None),
    ]


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory) -> Gazetteer:
    data_dir = tmp_path_factory.mktemp("data")
    write_dump(data_dir)
    return Gazetteer.load(data_dir, countries=("SY",))


def snapshot(store) -> dict:
    return {inc.id: inc for inc in store.query()}


def test_made_up_places_are_unknown_without_the_dump(tmp_path):
    bare = Gazetteer.load(tmp_path, countries=("SY",))
    assert bare.resolve("Tell al-Mukhtabar") is None and bare.resolve("Kharbat Tajrib") is None


def test_relocate_fills_missing_points_only(store, gazetteer):
    store.add(incidents())
    before = snapshot(store)

    result = relocate(store, gazetteer)

    after = snapshot(store)
    assert after["village"].points == [VILLAGE_POINT]
    assert after["village"].province == "Deir ez-Zor"
    assert after["village"].places == ["Tell al-Mukhtabar"]  # the stored spelling is kept
    # a place located before resolves to its own point: its province counts towards agreement
    assert after["mixed"].points == [AL_JALA, VILLAGE_POINT]
    assert after["mixed"].province == "Deir ez-Zor"
    # two provinces: both placed, province left empty
    assert after["two-provinces"].points == [VILLAGE_POINT, HAMLET_POINT]
    assert after["two-provinces"].province is None
    # a located point never moves, a stated province is never replaced
    assert after["kept"].points == [(40.0, 35.0), HAMLET_POINT]
    assert after["kept"].province == "Raqqa"
    for untouched in ("located", "unknown"):
        assert after[untouched] == before[untouched]
    for iid in ("village", "mixed", "two-provinces", "kept"):  # nothing else about them changed
        assert {k: v for k, v in vars(after[iid]).items() if k not in ("points", "province")} == \
               {k: v for k, v in vars(before[iid]).items() if k not in ("points", "province")}

    assert sorted(result.changed) == ["kept", "mixed", "two-provinces", "village"]
    assert result.provinces == {"village": "Deir ez-Zor", "mixed": "Deir ez-Zor"}
    assert result.unlocated == [("unknown", UNKNOWN, "SY")]
    assert result.checked == 5
    placed = {(p.incident_id, p.place): p for p in result.placed}
    assert len(placed) == len(result.placed) == 5
    village = placed[("village", "Tell al-Mukhtabar")]
    assert village.point == VILLAGE_POINT and village.source == "geonames:SY" and village.score == 1.0
    # the mean point the map and the bounding-box filter use follows the new point
    assert store.query_frame(columns=["id", "longitude"]).set_index("id").loc["village", "longitude"] \
        == pytest.approx(VILLAGE_POINT[0])

    again = relocate(store, gazetteer)
    assert again.placed == [] and again.changed == [] and again.provinces == {}
    assert again.unlocated == [("unknown", UNKNOWN, "SY")]
    assert snapshot(store) == after


def test_dry_run_stores_nothing(store, gazetteer):
    store.add(incidents())
    before = snapshot(store)
    result = relocate(store, gazetteer, dry_run=True)
    assert result.dry_run and len(result.placed) == 5 and len(result.changed) == 4
    assert snapshot(store) == before


# --- the commands --------------------------------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """The project's gazetteer reads this folder (no dump in it yet)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setattr(gazetteer_module, "DATA_DIR", folder)
    gazetteer_module.default_gazetteer.cache_clear()
    yield folder
    gazetteer_module.default_gazetteer.cache_clear()


def test_cli_relocate(tmp_path, data_dir, capsys):
    url = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    open_store(url).add(incidents())

    assert cli.main(["relocate", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "placed 0 of 6 unlocated places, in 0 incidents" in out
    assert "try: python -m geo gazetteer fetch SY && python -m geo relocate" in out

    write_dump(data_dir)
    gazetteer_module.default_gazetteer.cache_clear()
    assert cli.main(["relocate", "--db", url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would place 5 of 6 unlocated places, in 4 incidents; dry run, nothing stored" in out
    assert open_store(url).get("village").points == [None]

    assert cli.main(["relocate", "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "village: Tell al-Mukhtabar → (34.88000, 40.61000) geonames:SY, score 1.00" in lines
    assert "village: province → Deir ez-Zor" in lines
    assert "placed 5 of 6 unlocated places, in 4 incidents" in lines
    assert f"still not located (1): {UNKNOWN}" in lines
    assert any("gazetteer_supplement.csv" in line for line in lines)  # SY's full list is loaded
    assert open_store(url).get("village").points == [VILLAGE_POINT]

    assert cli.main(["relocate", "--db", url]) == 0
    assert "placed 0 of 1 unlocated place, in 0 incidents" in capsys.readouterr().out


def test_cli_relocate_missing_database(tmp_path, capsys):
    assert cli.main(["relocate", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}"]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.fixture
def dump_server(tmp_path):
    """A loopback server holding SY.zip with the test villages."""
    root = tmp_path / "dumps"
    root.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("SY.txt", dump_text())
    (root / "SY.zip").write_bytes(buffer.getvalue())
    with serve(folder=root) as url:
        yield url


def test_fetch_hints_at_relocate_or_does_it(tmp_path, data_dir, dump_server, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'default.sqlite'}"
    monkeypatch.setenv("STRIKE_ATLAS_DB", url)  # the "default" store of this test
    open_store(url).add(incidents())

    assert cli.main(["gazetteer", "fetch", "SY", "--url-base", dump_server]) == 0
    captured = capsys.readouterr()
    assert "now run: python -m geo relocate" in captured.err
    assert open_store(url).get("village").points == [None]

    assert cli.main(["gazetteer", "fetch", "SY", "--url-base", dump_server, "--relocate"]) == 0
    assert "placed 5 of 6 unlocated places, in 4 incidents" in capsys.readouterr().out
    assert open_store(url).get("village").points == [VILLAGE_POINT]


def test_fetch_failure_does_not_relocate(tmp_path, data_dir, dump_server, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'default.sqlite'}"
    monkeypatch.setenv("STRIKE_ATLAS_DB", url)
    open_store(url).add(incidents())
    assert cli.main(["gazetteer", "fetch", "JO", "--url-base", dump_server, "--relocate"]) == 2
    captured = capsys.readouterr()
    assert "HTTP 404" in captured.err and "placed" not in captured.out
    assert open_store(url).get("village").points == [None]
