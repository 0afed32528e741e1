"""What the dashboard shows beside the map, as plain pandas: headline figures, deaths over time,
deaths per province and the table of incidents. No Streamlit here, so tests and other front ends
use the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from geo.model import Incident, safe_url
from geo.provinces import PROVINCES

NOT_LOCATED = "not located"


@dataclass(frozen=True)
class Headline:
    """The selection in a few numbers. Deaths and children leave out cumulative span records."""

    incidents: int
    killed_min: int
    killed_max: int
    children: int
    cumulative: int  # running-total records left out of the sums
    without_toll: int  # incidents that give no number of deaths
    children_known: int | None = None  # counted incidents whose sources give children (None: unknown)
    records: int | None = None  # records behind the events (None: the incidents are records)

    @property
    def with_toll(self) -> int:
        """Incidents in the sums that give a number of deaths."""
        return self.incidents - self.cumulative - self.without_toll

    @property
    def killed_text(self) -> str:
        """"12" or "12–15" when some tolls are ranges; "not reported" when no incident in the
        sums gives a number (never a misleading 0), "running totals only" when only running
        totals do (they are never added to the day's incidents)."""
        if self.incidents and not self.with_toll:
            return "running totals only" if self.cumulative else NOT_REPORTED
        if self.killed_max != self.killed_min:
            return f"{self.killed_min:,}–{self.killed_max:,}"
        return f"{self.killed_min:,}"

    @property
    def children_reported(self) -> bool:
        """Whether any source in the sums counts children among the dead."""
        return bool(self.children_known) if self.children_known is not None else True

    @property
    def children_text(self) -> str:
        """"3", or "not reported" when no source gives a number of children."""
        if self.incidents and self.incidents == self.cumulative:
            return "running totals only"
        if self.incidents and not self.children_reported:
            return NOT_REPORTED
        return f"{self.children:,}"


NOT_REPORTED = "not reported"
TOTAL_COLUMNS = ["cumulative", "incidents", "killed", "killed_max", "children", "without_toll",
                 "children_known", "records"]


def totals(incidents: Iterable[Incident], by: str | None = None) -> pd.DataFrame:
    """Per-group sums every figure here is made from (what `Store.totals` computes in SQL for a
    large selection): one row per value of `by` ("province", "date" or None) and kind of record.

    Columns: [by], cumulative, incidents, killed (sum of minimums), killed_max (sum of maximums,
    else minimums), children, without_toll (incidents giving no number of deaths).
    """
    keys = [by] if by else []
    # An incident without a minimum toll adds to neither sum (the one rule for every figure).
    rows = [(*((getattr(i, by),) if by else ()), bool(i.cumulative), 1, i.killed or 0,
             0 if i.killed is None else (i.killed_max if i.killed_max is not None else i.killed),
             i.children or 0, int(i.killed is None), int(i.children is not None), 1) for i in incidents]
    frame = pd.DataFrame(rows, columns=keys + TOTAL_COLUMNS)
    if frame.empty:
        return frame
    return frame.groupby(keys + ["cumulative"], as_index=False, dropna=False)[TOTAL_COLUMNS[1:]].sum()


def headline(incidents: Iterable[Incident]) -> Headline:
    """Headline figures for the incidents shown."""
    return headline_from(totals(incidents))


def headline_from(sums: pd.DataFrame) -> Headline:
    """Headline figures from `totals` rows (any grouping)."""
    cumulative = sums["cumulative"].astype(bool) if not sums.empty else pd.Series([], dtype=bool)
    counted = sums[~cumulative]

    def total(frame: pd.DataFrame, column: str) -> int:
        return int(frame[column].sum()) if not frame.empty else 0

    known = total(counted, "children_known") if "children_known" in sums else None
    return Headline(
        incidents=total(sums, "incidents"), killed_min=total(counted, "killed"),
        killed_max=total(counted, "killed_max"), children=total(counted, "children"),
        cumulative=total(sums[cumulative], "incidents"), without_toll=total(counted, "without_toll"),
        children_known=known, records=total(sums, "records") if "records" in sums else None,
    )


def summary_json(head: Headline, not_located: int) -> dict:
    """The headline as `python -m geo summary --json` prints it (one object, one line)."""
    return {"events": head.incidents, "records": head.records if head.records is not None else head.incidents,
            "killed_min": head.killed_min, "killed_max": head.killed_max,
            "children": head.children if head.children_reported else None, "not_located": not_located}


def summary_lines(head: Headline, not_located: int, description: str) -> list[str]:
    """The headline as lines of text, as the dashboard shows it."""
    records = head.records if head.records is not None else head.incidents
    lines = [description,
             f"events: {head.incidents:,} (from {records:,} record{'s' if records != 1 else ''})",
             f"reported deaths: {head.killed_text}",
             f"children killed: {head.children_text}"]
    if head.cumulative:
        lines.append(f"running totals left out of the sums: {head.cumulative:,}")
    if head.without_toll:
        lines.append(f"events with no reported number of deaths: {head.without_toll:,}")
    if not_located:
        lines.append(f"events not on the map (no place located): {not_located:,}")
    return lines


def time_step(incidents: Iterable[Incident], max_days: int = 62) -> str:
    """'D' (per day) for a short selection, 'W' (per week, from Monday) for a long one;
    cumulative span records do not count, as in the charts."""
    return time_step_from(totals(incidents, "date"), max_days)


def time_step_from(sums_by_date: pd.DataFrame, max_days: int = 62) -> str:
    """`time_step` from `totals(..., "date")` rows."""
    dates = _counted_dates(sums_by_date)
    if dates.empty:
        return "D"
    return "D" if (dates.max() - dates.min()).days <= max_days else "W"


def deaths_over_time(incidents: Iterable[Incident], step: str | None = None) -> pd.DataFrame:
    """Reported deaths (minimum and maximum) per day or week, by each incident's date.

    Cumulative span records are left out, as in the headline; days without deaths are kept as 0
    so the bars keep a true time axis. Columns: period, killed, killed_max, incidents.
    """
    return deaths_over_time_from(totals(incidents, "date"), step)


def deaths_over_time_from(sums_by_date: pd.DataFrame, step: str | None = None) -> pd.DataFrame:
    """`deaths_over_time` from `totals(..., "date")` rows."""
    columns = ["period", "killed", "killed_max", "incidents"]
    step = step or time_step_from(sums_by_date)
    if sums_by_date.empty:
        return pd.DataFrame(columns=columns)
    frame = sums_by_date[~sums_by_date["cumulative"].astype(bool)]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(period=pd.to_datetime(frame["date"]))
    if step == "W":
        frame["period"] = frame["period"].dt.to_period("W-SUN").dt.start_time
    grouped = frame.groupby("period")[["killed", "killed_max", "incidents"]].sum()
    full = pd.date_range(grouped.index.min(), grouped.index.max(), freq="D" if step == "D" else "W-MON")
    grouped = grouped.reindex(full, fill_value=0)
    grouped.index.name = "period"
    return grouped.reset_index()[columns]


def deaths_per_province(incidents: Iterable[Incident]) -> pd.DataFrame:
    """Reported deaths and incidents per province, most deaths first (cumulative records left out
    of the deaths, counted as incidents). Columns: province, killed, killed_max, incidents."""
    return deaths_per_province_from(totals(incidents, "province"))


def province_deaths(per_province: pd.DataFrame) -> dict[str, int]:
    """{province: reported deaths (minimum)} from `deaths_per_province`, for the outline choropleth;
    incidents with no province are left out, so they do not stretch its colour scale."""
    return {row.province: int(row.killed) for row in per_province.itertuples()
            if row.province in PROVINCES}


def deaths_per_province_from(sums_by_province: pd.DataFrame) -> pd.DataFrame:
    """`deaths_per_province` from `totals(..., "province")` rows."""
    columns = ["province", "killed", "killed_max", "incidents"]
    if sums_by_province.empty:
        return pd.DataFrame(columns=columns)
    frame = sums_by_province.copy()
    frame["province"] = frame["province"].fillna("unknown")
    cumulative = frame["cumulative"].astype(bool)
    frame.loc[cumulative, ["killed", "killed_max"]] = 0
    frame = frame.groupby("province", as_index=False)[columns[1:]].sum()
    return frame.sort_values(["killed", "province"], ascending=[False, True]).reset_index(drop=True)


def _counted_dates(sums_by_date: pd.DataFrame) -> pd.Series:
    if sums_by_date.empty:
        return pd.Series([], dtype="datetime64[ns]")
    return pd.to_datetime(sums_by_date.loc[~sums_by_date["cumulative"].astype(bool), "date"])


def extent(incidents: Iterable[Incident], pad: float = 0.05) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around every located place, padded in degrees; None if none."""
    points = [point for i in incidents for _, point in i.located]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return padded((min(lons), min(lats), max(lons), max(lats)), pad)


def padded(bounds: tuple[float, float, float, float] | None, pad: float = 0.05
           ) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) widened by `pad` degrees on every side."""
    if bounds is None:
        return None
    west, south, east, north = bounds
    return west - pad, south - pad, east + pad, north + pad


def places_text(incident: Incident) -> str:
    """The incident's places, unlocated ones marked, e.g. "Sbeikhan; At-Tayana (not located)"."""
    return "; ".join(name if point is not None else f"{name} ({NOT_LOCATED})"
                     for name, point in zip(incident.places, incident.points))


def gazetteer_hint(incidents: Iterable[Incident]) -> str | None:
    """What to run so unlocated places can be found, or None when every place is located."""
    return gazetteer_command({i.country for i in incidents if i.unlocated})


def gazetteer_command(countries: Iterable[str]) -> str | None:
    """The command that fetches the gazetteers of these countries and places the stored incidents'
    unlocated places with them (None for no country)."""
    countries = sorted(set(countries))
    return (f"python -m geo gazetteer fetch {' '.join(countries)} --relocate"
            if countries else None)


def table_frame(incidents: Iterable[Incident]) -> pd.DataFrame:
    """One row per incident, in the interface's names; places joined with unlocated ones marked.

    Links other than http(s) are dropped, so a table cell can never run a script.
    """
    rows = []
    for i in incidents:
        rows.append({
            "date": i.date, "date_end": i.date_end, "places": places_text(i),
            "province": i.province, "killed": i.killed, "killed_max": i.killed_max,
            "children": i.children, "women": i.women, "injured": i.injured,
            "actor": i.actor, "event_type": i.event_type, "source": i.source,
            "source_url": safe_url(i.source_url),
            "cumulative": i.cumulative, "quote": i.quote, "notes": i.notes, "id": i.id,
        })
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for name in ("killed", "killed_max", "children", "women", "injured"):
        frame[name] = frame[name].astype("Int64")
    return frame


TABLE_COLUMNS = ["date", "date_end", "places", "province", "killed", "killed_max", "children",
                 "women", "injured", "actor", "event_type", "source", "source_url", "cumulative",
                 "quote", "notes", "id"]
