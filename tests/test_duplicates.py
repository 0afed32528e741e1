"""Duplicate detection across sources and merging, on real SQLite and PostGIS stores."""

from __future__ import annotations

from geo.extraction.places import haversine_km
from geo.ingest.duplicates import find_duplicates, merge
from geo.model import Incident

HAJIN = (40.83138, 34.69508)


def incident(**values) -> Incident:
    base = {"date": "2017-10-10", "places": ["Hajin"], "points": [HAJIN], "province": "Deir ez-Zor",
            "killed": 8, "source": "SOHR", "quote": "Eight people were killed in Hajin."}
    base.update(values)
    return Incident.from_dict(base)


def east_of(point: tuple[float, float], km: float) -> tuple[float, float]:
    """A point `km` east of `point` (checked with the haversine the module uses)."""
    lon, lat = point
    shifted = (lon + km / 91.6, lat)  # ~91.6 km per degree of longitude at 34.7°N
    assert abs(haversine_km(point, shifted) - km) < 0.5
    return shifted


def test_same_place_next_day_is_a_duplicate(store):
    stored = incident()
    store.add([stored])
    new = incident(date="2017-10-11", killed=10, source="SANA", quote="Ten died in Hajin.")
    assert [d.id for d in find_duplicates(store, new)] == [stored.id]


def test_distance_and_date_limits(store):
    near, far = incident(id="near", points=[east_of(HAJIN, 6)]), incident(id="far", points=[east_of(HAJIN, 25)])
    late = incident(id="late", date="2017-10-13")
    store.add([near, far, late])
    found = [d.id for d in find_duplicates(store, incident(id="new"))]
    assert found == ["near"]
    assert [d.id for d in find_duplicates(store, incident(id="new"), km=30)] == ["near", "far"]
    assert "late" in [d.id for d in find_duplicates(store, incident(id="new"), days=3)]


def test_running_tolls_and_itself_are_not_duplicates(store):
    day = incident(id="day")
    running = incident(id="running", date="2017-10-08", date_end="2017-10-10", cumulative=True, killed=30)
    store.add([day, running])
    assert [d.id for d in find_duplicates(store, day)] == []
    assert [d.id for d in find_duplicates(store, incident(id="run2", date="2017-10-09", date_end="2017-10-11",
                                                          cumulative=True))] == ["running"]


def test_places_without_points_match_by_name(store):
    stored = incident(id="a", places=["al-Shafah"], points=[None])
    store.add([stored])
    assert [d.id for d in find_duplicates(store, incident(id="b", places=["Al-Shafah"], points=[None]))] == ["a"]
    assert find_duplicates(store, incident(id="c", places=["Gharanij"], points=[None])) == []


def test_merge_keeps_both_sources_and_spans_the_tolls():
    a = incident(id="a", killed=8, children=2, source="SOHR", quote="Eight killed.")
    b = incident(id="b", date="2017-10-11", killed=10, killed_max=12, children=3, injured=20,
                 source="SANA", quote="Ten to twelve killed.", places=["Hajin", "As Susah"],
                 points=[HAJIN, (40.95819, 34.53366)])
    m = merge(a, b)
    assert m.id == "a"
    assert (m.killed, m.killed_max) == (8, 12)
    assert (m.children, m.injured) == (3, 20)
    assert m.source == "SOHR; SANA"
    assert "Eight killed." in m.quote and "Ten to twelve killed." in m.quote
    assert m.places == ["Hajin", "As Susah"] and m.points[1] is not None
    assert (m.date, m.date_end) == ("2017-10-10", "2017-10-11")
    assert "SOHR (2017-10-10): killed 8" in m.notes and "SANA (2017-10-11): killed 10–12" in m.notes


def test_merge_same_toll_has_no_range_and_same_source_once():
    m = merge(incident(id="a"), incident(id="b", quote="Another wording."))
    assert (m.killed, m.killed_max, m.source) == (8, None, "SOHR")


def test_merge_with_a_vague_toll_keeps_parts_within_the_range():
    vague = incident(id="a", killed=None, children=5, source="activists")
    m = merge(vague, incident(id="b", killed=3, children=1))
    assert m.killed == 3 and m.children <= 3
