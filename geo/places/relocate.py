"""Put stored incidents' unlocated places on the map once the gazetteer knows them (after
`python -m geo gazetteer fetch SY`): only missing points are filled, located ones never move.

Place names stay as stored: they are the report's own spelling, which the table, the search
filter and duplicate detection rely on, and the gazetteer's name for a place is one lookup away.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from geo.model import Incident, Point
from geo.places.gazetteer import Gazetteer, Match
from geo.store import Store

_SAME_POINT = 1e-4  # degrees (~10 m): a stored point and a gazetteer place this close are one place


@dataclass(frozen=True)
class Placed:
    """One place given coordinates: which incident, which name, where, and how sure the match is."""

    incident_id: str
    place: str
    point: Point
    score: float
    source: str


@dataclass
class RelocateResult:
    """What `relocate` did (or, with dry_run, would do)."""

    placed: list[Placed] = field(default_factory=list)
    provinces: dict[str, str] = field(default_factory=dict)  # incident id → province filled in
    unlocated: list[tuple[str, str, str]] = field(default_factory=list)  # (id, place, country) still unknown
    changed: list[str] = field(default_factory=list)  # ids of the incidents stored again
    checked: int = 0  # incidents that had an unlocated place
    dry_run: bool = False


def relocate(store: Store, gazetteer: Gazetteer, dry_run: bool = False) -> RelocateResult:
    """Resolve every stored incident's unlocated places and store the incidents that gained a
    point (one transaction, replacing them); with dry_run nothing is written."""
    result = RelocateResult(dry_run=dry_run)
    changed: list[Incident] = []
    for incident in store.iter_query():
        if not incident.unlocated:
            continue
        result.checked += 1
        updated = relocate_incident(incident, gazetteer, result)
        if updated is not None:
            changed.append(updated)
            result.changed.append(updated.id)
    # An edit stored between this read and the write below would be replaced: a rare race for a
    # one-off maintenance command, accepted rather than adding a compare-and-set to the store.
    if changed and not dry_run:
        store.add(changed, on_conflict="replace")
    return result


def relocate_incident(incident: Incident, gazetteer: Gazetteer,
                      result: RelocateResult) -> Incident | None:
    """The incident with its resolvable places located (and its province filled when empty and
    every located place agrees on one), or None when no place could be added; records in `result`."""
    points = list(incident.points)
    matches: dict[int, Match] = {}
    for i, (place, point) in enumerate(zip(incident.places, incident.points)):
        if point is not None:
            continue
        match = gazetteer.resolve(place, country=incident.country)
        if match is None:
            result.unlocated.append((incident.id, place, incident.country))
            continue
        matches[i] = match
        points[i] = match.point
        result.placed.append(Placed(incident.id, place, match.point, match.score, match.source))
    if not matches:
        return None
    province = incident.province or _agreed_province(incident, matches, gazetteer)
    if province is not None and province != incident.province:
        result.provinces[incident.id] = province
    return dataclasses.replace(incident, points=points, province=province)  # re-validates


def _agreed_province(incident: Incident, matches: dict[int, Match],
                     gazetteer: Gazetteer) -> str | None:
    """The one province of all located places, or None if they differ or one's is unknown.

    A place located before has only a point; its province is known when its name resolves to
    that same point."""
    provinces = set()
    for i, (place, point) in enumerate(zip(incident.places, incident.points)):
        match = matches.get(i)
        if match is None and point is not None:
            match = gazetteer.resolve(place, country=incident.country)
            if match is None or max(abs(match.longitude - point[0]),
                                    abs(match.latitude - point[1])) > _SAME_POINT:
                return None
        if match is not None:
            provinces.add(match.province)
    return provinces.pop() if len(provinces) == 1 and None not in provinces else None
