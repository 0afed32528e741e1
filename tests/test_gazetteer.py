"""The offline gazetteer: transliteration variants, ranking, not-found, Arabic script, supplement, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo import cli
from geo.names import fold, skeleton, strip_articles
from geo.places.gazetteer import (
    MIN_SCORE,
    SUPPLEMENT,
    Gazetteer,
    GazetteerError,
    Match,
    default_gazetteer,
    read_supplement,
)

REPO_DATA = Path(__file__).resolve().parent.parent / "data"

# GeoNames ids of the places the variants should reach.
RAQQA, DEIR_EZ_ZOR, AL_JALA, SUBAYKHAN, ALBU_KAMAL = 172955, 170794, 166597, 164025, 174448
MUHASAN, BUSAYRAH, MADAN, MANSURAH, HAJIN, MAYADIN = 162284, 173927, 167538, 8559276, 174506, 173480
SARAQIB, SHADDADAH, TABQA, HASAKAH = 164816, 172837, 172374, 173811

# (spelling as a report might write it, GeoNames id of the place meant)
VARIANTS = [
    ("Raqqa", RAQQA), ("Raqqah", RAQQA), ("ar-Raqqa", RAQQA), ("Al-Raqqa", RAQQA), ("Rakka", RAQQA),
    ("Deir ez-Zor", DEIR_EZ_ZOR), ("Dayr al-Zawr", DEIR_EZ_ZOR), ("Deir Ezzor", DEIR_EZ_ZOR),
    ("Deir el-Zor", DEIR_EZ_ZOR), ("Deir al-Zour", DEIR_EZ_ZOR),
    ("al-Jala", AL_JALA), ("al-Jalaa", AL_JALA), ("Jala'", AL_JALA), ("Al Jala’", AL_JALA),
    ("Subaikhan", SUBAYKHAN), ("Sbeikhan", SUBAYKHAN), ("Soubeikhane", SUBAYKHAN),
    ("Subeikhan", SUBAYKHAN),
    ("al-Bukamal", ALBU_KAMAL), ("Abu Kamal", ALBU_KAMAL), ("Albu Kamal", ALBU_KAMAL),
    ("Bu Kamal", ALBU_KAMAL),
    ("Muhasan", MUHASAN), ("Mouhassan", MUHASAN),
    ("al-Busayrah", BUSAYRAH), ("Busaira", BUSAYRAH), ("Al Busayra", BUSAYRAH),
    ("Ma'adan", MADAN), ("Ma‘dan", MADAN), ("Maadan", MADAN),
    ("al-Mansoura", MANSURAH), ("Al Mansura", MANSURAH),
    ("Hajin", HAJIN), ("Hajeen", HAJIN), ("Hajine", HAJIN),
    ("Mayadeen", MAYADIN), ("al-Mayadin", MAYADIN), ("Mayadine", MAYADIN),
    ("Saraqeb", SARAQIB), ("Shaddadi", SHADDADAH), ("Tabqa", TABQA), ("Hasakeh", HASAKAH),
]

ARABIC = [("الرقة", RAQQA), ("المنصورة", MANSURAH), ("دير الزور", DEIR_EZ_ZOR),
          ("الجلاء", AL_JALA), ("الميادين", MAYADIN), ("ميادين", MAYADIN), ("معدان", MADAN)]


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory) -> Gazetteer:
    """The gazetteer as shipped (cities500 + the repo's supplement), without any fetched dumps."""
    data_dir = tmp_path_factory.mktemp("data")
    shutil.copy(REPO_DATA / SUPPLEMENT, data_dir / SUPPLEMENT)
    return Gazetteer.load(data_dir)


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Gazetteer:
    """cities500 alone: the transliteration rules without the supplement's extra spellings."""
    return Gazetteer.load(tmp_path_factory.mktemp("empty"))


@pytest.mark.parametrize("spelling, geonameid", VARIANTS)
def test_variant_spellings_resolve_to_the_geonames_place(gazetteer, spelling, geonameid):
    match = gazetteer.resolve(spelling)
    assert match is not None, spelling
    assert match.geonameid == geonameid
    assert MIN_SCORE <= match.score <= 1


def test_rules_alone_reach_every_variant(bare):
    hits = sum(1 for spelling, gid in VARIANTS if (m := bare.resolve(spelling)) and m.geonameid == gid)
    assert hits == len(VARIANTS)


@pytest.mark.parametrize("spelling, geonameid", ARABIC)
def test_arabic_script_resolves_through_arabic_alternate_names(gazetteer, spelling, geonameid):
    match = gazetteer.resolve(spelling)
    assert match is not None and match.geonameid == geonameid


def test_match_fields(gazetteer):
    match = gazetteer.resolve("al-Jala")
    assert isinstance(match, Match)
    assert (match.name, match.province, match.country) == ("Al Jala", "Deir ez-Zor", "SY")
    assert match.point == (match.longitude, match.latitude) == (40.84054, 34.63346)
    assert match.geo_precision == 1 and match.query == "al-Jala"
    assert match.source == "geonames:cities500"
    names = {gazetteer.resolve(q).name for q in ("Sbeikhan", "Raqqa", "Maadan", "Abu Kamal")}
    assert names == {"Subaykhan", "Ar Raqqah", "Ma'dan", "Albu Kamal"}


def test_exact_outranks_alternate_outranks_skeleton(gazetteer):
    exact = gazetteer.resolve("Subaykhan").score
    alternate = gazetteer.resolve("Sabikhan").score
    skeleton_only = gazetteer.resolve("Subeikhan").score
    assert exact == 1.0 and exact > alternate > skeleton_only >= MIN_SCORE


def test_ambiguous_name_in_two_provinces_goes_to_the_bigger_place(gazetteer):
    found = gazetteer.candidates("Suran")
    provinces = [m.province for m in found if m.name == "Suran"]
    assert set(provinces) == {"Hama", "Aleppo"}
    best = gazetteer.resolve("Suran")
    assert best.province == "Hama"  # same score, larger population
    assert best.population == max(m.population for m in found if m.name == "Suran")


def test_country_bias_and_population_across_countries(tmp_path):
    gazetteer = Gazetteer.load(tmp_path, countries=("SY", "EG"))
    assert gazetteer.resolve("Al Mansurah").country == "SY"  # default bias SY
    assert gazetteer.resolve("Al Mansurah", country="EG").country == "EG"
    anywhere = gazetteer.resolve("Al Mansurah", country=None)
    assert anywhere.country == "EG"  # no bias: the far larger city wins
    countries = {m.country for m in gazetteer.candidates("Al Mansurah", country=None, limit=10)}
    assert {"SY", "EG"} <= countries


def test_a_country_not_loaded_is_loaded_when_asked_for(tmp_path):
    gazetteer = Gazetteer.load(tmp_path, countries=("SY",))
    assert "EG" not in gazetteer.countries
    assert gazetteer.resolve("Al Mansurah", country="EG").country == "EG"
    assert "EG" in gazetteer.countries


def test_exact_name_outside_the_country_is_only_a_candidate(gazetteer):
    # "Of" is a Turkish town: with the default Syrian bias it must not be returned
    assert gazetteer.resolve("Of") is None
    assert gazetteer.candidates("Of")[0].country == "TR"
    assert gazetteer.resolve("Of", country=None).country == "TR"


@pytest.mark.parametrize("word", ["xyzzy", "Blorfengast", "qwertyuiop", "toll", "road", "house",
                                  "regime", "mansion", "hospital", "Syrian", "said", "damage",
                                  "Raqqaville", "Subaykhanistan", "Boqrussiyat", ""])
def test_nonsense_and_near_misses_are_not_found(gazetteer, word):
    assert gazetteer.resolve(word) is None


def test_weak_candidates_are_listed_with_low_scores(gazetteer):
    weak = gazetteer.candidates("toll")
    assert weak and all(m.score < MIN_SCORE for m in weak)


def test_folding_and_skeleton():
    assert fold("Al Jalā’") == fold("al-Jala") == "al jala"
    assert strip_articles("ash shaddadah") == "shaddadah"
    assert len({skeleton(fold(s)) for s in ("Sbeikhan", "Subaykhan", "Soubeikhane")}) == 1
    assert skeleton(fold("Boqruss")) == skeleton(fold("Buqrus"))
    assert skeleton(fold("Mayadeen")) == skeleton(fold("Al Mayadin")) != skeleton(fold("Ma'dan"))
    assert skeleton(fold("Deir Ezzor")) == skeleton(fold("Dayr al-Zawr"))


def test_supplement_spellings_and_places(tmp_path):
    (tmp_path / SUPPLEMENT).write_text(
        "# test supplement\n"
        "name,geonameid,latitude,longitude,country,admin1,coordinates_source,note\n"
        "Qubbat Zubaykhaniyya,164025,,,SY,07,,made-up spelling for the test\n"
        "Tell Fixturiyah,,35.1,40.2,SY,07,written by this test,\n", encoding="utf-8")
    gazetteer = Gazetteer.load(tmp_path, countries=("SY",))
    alias = gazetteer.resolve("Qubbat Zubaykhaniyya")
    assert alias.geonameid == SUBAYKHAN and alias.source == "geonames:cities500"
    place = gazetteer.resolve("Tall Fixturiya")
    assert place.source == "supplement" and place.point == (40.2, 35.1)
    assert place.province == "Deir ez-Zor"
    assert gazetteer.counts()["supplement"] == 1


@pytest.mark.parametrize("row, message", [
    ("Tell Nosource,,35.1,40.2,SY,07,,", "coordinates_source"),
    ("Tell Far,,135.1,40.2,SY,07,a map,", "out of range"),
    ("Tell Word,,north,40.2,SY,07,a map,", "not numbers"),
    ("Tell Badid,abc,,,SY,07,,", "geonameid"),
])
def test_supplement_rows_without_a_source_or_with_bad_values_are_refused(tmp_path, row, message):
    path = tmp_path / SUPPLEMENT
    path.write_text("name,geonameid,latitude,longitude,country,admin1,coordinates_source,note\n"
                    + row + "\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=message) as error:
        read_supplement(path)
    assert "line 2" in str(error.value)


def test_repo_supplement_rows_all_point_at_loaded_places(gazetteer):
    places, aliases = read_supplement(REPO_DATA / SUPPLEMENT)
    for geonameid, alias in aliases:
        assert gazetteer.resolve(alias).geonameid == geonameid, alias
    assert all(p.source == "supplement" for p in places)


def test_default_gazetteer_is_loaded_once():
    assert default_gazetteer() is default_gazetteer()


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_json_lines_and_exit_code(capsys):
    code = cli.main(["geocode", "--json", "al-Jala", "Sbeikhan", "الرقة"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [r["query"] for r in rows] == ["al-Jala", "Sbeikhan", "الرقة"]
    assert rows[0] == {"query": "al-Jala", "name": "Al Jala", "latitude": 34.63346,
                       "longitude": 40.84054, "province": "Deir ez-Zor", "country": "SY",
                       "geo_precision": 1, "score": rows[0]["score"]}
    assert rows[1]["name"] == "Subaykhan" and rows[2]["province"] == "Raqqa"


def test_cli_not_found_gives_nulls_and_exit_1(capsys):
    code = cli.main(["geocode", "--json", "Raqqa", "Xqzzyvillage"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert rows[0]["name"] == "Ar Raqqah"
    assert rows[1]["query"] == "Xqzzyvillage"
    assert all(rows[1][k] is None for k in ("name", "latitude", "longitude", "province", "score"))


def test_cli_plain_lines(capsys):
    code = cli.main(["geocode", "Dayr al-Zawr", "Xqzzyvillage"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0].startswith("Dayr al-Zawr → Deir ez-Zor (35.33588, 40.14084) Deir ez-Zor, score ")
    assert lines[1].startswith("Xqzzyvillage → not located (")


def test_cli_country_any(capsys):
    assert cli.main(["geocode", "--json", "--country", "any", "Of"]) == 0
    assert json.loads(capsys.readouterr().out)["country"] == "TR"


def test_supplement_spelling_scores_as_an_alternate_name(gazetteer, bare):
    assert gazetteer.resolve("Sbeikhan").score == 0.97
    assert bare.resolve("Sbeikhan").score < 0.97


def test_find_in_text(gazetteer):
    text = ("A sentence written for this test: on Tuesday jets struck al-Jala and Sbeikhan east of "
            "Deir Ezzor, then a bakery in Raqqa; monitors in London counted the toll near "
            "Abu Kamal. Also named: الميادين and an unknown hamlet called Qzxwvillage.")
    found = gazetteer.find_in_text(text)
    assert [m.geonameid for m in found] == [AL_JALA, SUBAYKHAN, DEIR_EZ_ZOR, RAQQA, ALBU_KAMAL,
                                            MAYADIN]
    assert [m.query for m in found][:3] == ["al-Jala", "Sbeikhan", "Deir Ezzor"]
    assert gazetteer.find_in_text("nothing here names a place, toll road house") == []
