"""The incident model's validation and conversions."""

import pytest

from geo import summary
from geo.model import Incident, ValidationError, report_hash
from tests.conftest import make_incident


@pytest.mark.parametrize("field, value, fragment", [
    ("killed", -1, "negative"),
    ("injured", -3, "negative"),
    ("children", 9, "above the reported toll"),
    ("women", 5, "above the reported toll"),
    ("date", "2017-13-01", "not a real date"),
    ("date", "2017-02-30", "not a real date"),
    ("date", "17/08/2017", "YYYY-MM-DD"),
    ("province", "Atlantis", "unknown province"),
    ("geo_precision", 4, "1, 2 or 3"),
    ("country", "Syria", "alpha-2"),
    ("killed", "six", "not a number"),
    ("killed", "2.5", "whole number"),
])
def test_validation_names_the_field(field, value, fragment):
    with pytest.raises(ValidationError) as err:
        make_incident(**{field: value})
    assert err.value.field == field
    assert fragment in str(err.value)


def test_children_checked_against_upper_bound_of_range():
    inc = make_incident(killed=4, killed_max=10, children=8)
    assert inc.children == 8
    with pytest.raises(ValidationError) as err:
        make_incident(killed=4, killed_max=10, children=11)
    assert err.value.field == "children"


def test_killed_max_below_killed_is_rejected():
    with pytest.raises(ValidationError) as err:
        make_incident(killed=10, killed_max=5)
    assert err.value.field == "killed_max"


def test_date_end_before_date_is_rejected():
    with pytest.raises(ValidationError) as err:
        make_incident(date="2017-08-17", date_end="2017-08-14")
    assert err.value.field == "date_end"


@pytest.mark.parametrize("point, field", [((200.0, 30.0), "longitude"), ((40.0, 95.0), "latitude"),
                                          ((float("nan"), 30.0), "longitude")])
def test_coordinates_out_of_range(point, field):
    with pytest.raises(ValidationError) as err:
        make_incident(points=[point])
    assert err.value.field == field


def test_loose_values_are_coerced():
    inc = Incident.from_dict({"date": "2017-08-17", "places": "Al Jala; Subaykhan", "killed": "6",
                              "children": 3.0, "injured": "", "province": "Deir ez-Zor",
                              "cumulative": "false", "country": "sy"})
    assert inc.places == ["Al Jala", "Subaykhan"]
    assert inc.points == [None, None]
    assert (inc.killed, inc.children, inc.injured, inc.country) == (6, 3, None, "SY")
    assert inc.id.startswith("inc-")


def test_geometry_point_multipoint_and_unlocated():
    one = make_incident(places=["A"], points=[(40.1, 35.2)])
    assert one.geometry() == {"type": "Point", "coordinates": [40.1, 35.2]}
    two = make_incident(places=["A", "B", "C"], points=[(40.1, 35.2), None, (40.3, 35.4)])
    assert two.geometry()["type"] == "MultiPoint"
    assert two.unlocated == ["B"]
    none = make_incident(places=["Nowhere"], points=[None])
    assert none.geometry() is None


def test_feature_round_trip_keeps_unlocated_place_order():
    inc = make_incident(places=["A", "B", "C"], points=[(40.1, 35.2), None, (40.3, 35.4)],
                        date_end="2017-08-20", cumulative=True, killed=38, children=None)
    again = Incident.from_feature(inc.to_feature())
    assert again == inc


def test_stable_id_from_content():
    a = Incident.from_dict({"date": "2017-08-17", "places": ["X"], "source": "S", "killed": 3})
    b = Incident.from_dict({"date": "2017-08-17", "places": ["X"], "source": "S", "killed": 3})
    c = Incident.from_dict({"date": "2017-08-17", "places": ["X"], "source": "T", "killed": 3})
    assert a.id == b.id != c.id


def test_totals_skip_cumulative_and_unknown():
    incs = [make_incident(killed=6, killed_max=None), make_incident(killed=12, killed_max=15, children=0),
            make_incident(killed=None, children=None),
            make_incident(killed=38, children=None, cumulative=True, date_end="2017-08-19")]
    head = summary.headline(incs)  # the one rule for sums (geo.model.total_killed repeated it)
    assert (head.killed_min, head.killed_max) == (18, 21)


def test_report_hash_ignores_whitespace_layout():
    assert report_hash("a  b\nc") == report_hash("a b c") != report_hash("a b d")


def test_pandas_missing_values_are_blank():
    # rows from nullable pandas columns (the dashboard's editor, GeoPackage layers) carry pd.NA/NaT
    import pandas as pd

    row = pd.DataFrame({"date": ["2017-08-17"], "killed": pd.array([None], dtype="Int64"),
                        "actor": pd.array([None], dtype="string[python]"),
                        "date_end": [pd.NaT]}).iloc[0].to_dict()
    inc = Incident.from_dict(row)
    assert (inc.killed, inc.actor, inc.date_end) == (None, None, None)
