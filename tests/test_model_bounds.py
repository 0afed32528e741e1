"""The model's bounds and cleaning: the same rules for every way in (synthetic values)."""

import pytest

from geo.model import MAX_COUNT, MAX_ID, Incident, ValidationError
from tests.conftest import make_incident

PYTHON_WORDS = ("list index out of range", "unhashable", "object has no attribute", "KeyError",
                "not subscriptable", "object is not iterable", "Traceback", "'coordinates'")


@pytest.mark.parametrize("field, value, fragment", [
    ("killed", 1e20, "100,000"),
    ("killed", "1e20", "100,000"),
    ("killed", 10 ** 22, "23-digit number"),
    ("killed", "12345678901234567890123", "100,000"),
    ("injured", 2 ** 31, "100,000"),
    ("killed", "inf", "finite"),
    ("killed", [3], "whole number"),
    ("date", "2017-W01-1", "YYYY-MM-DD"),
    ("date", "20170817xx", "YYYY-MM-DD"),
    ("date", "0001-01-01", "1900 to 2100"),
    ("date", "٢٠١٧-٠٨-١٧", "YYYY-MM-DD"),
    ("date", 20170817, "YYYY-MM-DD"),
    ("id", "x" * (MAX_ID + 1), "at most 200"),
    ("country", 12, "alpha-2"),
    ("country", ["SY"], "must be text"),
    ("actor", {"a": 1}, "must be text"),
    ("places", 5, "list of place names"),
    ("places", [["nested"]], "each place must be a name"),
    ("points", [("x", 3)], "not a number"),
    ("points", ["40 34"], "[longitude, latitude]"),
    ("geo_precision", "1e30", "1, 2 or 3"),
])
def test_bounds_are_rejects_with_a_sentence(field, value, fragment):
    with pytest.raises(ValidationError) as err:
        make_incident(**{field: value})
    assert err.value.field in (field, "longitude", "latitude")
    assert fragment in str(err.value)
    assert not any(word in str(err.value) for word in PYTHON_WORDS)


def test_a_toll_at_the_bound_is_kept_and_cumulative_totals_may_be_larger():
    assert make_incident(killed=MAX_COUNT, children=None).killed == MAX_COUNT
    total = make_incident(killed=500_000, children=None, cumulative=True, date_end="2017-09-01")
    assert total.killed == 500_000


def test_long_spans_and_foreign_provinces_are_bounded():
    with pytest.raises(ValidationError) as err:
        make_incident(date="1900-01-01", date_end="2100-12-31")
    assert err.value.field == "date_end" and "ten years" in str(err.value)
    with pytest.raises(ValidationError) as err:
        make_incident(country="IQ", province="P" * 65)
    assert err.value.field == "province" and "at most 64" in str(err.value)
    assert make_incident(country="IQ", province="P" * 64).province == "P" * 64


def test_nul_and_lone_surrogates_are_cleaned_on_the_way_in():
    inc = make_incident(actor="Test\x00 actor", notes="broken \ud800 escape", places=["Town\udfff"],
                        id="id\x00-1")
    assert inc.actor == "Test actor" and inc.id == "id-1"
    assert inc.notes == "broken \ufffd escape" and inc.places == ["Town\ufffd"]
    inc.notes.encode("utf-8")  # storable and writable


def test_an_incident_built_directly_with_a_nul_is_refused():
    with pytest.raises(ValidationError) as err:
        Incident(id="x", date="2017-08-17", notes="a\x00b")
    assert err.value.field == "notes" and "NUL" in str(err.value)
    with pytest.raises(ValidationError) as err:
        Incident(id="x\ud800", date="2017-08-17")
    assert err.value.field == "id" and "surrogate" in str(err.value)


@pytest.mark.parametrize("geometry, fragment", [
    ("POINT (1 2)", "Point or MultiPoint"),
    ([40, 34], "Point or MultiPoint"),
    (5, "Point or MultiPoint"),
    ({"type": "Polygon", "coordinates": []}, "Point or MultiPoint, got 'Polygon'"),
    ({"type": "Point", "coordinates": 5}, "[longitude, latitude]"),
    ({"type": "Point", "coordinates": [[1, 2]]}, "[longitude, latitude]"),
    ({"type": "MultiPoint", "coordinates": "x"}, "list of"),
    ({"type": "Point", "coordinates": [1]}, "[longitude, latitude]"),
])
def test_geometry_types_are_checked(geometry, fragment):
    feature = {"type": "Feature", "geometry": geometry,
               "properties": {"date": "2017-08-17", "places": ["A"]}}
    with pytest.raises(ValidationError) as err:
        Incident.from_feature(feature)
    assert err.value.field == "geometry" and fragment in str(err.value)


@pytest.mark.parametrize("feature", [5, "x", [], {"type": "Feature", "properties": [1, 2]},
                                     {"type": "Feature", "properties": {"date": "2017-08-17",
                                                                        "not_located": 3}}])
def test_odd_features_are_sentences(feature):
    with pytest.raises(ValidationError) as err:
        Incident.from_feature(feature)
    assert not any(word in str(err.value) for word in PYTHON_WORDS)
