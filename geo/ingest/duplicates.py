"""The same strike told by several sources: finding a stored match and merging the two.

A match is a stored incident with a place within `km` (haversine) and a date within `days`;
the store is asked only for the date window and a bounding box, the distance is checked here.
Incidents without coordinates match on a shared place name, or on the province when neither
names a place. Running tolls (cumulative) only match running tolls.

Merging keeps both sources ("A; B") and both quotes. The toll range spans both reports:
killed = the smallest minimum, killed_max = the largest figure either gave. Children, women
and injured take the largest figure either source gave (each is a part of the toll range, and
a lower count usually means a source counted fewer, not that the higher one is wrong); the
notes record what each source said so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from geo.extraction.places import haversine_km
from geo.filters import Filters
from geo.model import Incident, ValidationError
from geo.names import fold

if TYPE_CHECKING:
    from geo.store import Store

_COARSE_KM = 60  # the stored bbox column is the mean of an incident's points: query wide, check exactly


def find_duplicates(store: Store, incident: Incident, km: float = 10, days: int = 1) -> list[Incident]:
    """Stored incidents that are probably the same event, closest first."""
    start = dt.date.fromisoformat(incident.date) - dt.timedelta(days=days)
    end = dt.date.fromisoformat(incident.last_date) + dt.timedelta(days=days)
    located = [pt for _, pt in incident.located]
    if located:
        filters = Filters(start=start, end=end, bbox=_bbox(located, max(km, _COARSE_KM)))
    elif incident.province:
        filters = Filters(start=start, end=end, provinces=(incident.province,))
    else:
        filters = Filters(start=start, end=end)
    found: list[tuple[float, Incident]] = []
    for other in store.query(filters):
        if other.id == incident.id or other.cumulative != incident.cumulative:
            continue
        distance = _distance(incident, other)
        if distance is not None and distance <= km:
            found.append((distance, other))
    found.sort(key=lambda item: (item[0], item[1].date, item[1].id))
    return [other for _, other in found]


def merge(stored: Incident, new: Incident) -> Incident:
    """One incident from two reports of the same event; keeps the stored id."""
    figures = [v for v in (stored.killed, stored.killed_max, new.killed, new.killed_max) if v is not None]
    minimums = [v for v in (stored.killed, new.killed) if v is not None]
    killed = min(minimums) if minimums else None
    top = max(figures) if figures else None
    killed_max = top if top is not None and top != killed else None
    places, points = list(stored.places), list(stored.points)
    for name, point in zip(new.places, new.points):
        if name in places:
            i = places.index(name)
            points[i] = points[i] or point
        else:
            places.append(name)
            points.append(point)
    said = [_said(stored), _said(new)]
    values: dict[str, Any] = {  # loose values, as Incident.from_dict takes them
        "id": stored.id,
        "date": min(stored.date, new.date),
        "date_end": _span_end(stored, new),
        "places": places, "points": points,
        "province": stored.province or new.province,
        "country": stored.country,
        "geo_precision": min((p for p in (stored.geo_precision, new.geo_precision) if p is not None),
                             default=None),
        "killed": killed, "killed_max": killed_max,
        "children": _largest(stored.children, new.children),
        "women": _largest(stored.women, new.women),
        "injured": _largest(stored.injured, new.injured),
        "actor": _join(stored.actor, new.actor),
        "event_type": stored.event_type or new.event_type,
        "source": _join(stored.source, new.source),
        "source_url": _join(stored.source_url, new.source_url),
        "quote": _join(stored.quote, new.quote, "\n\n"),
        "notes": _join(stored.notes, "merged reports: " + " | ".join(said), "\n"),
        "cumulative": stored.cumulative,
        "report_hash": stored.report_hash or new.report_hash,
    }
    try:
        return Incident.from_dict(values)
    except ValidationError as exc:  # a part above the merged toll (e.g. one source gave no toll)
        upper = killed_max if killed_max is not None else killed
        for name in ("children", "women"):
            if values[name] is not None and upper is not None and values[name] > upper:
                values[name] = upper
        values["notes"] += f"\n(adjusted while merging: {exc})"
        return Incident.from_dict(values)


def _said(inc: Incident) -> str:
    toll = "?" if inc.killed is None else str(inc.killed)
    if inc.killed_max is not None:
        toll += f"–{inc.killed_max}"
    parts = [f"killed {toll}"] + [f"{n} {getattr(inc, n)}" for n in ("children", "women", "injured")
                                   if getattr(inc, n) is not None]
    return f"{inc.source or 'unknown source'} ({inc.date}): " + ", ".join(parts)


def _largest(a: int | None, b: int | None) -> int | None:
    values = [v for v in (a, b) if v is not None]
    return max(values) if values else None


def _join(a: str | None, b: str | None, sep: str = "; ") -> str | None:
    if not a or not b:
        return a or b
    known = [p.strip() for p in a.split(sep.strip() or sep)] if sep.strip() else [a]
    if b.strip() in known or b == a:
        return a
    return f"{a}{sep}{b}"


def _span_end(a: Incident, b: Incident) -> str | None:
    first = min(a.date, b.date)
    last = max(a.last_date, b.last_date)
    return last if last != first else None


def _distance(a: Incident, b: Incident) -> float | None:
    """km between the closest located places; 0 for a shared place name; None if unknown."""
    pa, pb = [pt for _, pt in a.located], [pt for _, pt in b.located]
    if pa and pb:
        return min(haversine_km(x, y) for x in pa for y in pb)
    if {fold(p) for p in a.places} & {fold(p) for p in b.places}:
        return 0.0
    if not a.places and not b.places and a.province and a.province == b.province:
        return 0.0
    return None


def _bbox(points: list[tuple[float, float]], km: float) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    dlat = km / 111.32
    dlon = km / (111.32 * max(0.05, math.cos(math.radians(max(abs(min(lats)), abs(max(lats)))))))
    return (min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat)
