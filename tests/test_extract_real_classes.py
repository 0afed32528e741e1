"""The failure classes seen on real reports (issue 10), each guarded by fixtures written for
the project in its own words (no sentence of any article): dates without a dateline, a province
after a village, "X city", places near a town, one incident per place and day, background tolls,
lost punctuation, and inputs that once made extraction quadratic or crash."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extraction import extract

DAY = dt.date(2018, 3, 5)  # a Monday


# --- inputs that made extraction quadratic or raise ---------------------------------------------

@pytest.mark.parametrize("text", [
    "al-" * 60_000,
    "killed " + "7" * 100_000,
    "Al-" * 30_000,
    "see www." * 12_000,
    "http://" * 14_000,
    "\n" + " " * 100_000 + "killed 5 in Hajin",
    "twenty " * 15_000,
])
def test_pathological_inputs_finish_without_a_traceback(text):
    # Speed is measured in benchmarks/bench_extract.py; here: no exception, no invented toll.
    result = extract(text, DAY)
    assert all(c.incident.killed is None or c.incident.killed < 10_000_000 for c in result.incidents)


def test_a_number_longer_than_any_toll_is_not_a_toll():
    result = extract("Jets bombed Hajin, killing " + "9" * 40 + " people.", DAY)
    assert all(c.incident.killed is None for c in result.incidents)


def places_of(result):
    return [(c.incident.places, c.incident.killed) for c in result.incidents]


# --- dates without a dateline --------------------------------------------------------------------

def test_an_explicit_date_is_the_event_date_without_a_report_date():
    text = ("Early on 9 April 2019 a raid on the village of Hajin in Deir ez-Zor left 11 people dead, "
            "three of them children, according to residents.")
    result = extract(text)
    [found] = result.incidents
    assert (found.incident.date, found.incident.killed, found.incident.children) == ("2019-04-09", 11, 3)
    assert not result.needs_date and not result.skipped


def test_an_explicit_date_wins_over_a_much_later_report_date():
    text = "Early on 9 April 2019 a raid on Hajin left 11 people dead, according to residents."
    [found] = extract(text, dt.date(2024, 1, 1)).incidents
    assert found.incident.date == "2019-04-09"


def test_relative_days_count_from_the_dates_the_report_names():
    text = ("Posted March 6, 2018. Jets hit al-Busayrah on Monday and killed seven residents, "
            "a local network said.")
    [found] = extract(text).incidents
    assert found.incident.date == "2018-03-05"


def test_a_report_with_no_usable_date_says_it_needs_one():
    result = extract("Jets hit al-Busayrah on Monday and killed seven residents, a local network said.")
    assert result.needs_date and result.incidents


# --- nothing dropped silently ------------------------------------------------------------------

def test_a_toll_with_no_place_is_listed_with_its_reason():
    result = extract("Nine civilians died in the bombing on Monday, medics said.", DAY)
    assert not result.incidents
    [item] = result.skipped
    assert "Nine civilians" in item.words and "place" in item.reason
    assert item.candidate is not None and item.candidate.incident.killed == 9
    assert item.candidate.confidence <= 0.3


def test_a_toll_over_a_long_period_is_listed_not_coded():
    result = extract("Since 2014 raids on Raqqa have killed 1,200 civilians, the group says.", DAY)
    assert not result.incidents
    assert [s.words for s in result.skipped] == ["1,200 civilians"]


# --- places -------------------------------------------------------------------------------------

def test_a_province_after_a_village_qualifies_it():
    result = extract("A raid on the village of Hajin in Deir ez-Zor killed 12 people on Monday.", DAY)
    [found] = result.incidents
    assert found.incident.places == ["Hajin"] and found.incident.province == "Deir ez-Zor"


def test_a_province_after_a_comma_or_a_compass_word_is_not_a_place():
    result = extract("Jets killed four in Hajin, eastern Deir Ezzor, on Monday.", DAY)
    assert places_of(result) == [(["Hajin"], 4)]
    result = extract("Jets killed five people in rural Idlib on Monday.", DAY)
    [found] = result.incidents
    assert (found.incident.places, found.incident.province, found.incident.geo_precision) == ([], "Idlib", 3)


def test_the_city_is_kept_when_the_text_says_so():
    result = extract("Shells killed three in Deir ez-Zor city and two in Hajin on Monday.", DAY)
    assert sorted(p for c in result.incidents for p in c.incident.places) == ["Deir ez-Zor", "Hajin"]


def test_x_city_and_the_city_of_x_resolve():
    from geo.places.gazetteer import default_gazetteer
    g = default_gazetteer()
    assert g.resolve("Raqqa city").name == g.resolve("the city of Raqqa").name == "Ar Raqqah"
    assert g.resolve("Deir ez-Zor City").name == "Deir ez-Zor"


@pytest.mark.parametrize("word", ["Nov", "Nov.", "Mar", "Sept", "Thursday", "DECEMBER"])
def test_months_and_weekdays_are_never_places(word):
    from geo.places.gazetteer import default_gazetteer
    assert default_gazetteer().resolve(word) is None


def test_an_unknown_village_told_relative_to_a_town_is_placed_there():
    text = "Jets struck the hamlet of Qaryat Zzyx, some 12 km north of Manbij, killing six on Monday."
    [found] = extract(text, DAY).incidents
    inc = found.incident
    manbij = (37.95495, 36.52815)
    assert inc.places == ["Qaryat Zzyx"] and inc.geo_precision == 2
    assert inc.points[0] is not None and abs(inc.points[0][0] - manbij[0]) < 0.01
    assert "Manbij" in found.explanation


def test_a_district_of_a_town_is_placed_at_the_town():
    [found] = extract("Raids on the Qaryat Zzyx area in al-Susa town killed eight on Monday.", DAY).incidents
    inc = found.incident
    assert inc.places[0] == "Qaryat Zzyx" and inc.geo_precision == 2 and inc.points[0] is not None


# --- one incident per event ------------------------------------------------------------------

def test_a_headline_and_its_lead_are_one_incident():
    text = ("Coalition raid kills nine in Hajin\n\n"
            "Nine people were killed in Hajin on Monday when jets struck a market, activists said. "
            "The raid on Hajin on Monday killed nine, including four children, the activists added.")
    result = extract(text, DAY)
    [found] = result.incidents
    assert (found.incident.killed, found.incident.children) == (9, 4)
    assert sum(1 for e in found.evidence if e.field == "killed") >= 2


def test_a_raised_toll_is_the_same_incident():
    text = ("Seven people died in a raid on Hajin on Monday, medics said. By evening the count of the "
            "dead in Hajin had reached 15.")
    assert places_of(extract(text, DAY)) == [(["Hajin"], 15)]


def test_a_total_of_the_incidents_told_is_not_another_incident():
    text = ("Raids killed 12 civilians on Monday: 5 died in Hajin and 7 in al-Busayrah, the monitor said.")
    result = extract(text, DAY)
    assert sorted(c.incident.killed for c in result.incidents) == [5, 7]
    assert any("total" in s.reason for s in result.skipped)


# --- news and background ----------------------------------------------------------------------

def test_a_toll_recalled_as_past_context_is_background():
    text = ("Jets killed six people in Hajin on Monday, activists said. Last year's bombing of the "
            "town's market killed 30 residents.")
    result = extract(text, DAY)
    assert places_of(result) == [(["Hajin"], 6)]
    [item] = result.skipped
    assert "Last year" in item.reason and item.candidate.incident.killed == 30


def test_an_earlier_dated_attack_is_background_with_its_own_date():
    text = ("Jets killed six people in Hajin on Monday, activists said. It came after the attack on "
            "February 20 that killed 41 people in al-Busayrah.")
    result = extract(text, DAY)
    assert places_of(result) == [(["Hajin"], 6)]
    [item] = result.skipped
    assert item.candidate.incident.date == "2018-02-20" and item.candidate.confidence <= 0.3


# --- lost punctuation -----------------------------------------------------------------------------

def test_a_feed_copy_without_commas_or_apostrophes():
    text = ("jets struck Hajin on Monday killing 18 civilians including four children the monitor said "
            "the observatory put the toll at 18")
    [found] = extract(text, DAY).incidents
    assert (found.incident.places, found.incident.killed, found.incident.children) == (["Hajin"], 18, 4)
