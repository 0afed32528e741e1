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
