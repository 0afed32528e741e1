"""A selection: the incidents some Filters choose, with their sums and map layer, for any size.

The one pipeline the page, the CLI and the exports ask. Sums always come from the same frames
(``geo.summary`` rules): computed in Python from the incidents of a small selection, in SQL for a
large one, where only the first TABLE_ROWS incidents are read. The map layer is drawn from the
incidents up to AGGREGATE_ABOVE located places and from SQL grid cells above, with one rule for
both (a multi-place incident's toll shared among its places), so the map means the same at every
size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from geo import summary
from geo.filters import Filters
from geo.map import layer as maplayer
from geo.model import Incident
from geo.store import Store

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
           table_rows: int = TABLE_ROWS) -> Selection:
    """The selection `filters` make in `store`.

    Parameters
    ----------
    store
        Where the incidents are.
    filters
        What to choose; None chooses everything.
    large
        Above this many incidents the sums come from SQL and only `table_rows` are read.

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
    items = store.query(filters, large + 1)
    if len(items) <= large:
        return Selection(filters, len(items), items, summary.totals(items, "province"),
                         summary.totals(items, "date"), large=False)
    return Selection(filters, store.count(filters), items[:table_rows],
                     store.totals(filters, "province"), store.totals(filters, "date"), large=True)


def map_layer(store: Store, selection: Selection, colour_by: str = "children",
              aggregate_above: int = maplayer.AGGREGATE_ABOVE) -> maplayer.LayerData:
    """What the map draws for a selection: single incidents, or grid cells summed in SQL when
    their located places are more than `aggregate_above`."""
    if not selection.large:
        return maplayer.layer_data(selection.incidents, colour_by, aggregate_above)
    places = store.places(selection.filters)
    if places.located <= aggregate_above or places.bounds is None:
        return maplayer.layer_data(store.query(selection.filters), colour_by, aggregate_above)
    west, south, east, north = places.bounds
    size = maplayer.cell_size([(west, south), (east, north)])
    cells = store.grid_cells(selection.filters, size)
    return maplayer.cells_layer(cells, size, places.incidents, places.unlocated, aggregate_above)


def unlocated_hint(store: Store, selection: Selection) -> str | None:
    """The command that would locate the selection's unlocated places, or None."""
    if not selection.large:
        return summary.gazetteer_hint(selection.incidents)
    return summary.gazetteer_command(store.places(selection.filters).unlocated_countries)


def extent(store: Store) -> tuple[float, float, float, float] | None:
    """Where the stored incidents are (west, south, east, north), padded: the base map's view
    whatever the filters."""
    everything = store.query(Filters(), LARGE + 1)
    if len(everything) <= LARGE:
        return summary.extent(everything)
    return summary.padded(store.places(Filters()).bounds)  # incidents' mean points


def incidents(store: Store, filters: Filters | None = None) -> Iterator[Incident]:
    """Every incident of the selection, streamed from the store (for exports of any size)."""
    return store.iter_query(filters)
