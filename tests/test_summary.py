"""Headline figures, charts' frames and the table frame (geo/summary.py), on synthetic incidents."""

from __future__ import annotations

import pandas as pd

from geo import summary
from geo.model import Incident


def inc(**values) -> Incident:
    values.setdefault("places", ["Testtown"])
    values.setdefault("points", [(40.0, 35.0)] * len(values["places"]))
    values.setdefault("province", "Raqqa")
    return Incident.from_dict(values)


def test_headline_leaves_out_cumulative_records_and_counts_ranges():
    items = [inc(date="2020-01-01", killed=4, killed_max=6, children=1),
             inc(date="2020-01-02", killed=3, children=2),
             inc(date="2020-01-01", date_end="2020-01-03", killed=50, children=9, cumulative=True),
             inc(date="2020-01-03")]
    head = summary.headline(items)
    assert (head.incidents, head.killed_min, head.killed_max, head.children) == (4, 7, 9, 3)
    assert (head.cumulative, head.without_toll) == (1, 1)
    assert head.killed_text == "7–9"
    assert summary.headline(items[1:2]).killed_text == "3"


def test_deaths_over_time_per_day_keeps_empty_days():
    items = [inc(date="2020-01-01", killed=4), inc(date="2020-01-04", killed=2),
             inc(date="2020-01-04", killed=1, killed_max=3)]
    frame = summary.deaths_over_time(items)
    assert list(frame["period"].dt.strftime("%Y-%m-%d")) == [
        "2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"]
    assert list(frame["killed"]) == [4, 0, 0, 3]
    assert list(frame["killed_max"]) == [4, 0, 0, 5]


def test_deaths_over_time_switches_to_weeks_for_long_spans():
    items = [inc(date="2020-01-01", killed=1), inc(date="2020-01-02", killed=2),
             inc(date="2020-06-01", killed=5)]
    assert summary.time_step(items) == "W"
    frame = summary.deaths_over_time(items)
    assert frame["period"].iloc[0].strftime("%Y-%m-%d") == "2019-12-30"  # the Monday
    assert frame["killed"].iloc[0] == 3 and frame["killed"].sum() == 8
    assert (frame["period"].dt.day_of_week == 0).all()


def test_deaths_per_province_sorted_most_first():
    items = [inc(date="2020-01-01", killed=1, province="Raqqa"),
             inc(date="2020-01-01", killed=8, province="Aleppo"),
             inc(date="2020-01-02", killed=2, province="Raqqa"),
             inc(date="2020-01-02", killed=30, province="Raqqa", cumulative=True)]
    frame = summary.deaths_per_province(items)
    assert list(frame["province"]) == ["Aleppo", "Raqqa"]
    assert list(frame["killed"]) == [8, 3]
    assert list(frame["incidents"]) == [1, 3]


def test_table_marks_unlocated_places_and_drops_unsafe_links():
    item = inc(date="2020-01-01", places=["Seen", "Unseen"], points=[(40.0, 35.0), None],
               source_url="javascript:alert(1)")
    web = inc(date="2020-01-02", source_url="https://example.org/report")
    frame = summary.table_frame([item, web])
    assert frame.loc[0, "places"] == "Seen; Unseen (not located)"
    assert pd.isna(frame.loc[0, "source_url"])
    assert frame.loc[1, "source_url"] == "https://example.org/report"
    assert summary.gazetteer_hint([item]) == "python -m geo gazetteer fetch SY --relocate"
    assert summary.gazetteer_hint([web]) is None


def test_empty_selection_gives_empty_frames():
    assert summary.deaths_over_time([]).empty
    assert summary.deaths_per_province([]).empty
    assert summary.table_frame([]).empty
    assert summary.headline([]).killed_text == "0"


def test_extent_covers_located_places_only():
    items = [inc(date="2020-01-01", places=["A", "B"], points=[(39.0, 35.9), None]),
             inc(date="2020-01-02", places=["C"], points=[(40.9, 34.4)])]
    west, south, east, north = summary.extent(items, pad=0.1)
    assert (round(west, 6), round(south, 6), round(east, 6), round(north, 6)) == (38.9, 34.3, 41.0, 36.0)
    assert summary.extent([inc(date="2020-01-01", places=["X"], points=[None])]) is None


# --- the same figures from SQL sums (Store.totals), on both backends -----------------------------

def _mixed() -> list[Incident]:
    """Incidents covering every rule: ranges, no toll, only a maximum, cumulative, no province."""
    return [inc(id="a", date="2020-01-01", killed=4, killed_max=6, children=1, province="Raqqa"),
            inc(id="b", date="2020-01-02", killed=3, children=2, province="Aleppo"),
            inc(id="c", date="2020-01-01", date_end="2020-01-03", killed=50, children=9,
                cumulative=True, province="Raqqa"),
            inc(id="d", date="2020-01-03", province="Raqqa"),
            inc(id="e", date="2020-03-20", killed_max=4, province=None, places=["X", "Y"],
                points=[(40.2, 35.1), None]),
            inc(id="f", date="2020-03-20", killed=0, children=0, province="Idlib")]


def test_sql_totals_give_the_same_figures_as_incidents(store):
    from geo.filters import Filters
    items = _mixed()
    store.add(items)
    assert summary.headline_from(store.totals()) == summary.headline(items)
    assert summary.headline_from(store.totals(by="province")) == summary.headline(items)
    by_date = store.totals(by="date")
    assert summary.time_step_from(by_date) == summary.time_step(items) == "W"
    pd.testing.assert_frame_equal(summary.deaths_over_time_from(by_date),
                                  summary.deaths_over_time(items), check_dtype=False)
    pd.testing.assert_frame_equal(summary.deaths_per_province_from(store.totals(by="province")),
                                  summary.deaths_per_province(items), check_dtype=False)
    raqqa = Filters.parse(provinces=["Raqqa"], start="2020-01-02", end="2020-01-31")
    chosen = store.query(raqqa)
    assert {i.id for i in chosen} == {"c", "d"}
    assert summary.headline_from(store.totals(raqqa)) == summary.headline(chosen)
    assert summary.headline_from(store.totals(Filters.parse(text="nothing like this"))).incidents == 0


def test_place_counts_and_grid_cells(store):
    from geo.filters import Filters
    from geo.map import layer as maplayer
    items = _mixed()
    store.add(items)
    counts = store.places()
    assert (counts.incidents, counts.located, counts.unlocated) == (6, 6, 1)
    assert counts.unlocated_countries == ("SY",)
    assert counts.bounds == (40.0, 35.0, 40.2, 35.1)
    cells = store.grid_cells(Filters(), 0.1)
    assert cells["incidents"].sum() == 6 and cells["places"].sum() == 6
    assert cells["killed"].sum() == 7  # the cumulative record's 50 left out, as in the headline
    assert cells["cumulative"].sum() == 1
    data = maplayer.cells_layer(cells, 0.1, incidents=6, unlocated=1)
    assert data.mode == "cells" and data.drawn == len(cells)
    # Single-place incidents land in the same cells as the layer built from the incidents.
    single = [i for i in items if len(i.places) == 1]
    reference = maplayer.layer_data(single, aggregate_above=0)
    mine = maplayer.cells_layer(store.grid_cells(Filters.parse(text="testtown"), reference.payload["cell"]),
                                reference.payload["cell"], incidents=len(single))
    for key in ("x", "y", "ck", "cn", "cp", "cu", "cl"):
        assert mine.payload[key] == reference.payload[key], key


def test_sql_cells_share_a_toll_among_places_as_the_layer_does(store):
    """The map means the same at every size: SQL cells (large selections) and the layer's own
    cells (built from incidents) share a multi-place incident's toll among its places alike."""
    from geo.filters import Filters
    from geo.map import layer as maplayer
    items = [inc(id="two", date="2020-01-02", killed=10, children=4, places=["P", "Q"], points=[(40.003, 35.003), (41.503, 36.003)]),
             inc(id="three", date="2020-01-02", killed=9, children=None, places=["P", "R", "S"],
                 points=[(40.004, 35.004), (41.504, 36.004), None]),
             inc(id="one", date="2020-01-03", killed=3, children=1, places=["P"], points=[(40.006, 35.006)]),
             inc(id="run", date="2020-01-04", date_end="2020-01-09", killed=50, cumulative=True,
                 places=["P", "Q"], points=[(40.007, 35.007), (41.507, 36.007)])]
    store.add(items)
    reference = maplayer.layer_data(items, aggregate_above=0)
    size = reference.payload["cell"]
    mine = maplayer.cells_layer(store.grid_cells(Filters(), size), size, incidents=len(items))
    for key in ("x", "y", "ck", "cn", "cp", "cu", "cl"):
        assert mine.payload[key] == reference.payload[key], key
