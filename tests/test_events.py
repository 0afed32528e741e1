"""The events rule (geo.events): linking with reasons, an event's figures from its records, grading.

Records here are made by code (test data, not real reports); the places and dates are those of
the issue's examples (Raqqa 16 Aug 2017, Subaykhan 17 Aug 2017, Hajin).
"""

import json

import pytest

from geo import events
from geo.filters import GRADES as FILTER_GRADES
from geo.store.schema import ROW_KEYS, decode_points, to_row
from tests.conftest import make_incident

RAQQA = (39.01, 35.95)
SUBAYKHAN = (40.55, 34.77)
HAJIN = (40.83, 34.69)


def record(**overrides) -> dict:
    """A record as the store reads it (geo.store.linking._record)."""
    row = dict(zip(ROW_KEYS, to_row(make_incident(**overrides))))
    row["places"] = json.loads(row["places"])
    row["points"] = decode_points(row["points"])
    return row


def acled(n, **kw):
    kw.setdefault("actor", "Military Forces of the United States")
    return record(id=f"acled:SYR{n}", source="ACLED: Syrian Observatory for Human Rights",
                  event_type="Air/drone strike", **kw)


def ucdp(n, **kw):
    kw.setdefault("actor", "Government of United States")
    return record(id=f"ucdp:{n}", source="UCDP GED: Airwars", event_type="one-sided violence", **kw)


def test_acled_and_ucdp_of_one_strike_link_with_a_reason():
    a = acled(1, date="2017-08-16", places=["Raqqa"], points=[RAQQA], killed=12, children=None)
    u = ucdp(7, date="2017-08-16", places=["Ar Raqqah"], points=[(39.02, 35.96)], killed=12,
             killed_max=17, children=None)
    linked = events.link([a, u])
    assert linked.event_of == {"acled:SYR1": "acled:SYR1", "ucdp:7": "acled:SYR1"}
    assert linked.reasons["acled:SYR1"] == ["ucdp:7: 1.4 km apart, same day"]


def test_what_stops_a_link():
    base = acled(1, date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN])
    cases = {
        "two days apart": ucdp(1, date="2017-08-19", places=["Subaykhan"], points=[SUBAYKHAN]),
        "20 km away": ucdp(2, date="2017-08-17", places=["Elsewhere"], points=[(40.77, 34.77)]),
        "same dataset": acled(2, date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN]),
        "shelling": record(id="r1", date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN],
                           event_type="artillery shelling"),
        "another actor": record(id="r2", date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN],
                                actor="Russian warplanes"),
        "running total": record(id="r3", date="2017-08-15", date_end="2017-08-17", cumulative=True,
                                places=["Subaykhan"], points=[SUBAYKHAN]),
    }
    mark = events.Mark.of_record(base)
    for why, other in cases.items():
        assert events.link_reason(events.Mark.of_record(other), mark) is None, why
    near = record(id="r4", date="2017-08-18", places=["Sbeikhan"], points=[(40.56, 34.78)])
    rank, reason = events.link_reason(events.Mark.of_record(near), mark)
    assert reason == "1.4 km apart, dates 1 day apart" and rank[0] == 1


def test_records_of_one_report_are_never_one_strike():
    a = record(id="a", report_hash="h1", places=["Hajin"], points=[HAJIN])
    b = record(id="b", report_hash="h1", places=["Hajin"], points=[HAJIN], killed=9)
    assert len(set(events.link([a, b]).event_of.values())) == 2


def test_a_strike_every_day_in_one_town_is_not_chained_into_one_event():
    days = [acled(i, date=f"2017-08-{10 + i:02d}", places=["Raqqa"], points=[RAQQA]) for i in range(5)]
    reports = [record(id=f"r{i}", date=f"2017-08-{10 + i:02d}", places=["Ar Raqqah"], points=[RAQQA],
                      source="SOHR") for i in range(5)]
    linked = events.link(days + reports)
    assert len(set(linked.event_of.values())) == 5
    assert all(linked.event_of[f"r{i}"] == f"acled:SYR{i}" for i in range(5))


def test_unlocated_records_link_by_place_name_or_province():
    a = record(id="a", places=["Al-Shafaa"], points=[None])
    b = record(id="b", places=["al-Shafaa"], points=[None], source="Other outlet")
    c = record(id="c", places=[], points=[], province="Raqqa")
    d = record(id="d", places=[], points=[], province="Raqqa", source="Other outlet")
    linked = events.link([a, b, c, d])
    assert linked.event_of["b"] == "a" and linked.event_of["d"] == "c"
    assert linked.reasons["a"] == ["b: same place name, same day"]
    assert linked.reasons["c"] == ["d: same province, no place named, same day"]


def test_event_figures_are_the_range_the_sources_give():
    a = acled(1, date="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN], killed=2, children=None,
              geo_precision=2)
    b = record(id="seed", date="2017-08-17", places=["Al Jala", "Subaykhan"],
               points=[(40.6, 34.8), SUBAYKHAN], killed=6, children=3, women=1, source="SANA, via PressTV",
               source_url="https://example.org/report")
    c = ucdp(3, date="2017-08-16", date_end="2017-08-17", places=["Subaykhan"], points=[SUBAYKHAN],
             killed=4, killed_max=9, children=None)
    row = events.event_row("acled:SYR1", [a, b, c])
    assert (row["killed"], row["killed_max"]) == (2, 9)
    assert (row["children"], row["children_max"], row["women"], row["injured"]) == (3, 3, 1, None)
    assert row["date"] == "2017-08-17" and row["date_end"] is None  # the earliest well-dated record
    assert row["places"] == ["Al Jala", "Subaykhan"]  # most precise, then the most places located
    assert row["source_url"] == "https://example.org/report"
    assert row["records"] == 3
    sources = json.loads(row["sources"])
    assert [s["id"] for s in sources] == ["ucdp:3", "acled:SYR1", "seed"]
    assert {k: sources[2][k] for k in ("source", "killed", "killed_max", "children", "date", "quote")} == {
        "source": "SANA, via PressTV", "killed": 6, "killed_max": None, "children": 3,
        "date": "2017-08-17", "quote": "test quote"}


def test_an_event_with_one_figure_only_keeps_it_and_none_stays_none():
    a = record(id="a", killed=None, children=None)
    b = record(id="b", killed=5, children=None, source="Other")
    row = events.event_row("a", [a, b])
    assert (row["killed"], row["killed_max"], row["children"]) == (5, None, None)
    assert events.event_row("a", [a])["killed"] is None


def test_relays_of_one_monitor_are_one_source():
    assert events.origins("PressTV citing SOHR") == {"sohr"}
    assert events.origins("Syrian Observatory for Human Rights (SOHR), via PressTV") == {"sohr"}
    assert events.origins("ACLED: Syrian Observatory for Human Rights; Step News") == {"sohr", "step news"}
    same = [record(id="a", source="PressTV citing SOHR"), record(id="b", source="SOHR")]
    assert events.grade(same) == "single source"
    two = [record(id="a", source="PressTV citing SOHR"), record(id="b", source="SANA")]
    assert events.grade(two) == "corroborated"


@pytest.mark.parametrize("records, expected", [
    ([dict(id="a", killed=3), dict(id="b", killed=30, source="Other")], "contested"),  # widely apart
    ([dict(id="a", killed=2), dict(id="b", killed=6, source="Other")], "corroborated"),  # a range
    ([dict(id="a", quote="The coalition denied that any civilians were harmed.")], "contested"),
    ([dict(id="a", source="CJTF-OIR", actor="US-led coalition", quote="assessed as credible")], "conceded"),
    ([dict(id="a")], "single source"),
])
def test_grades(records, expected):
    assert events.grade([record(**r) for r in records]) == expected


def test_the_filter_accepts_exactly_the_grades():
    assert FILTER_GRADES == events.GRADES and set(events.GRADE_HELP) == set(events.GRADES)
