"""Filters: parsing user input, URL parameters, the sentence describing a selection."""

import datetime as dt

import pytest

from geo.filters import FilterError, Filters


def test_parse_normalises_and_checks():
    f = Filters.parse(start="2017-08-01", end="2017-08-31", provinces=["Dayr az Zawr governorate", "ar-Raqqa"],
                      min_killed="5", actor="  coalition ", text="")
    assert f.start == dt.date(2017, 8, 1) and f.end == dt.date(2017, 8, 31)
    assert f.provinces == ("Deir ez-Zor", "Raqqa")
    assert f.min_killed == 5 and f.actor == "coalition" and f.text is None


@pytest.mark.parametrize("kwargs, fragment", [
    ({"start": "2017-13-01"}, "YYYY-MM-DD"),
    ({"end": "yesterday"}, "YYYY-MM-DD"),
    ({"start": "2017-08-10", "end": "2017-08-01"}, "before start"),
    ({"provinces": ["Atlantis"]}, "accepted: Al-Hasakah, Aleppo"),
    ({"min_killed": "many"}, "whole number"),
    ({"min_killed": -1}, "negative"),
    ({"bbox": "1,2,3"}, "west,south,east,north"),
])
def test_bad_values_say_what_is_accepted(kwargs, fragment):
    with pytest.raises(FilterError, match=fragment):
        Filters.parse(**kwargs)


def test_url_params_round_trip():
    f = Filters.parse(start="2017-08-14", provinces=["Raqqa", "Idlib"], min_killed=3, source="SOHR",
                      text="market")
    params = f.to_params()
    assert params["province"] == ["Raqqa", "Idlib"]
    assert Filters.from_params(params) == f
    assert Filters.from_params({}) == Filters()
    assert Filters.from_params({"province": "Raqqa"}).provinces == ("Raqqa",)


def test_describe_reads_as_a_sentence():
    f = Filters.parse(start="2017-08-01", end="2017-08-31", provinces=["Raqqa"], min_killed=5)
    assert f.describe(12) == "12 incidents in Raqqa, 1 Aug 2017 – 31 Aug 2017, at least 5 reported killed"
    assert Filters().describe(1) == "1 incident in all provinces"


def test_every_filter_survives_the_url_round_trip():
    from geo.filters import SPECS
    f = Filters.parse(start="2017-08-01", end="2017-08-31", provinces=["Raqqa", "Idlib"], min_killed=5,
                      actor="coalition", source="SOHR", text="market", bbox="38.5,34.25,41,36.5",
                      grade=["corroborated", "contested"])
    assert all(getattr(f, name) not in (None, ()) for spec in SPECS for name in spec.fields)
    params = f.to_params()
    as_strings = {k: v if isinstance(v, list) else [v] for k, v in params.items()}  # st.query_params
    assert Filters.from_params(params) == f == Filters.from_params(as_strings)


def test_every_filter_is_a_cli_flag():
    import argparse

    from geo.filters import add_arguments, from_arguments
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--start", "2017-08-01", "--province", "Raqqa", "--province", "idlib",
                              "--min-killed", "5", "--text", "market", "--bbox", "38,34,41,36"])
    assert from_arguments(args) == Filters.parse(start="2017-08-01", provinces=["Raqqa", "Idlib"],
                                                 min_killed=5, text="market", bbox=(38, 34, 41, 36))


def test_words_use_thousands_separators():
    assert Filters.parse(min_killed=1500).describe(100000) == \
        "100,000 incidents in all provinces, at least 1,500 reported killed"
