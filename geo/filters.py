"""Filters: the one selection object shared by the dashboard, the CLI and the store.

It parses and checks user input (CLI flags, URL parameters), describes itself in a sentence, and
the store turns it into SQL (`geo.store.core`), so a filter is defined once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Mapping

from geo.provinces import PROVINCES, normalise


class FilterError(ValueError):
    """A filter value the user must correct; the message names the accepted values or format."""


@dataclass(frozen=True)
class Filters:
    """What to show. Empty fields select everything.

    A date filter keeps every incident whose own span (date .. date_end) overlaps start .. end.
    `bbox` is (west, south, east, north) in degrees.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    provinces: tuple[str, ...] = ()
    min_killed: int | None = None
    actor: str | None = None
    source: str | None = None
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    @classmethod
    def parse(cls, start: str | dt.date | None = None, end: str | dt.date | None = None,
              provinces: list[str] | tuple[str, ...] | None = None, min_killed: Any = None,
              actor: str | None = None, source: str | None = None, text: str | None = None,
              bbox: Any = None) -> "Filters":
        """Check and normalise raw values; raise FilterError with a message a user can act on."""
        start_date = parse_date("start", start)
        end_date = parse_date("end", end)
        if start_date and end_date and end_date < start_date:
            raise FilterError(f"end date {end_date} is before start date {start_date}")
        canonical = []
        for name in provinces or ():
            province = normalise(name)
            if province is None:
                raise FilterError(f"unknown province {name!r}; accepted: {', '.join(PROVINCES)}")
            if province not in canonical:
                canonical.append(province)
        minimum = None
        if min_killed not in (None, ""):
            try:
                minimum = int(min_killed)
            except (TypeError, ValueError):
                raise FilterError(f"minimum deaths must be a whole number, got {min_killed!r}") from None
            if minimum < 0:
                raise FilterError(f"minimum deaths cannot be negative, got {minimum}")
        box = None
        if bbox not in (None, ""):
            parts = bbox.split(",") if isinstance(bbox, str) else list(bbox)
            try:
                west, south, east, north = (float(p) for p in parts)
            except (TypeError, ValueError):
                raise FilterError("bbox must be four numbers: west,south,east,north") from None
            box = (west, south, east, north)
        return cls(start=start_date, end=end_date, provinces=tuple(canonical), min_killed=minimum,
                   actor=_clean(actor), source=_clean(source), text=_clean(text), bbox=box)

    # --- URL parameters (a shareable view) ---------------------------------------------------

    def to_params(self) -> dict[str, str | list[str]]:
        """URL query parameters for this selection; empty fields are left out."""
        params: dict[str, str | list[str]] = {}
        if self.start:
            params["start"] = self.start.isoformat()
        if self.end:
            params["end"] = self.end.isoformat()
        if self.provinces:
            params["province"] = list(self.provinces)
        if self.min_killed is not None:
            params["min_killed"] = str(self.min_killed)
        for name in ("actor", "source", "text"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "Filters":
        """Inverse of to_params; `params` may map to strings or lists (st.query_params.to_dict())."""
        def one(name: str) -> str | None:
            value = params.get(name)
            if isinstance(value, list):
                return value[-1] if value else None
            return value

        provinces = params.get("province") or []
        if isinstance(provinces, str):
            provinces = [provinces]
        return cls.parse(start=one("start"), end=one("end"), provinces=provinces,
                         min_killed=one("min_killed"), actor=one("actor"), source=one("source"),
                         text=one("text"))

    # --- words --------------------------------------------------------------------------------

    def describe(self, count: int | None = None) -> str:
        """The selection as a sentence, e.g. '3 incidents in Raqqa, 14 Aug 2017 – 17 Aug 2017, at least 5 killed'."""
        head = f"{count} incident{'s' if count != 1 else ''}" if count is not None else "Incidents"
        where = ", ".join(self.provinces) if self.provinces else "all provinces"
        parts = [f"{head} in {where}"]
        if self.start or self.end:
            parts.append(f"{_day(self.start) if self.start else 'any date'} – "
                         f"{_day(self.end) if self.end else 'any date'}")
        if self.min_killed:
            parts.append(f"at least {self.min_killed} reported killed")
        if self.actor:
            parts.append(f"actor contains “{self.actor}”")
        if self.source:
            parts.append(f"source contains “{self.source}”")
        if self.text:
            parts.append(f"mentioning “{self.text}”")
        if self.bbox:
            parts.append("in the map view")
        return ", ".join(parts)

    def with_(self, **changes: Any) -> "Filters":
        return replace(self, **changes)


def parse_date(name: str, value: str | dt.date | None) -> dt.date | None:
    """A YYYY-MM-DD date, or FilterError naming the format."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name} date {value!r} is not a real date; use YYYY-MM-DD, e.g. 2017-08-17") from None


def _clean(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
