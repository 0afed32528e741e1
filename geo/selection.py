"""A selection: the incidents some Filters choose, with their sums and map layer, for any size.

The one pipeline the page, the CLI and the exports ask. Sums always come from the same frames
(``geo.summary`` rules): computed in Python from the incidents of a small selection, in SQL for a
large one, where only the first TABLE_ROWS incidents are read. The map layer is drawn from the
incidents up to AGGREGATE_ABOVE located places and from SQL grid cells above, with one rule for
both (a multi-place incident's toll shared among its places), so the map means the same at every
size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterator

import pandas as pd

from geo import summary
from geo.filters import Filters
from geo.map import layer as maplayer
from geo.model import Incident
from geo.store import Store
from geo.store.store import Of

LARGE = 5_000  # incidents; above this the sums are computed in SQL and the table shows the first rows
TABLE_ROWS = 1_000


@dataclass
class Selection:
    """The filtered incidents as a page shows them.

    Attributes
    ----------
    filters
        What chose them.
    count
        How many incidents match.
    incidents
        Every one, oldest first; for a large selection (`large`) the first TABLE_ROWS only.
    by_province, by_date
        `summary.totals` frames, the source of every figure.
    """

    filters: Filters
    count: int
    incidents: list[Incident]
    by_province: pd.DataFrame
    by_date: pd.DataFrame
    large: bool
    of: Of = "events"

    @property
    def headline(self) -> summary.Headline:
        return summary.headline_from(self.by_province)

    @property
    def time_step(self) -> str:
        """'D' (days) or 'W' (weeks) for the deaths-over-time chart."""
        return summary.time_step_from(self.by_date)

    def over_time(self) -> pd.DataFrame:
        return summary.deaths_over_time_from(self.by_date, self.time_step)

    def per_province(self) -> pd.DataFrame:
        return summary.deaths_per_province_from(self.by_province)

    def describe(self) -> str:
        """'12 incidents in Raqqa, 1 Aug 2017 – 31 Aug 2017, at least 5 reported killed'."""
        return self.filters.describe(self.count)


def select(store: Store, filters: Filters | None = None, large: int = LARGE,
           table_rows: int = TABLE_ROWS, of: Of = "events") -> Selection:
    """The selection `filters` make in `store`.

    Parameters
    ----------
    store
        Where the incidents are.
    filters
        What to choose; None chooses everything.
    large
        Above this many incidents the sums come from SQL and only `table_rows` are read.
    of
        "events" (each strike once, its figures the range its sources give) or "records" (each
        source's record as stored).

    Raises
    ------
    StoreError
        The store cannot be read.

    Examples
    --------
    >>> sel = select(open_store(), Filters.parse(provinces=["Raqqa"]))  # doctest: +SKIP
    >>> sel.headline.killed_text  # doctest: +SKIP
    '12–15'
    """
    filters = filters or Filters()
    items = store.query(filters, large + 1, of=of)
    if len(items) <= large:
        return Selection(filters, len(items), items, store.totals(filters, "province", of=of),
                         store.totals(filters, "date", of=of), large=False, of=of)
    return Selection(filters, store.count(filters, of=of), items[:table_rows],
                     store.totals(filters, "province", of=of), store.totals(filters, "date", of=of),
                     large=True, of=of)


@dataclass(frozen=True)
class View:
    """What the map's layer covers: a box (west, south, east, north) and the Leaflet zoom level.

    Made with `View.around(screen box, zoom)`, which adds a margin and snaps it, so small pans
    give the same View again (and a cached layer).
    """

    bbox: tuple[float, float, float, float]
    zoom: int

    @classmethod
    def around(cls, bbox: tuple[float, float, float, float], zoom: int) -> "View":
        return cls(view_box(bbox), zoom)


POINTS_IN_VIEW = 5_000  # located places in (and around) the view drawn one by one
CELL_PX = 28  # a cell's side on screen, at least: marks of this size do not pile up


def map_layer(store: Store, selection: Selection, colour_by: str = "children",
              aggregate_above: int = maplayer.AGGREGATE_ABOVE, view: View | None = None
              ) -> maplayer.LayerData:
    """What the map draws for a selection: single incidents, or grid cells summed in SQL when
    their located places are more than `aggregate_above`.

    With a `view`, a large selection is aggregated again for it: cells sized for its zoom over
    the view and a margin around it, down to single incidents where at most POINTS_IN_VIEW
    located places are there.
    """
    if not selection.large:
        return maplayer.layer_data(selection.incidents, colour_by, aggregate_above)
    of = selection.of
    places = store.places(selection.filters, of=of)
    if places.located <= aggregate_above or places.bounds is None:
        return maplayer.layer_data(store.query(selection.filters, of=of), colour_by, aggregate_above)
    if view is not None:
        return _view_layer(store, selection, colour_by, view, places.unlocated)
    west, south, east, north = places.bounds
    size = maplayer.cell_size([(west, south), (east, north)])
    cells = store.grid_cells(selection.filters, size, of=of)
    return maplayer.cells_layer(cells, size, places.incidents, places.unlocated, aggregate_above)


def view_box(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A screen box widened by half its size on every side and snapped to half view sizes."""
    west, south, east, north = bbox
    width, height = max(east - west, 1e-6), max(north - south, 1e-6)
    step_x, step_y = width / 2, height / 2

    def down(v: float, step: float) -> float:
        return math.floor(v / step) * step

    def up(v: float, step: float) -> float:
        return math.ceil(v / step) * step

    return (max(-180.0, down(west - step_x, step_x)), max(-90.0, down(south - step_y, step_y)),
            min(180.0, up(east + step_x, step_x)), min(90.0, up(north + step_y, step_y)))


def zoom_cell_size(zoom: int) -> float:
    """The smallest grid size whose cells are at least CELL_PX wide at this zoom."""
    degrees_per_px = 360.0 / (256 * 2 ** max(0, zoom))
    for size in maplayer.CELL_SIZES:
        if size / degrees_per_px >= CELL_PX:
            return size
    return maplayer.CELL_SIZES[-1]


def _view_layer(store: Store, selection: Selection, colour_by: str, view: View,
                unlocated: int) -> maplayer.LayerData:
    around, of = replace(selection.filters, bbox=view.bbox), selection.of
    places = store.places(around, of=of)
    if places.located <= POINTS_IN_VIEW:
        data = maplayer.layer_data(store.query(around, of=of), colour_by, POINTS_IN_VIEW)
    else:
        size = zoom_cell_size(view.zoom)
        data = maplayer.cells_layer(store.grid_cells(around, size, of=of), size, places.incidents, unlocated,
                                    POINTS_IN_VIEW)
    data.payload["view"] = list(view.bbox)  # what the layer covers: the rest is off screen
    if data.mode == "cells":
        km = round(data.payload["cell"] * 111)
        data.legend["notices"][0] = (
            f"Aggregated for this zoom: {data.incidents:,} incidents in and around the view, summed "
            f"into {data.drawn:,} grid cells of {data.payload['cell']:g}° (about {km} km). Zoom in "
            "to see single incidents.")
    else:
        data.legend["notices"].insert(0, f"Single incidents in and around the view ({data.incidents:,}); "
                                          "zoom out to see the whole selection summed.")
    return data


def unlocated_hint(store: Store, selection: Selection) -> str | None:
    """The command that would locate the selection's unlocated places, or None."""
    if not selection.large:
        return summary.gazetteer_hint(selection.incidents)
    return summary.gazetteer_command(store.places(selection.filters, of=selection.of).unlocated_countries)


def extent(store: Store) -> tuple[float, float, float, float] | None:
    """Where the stored incidents are (west, south, east, north), padded: the base map's view
    whatever the filters."""
    everything = store.query(Filters(), LARGE + 1, of="events")
    if len(everything) <= LARGE:
        return summary.extent(everything)
    return summary.padded(store.places(Filters(), of="events").bounds)  # events' mean points


def incidents(store: Store, filters: Filters | None = None, of: Of = "records") -> Iterator[Incident]:
    """Every record (or event) of the selection, streamed from the store (for exports of any size)."""
    return store.iter_query(filters, of=of)
