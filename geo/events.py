"""Events: the records (as each source gave them) that tell of one strike, linked, summed and graded.

Three rules live here and nowhere else:

- **Linking** (`link_reason`, `link`): a record joins an event when it is the same strike: the same
  place or within `LINK_KM` (`OTHER_TOWN_KM` when both name a different, precisely located town),
  dates within a day or overlapping spans, the same province when both give one, compatible type
  and actor, both running totals or neither (and then over the same span, give or take a day).
  Two records of one dataset (two ACLED ids) or of one report are never the same strike: their
  source already told them apart. Each link says why, in words.
- **Figures** (`event_row`): the toll is the range the sources give, from the lowest reported
  minimum to the highest reported maximum (children, women, injured alike); the date is the
  earliest well-dated record's (a single day, not a span); the place is the most precise record's.
- **Grade** (`grade`): contested, conceded, corroborated or single source (see GRADES).

Records are plain dicts of the store's columns (geo.store.schema.ROW_KEYS); nothing here talks SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from geo.model import GRADES as GRADES  # the grades this module gives, named here too

LINK_KM = 10.0  # same strike: places at most this far apart ...
OTHER_TOWN_KM = 5.0  # ... or this far, when both name a different town, each located precisely
LINK_DAYS = 1  # ... and dates at most this many days apart (or spans overlapping)
CELL_DEG = 0.2  # blocking cell; ≥ LINK_KM in both directions below 60° latitude, so 3x3 cells suffice
LONG_SPAN_DAYS = 62  # events spanning more days are kept in one list per cell, not one entry per day

GRADE_HELP = {
    "single source": "one source, or several outlets relaying the same one",
    "corroborated": "two or more independent sources report it",
    "conceded": "the actor itself acknowledged civilian harm",
    "contested": "a source denies civilian harm, or the tolls differ widely",
}
# "Widely": the highest reported figure is more than twice the lowest reported minimum, and at
# least WIDE_GAP deaths above it (so 2 against 6 is a range, 3 against 30 is a dispute).
WIDE_RATIO = 2.0
WIDE_GAP = 5

# The keys of each record listed in an event's `sources` (the issue names the first eight; the
# rest let an exported event be imported back as its records).
SOURCE_KEYS = ("id", "source", "source_url", "killed", "killed_max", "children", "date", "quote",
               "date_end", "places", "points", "province", "country", "geo_precision", "women",
               "injured", "actor", "event_type", "notes", "cumulative", "report_hash")


# --- the linking rule ------------------------------------------------------------------------------

_AIR = ("air", "drone", "bomb", "warplane", "jet", "helicopter", "barrel")
_GROUND = ("shell", "artillery", "mortar", "rocket", "missile", "ground")
_ACTORS = {  # family: words that name it (lower-case, matched as substrings)
    "coalition": ("coalition", "united states", "u.s.", "us-led", "usa", "cjtf", "inherent resolve",
                  "france", "united kingdom", "britain"),
    "russia": ("russia",),
    "syria": ("syria", "regime", "assad", "saa"),
    "turkey": ("turkey", "turkish"),
    "islamic state": ("islamic state", "isis", "isil", "daesh"),
    "sdf": ("sdf", "syrian democratic forces", "ypg"),
}
# Datasets whose rows are each a distinct strike (a row of the benchmarks' synthetic generator too).
_DATASETS = ("acled", "ucdp", "synthetic")


@functools.lru_cache(maxsize=4096)
def type_family(event_type: str | None) -> str | None:
    """'air' or 'ground' for an event type, None when it says neither (UCDP's violence types)."""
    text = (event_type or "").lower()
    if any(word in text for word in _AIR):
        return "air"
    if any(word in text for word in _GROUND):
        return "ground"
    return None


@functools.lru_cache(maxsize=4096)
def actor_families(actor: str | None) -> frozenset[str]:
    """Who struck, as families ("Military Forces of Syria" and "Government of Syria" are one)."""
    text = f" {(actor or '').lower()} "
    found = set()
    for family, words in _ACTORS.items():
        if family == "syria":  # "Syrian Democratic Forces" is not the government
            text_ = text.replace("syrian democratic forces", "")
            if any(w in text_ for w in words):
                found.add(family)
        elif any(w in text for w in words):
            found.add(family)
    return frozenset(found)


def dataset_of(record_id: str) -> str | None:
    """'acled' or 'ucdp' for a dataset's own id; None for reports and files without one."""
    head = record_id.split(":", 1)[0].lower() if ":" in record_id else ""
    return head if head in _DATASETS else None


@functools.lru_cache(maxsize=65536)
def _fold(name: str) -> str:
    from geo.names import fold
    return fold(name)


@functools.lru_cache(maxsize=8192)
def _ordinal(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()


@dataclass
class Mark:
    """What linking looks at, for a record or an event: dates as day numbers, points, names."""

    id: str
    day: int
    last: int
    points: list[tuple[float, float]]
    names: frozenset[str]
    province: str | None
    cumulative: bool
    family: str | None
    actors: frozenset[str]
    precise: bool = True  # geo_precision 1: the town itself (for an event, its place record's)
    datasets: frozenset[str] = frozenset()
    reports: frozenset[str] = frozenset()
    records: list[dict] = field(default_factory=list)  # an event's records, as dicts

    @classmethod
    def of_record(cls, r: dict) -> "Mark":
        """The mark of one record (a dict of the store's columns, points decoded)."""
        dataset = dataset_of(r["id"])
        return cls(
            id=r["id"], day=_ordinal(r["date"]), last=_ordinal(r["date_end"] or r["date"]),
            points=[p for p in r["points"] if p is not None],
            names=frozenset(_fold(n) for n in r["places"]), province=r.get("province"),
            cumulative=bool(r["cumulative"]), family=type_family(r.get("event_type")),
            actors=actor_families(r.get("actor")), precise=(r.get("geo_precision") or 9) <= 1,
            datasets=frozenset([dataset]) if dataset else frozenset(),
            reports=frozenset([r["report_hash"]]) if r.get("report_hash") else frozenset(),
            records=[r])  # not copied: linking a million records

    def absorb(self, record: dict) -> None:
        """Add a record to this event's mark, as event_row would place and date the event (kept
        step by step: an event of many records is not recomputed for each new one)."""
        other = Mark.of_record(record)
        if not self.records:
            return
        if _precision_rank(record) < self._best_rank():
            self.points = other.points
            self.precise = other.precise
            self._rank = _precision_rank(record)
        if record["date_end"] is None:  # a well-dated record: the earliest one dates the event
            if self._dated is None or other.day < self._dated:
                self._dated = other.day
                self.day = self.last = other.day
        elif self._dated is None and other.last - other.day < self.last - self.day:
            self.day, self.last = other.day, other.last
        self.records.append(record)
        self.names |= other.names
        self.family = self.family or other.family
        self.actors |= other.actors
        self.datasets |= other.datasets
        self.reports |= other.reports

    _rank: tuple | None = None
    _dated: int | None = None

    def _best_rank(self) -> tuple:
        if self._rank is None:
            best = min(self.records, key=_precision_rank)
            self._rank = _precision_rank(best)
            dated = [_ordinal(r["date"]) for r in self.records if r["date_end"] is None]
            self._dated = min(dated) if dated else None
        return self._rank


def link_reason(record: Mark, event: Mark) -> tuple[tuple[int, int, float], str] | None:
    """Why `record` is the same strike as `event`, with a rank (days apart, no shared place name,
    km apart; lower is closer); None when it is not."""
    gap = max(record.day, event.day) - min(record.last, event.last)
    if gap > LINK_DAYS or not _compatible(record, event):
        return None
    km = _km(record, event)
    if km is None:
        return None
    if gap <= 0:
        spans = record.last > record.day or event.last > event.day
        when = "overlapping dates" if spans and gap < 0 else "same day"
    else:
        when = f"dates {gap} day apart"
    if not (record.points and event.points):
        where = "same place name" if record.names & event.names else "same province, no place named"
    else:
        where = f"{km:.1f} km apart" if km >= 1.0 else "same place"
    # The fewest days apart first, then a shared place name (a record 4 km off its town may be
    # nearer the next town's strike that day), then the nearest.
    return (max(gap, 0), 0 if record.names & event.names else 1, km), f"{where}, {when}"


def _compatible(record: Mark, event: Mark) -> bool:
    """Whether the two could be one strike, time and distance aside: the same kind of record,
    not told apart by one source, one province, the same span for running totals, compatible
    type and actor."""
    if record.cumulative != event.cumulative:
        return False
    if record.datasets & event.datasets or record.reports & event.reports:
        return False  # one dataset or one report lists two strikes: they are two
    if record.province and event.province and record.province != event.province:
        return False  # its sources put it in two provinces: not the same place
    if record.cumulative and (abs(record.day - event.day) > LINK_DAYS or abs(record.last - event.last) > LINK_DAYS):
        return False  # a month's running total and a week's are two totals, though they overlap
    if record.family and event.family and record.family != event.family:
        return False
    return not (record.actors and event.actors and not record.actors & event.actors)


def _km(a: Mark, b: Mark) -> float | None:
    """km between the closest located places; 0 for a shared place name or (neither naming a
    place) a shared province; None when they are not near."""
    if a.points and b.points:
        best = min(_haversine(p, q) for p in a.points for q in b.points)
        # Two towns a few km apart along the river are struck on the same day often enough that
        # two precisely located, differently named places must be closer to be one strike.
        other_towns = not a.names & b.names and a.precise and b.precise
        return best if best <= (OTHER_TOWN_KM if other_towns else LINK_KM) else None
    if a.names & b.names:
        return 0.0
    if not a.names and not b.names and a.province and a.province == b.province:
        return 0.0
    return None


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# --- linking many records at once, blocked by place cell and day ------------------------------------

@dataclass
class Linked:
    """Where linking put records: record id → event id, the events touched, and the reasons."""

    event_of: dict[str, str] = field(default_factory=dict)
    events: dict[str, Mark] = field(default_factory=dict)  # event id → its mark (all records)
    reasons: dict[str, list[str]] = field(default_factory=dict)  # event id → "rec joined: why"
    new: set[str] = field(default_factory=set)  # events started by this linking


class Blocks:
    """Events indexed by place cell and day (one integer key), or by name or province and day when
    they have no point; an event spanning more than LONG_SPAN_DAYS is kept once per cell.

    A located record looks only in the cells its LINK_KM circle reaches (usually 1 to 4) and on
    the days from one before its own to one after."""

    def __init__(self) -> None:
        self.cells: dict[int, list[Mark]] = {}  # cell * DAY_KEYS + day
        self.long: dict[int, list[Mark]] = {}  # cell -> long spans
        self.named: dict[tuple, list[Mark]] = {}  # ("n", name, day) or ("p", province, day)

    def add(self, mark: Mark) -> None:
        long = mark.last - mark.day > LONG_SPAN_DAYS
        if mark.points:
            for lon, lat in mark.points:
                cell = math.floor(lon / CELL_DEG) * 100_000 + math.floor(lat / CELL_DEG)
                if long:
                    _put(self.long, cell, mark)
                else:
                    base = cell * DAY_KEYS
                    for day in range(mark.day, mark.last + 1):
                        _put(self.cells, base + day, mark)
        for key in self._named_keys(mark, mark.day, mark.last):
            _put(self.named, key, mark)

    def near(self, mark: Mark) -> list[Mark]:
        """Marks indexed in the cells and days `mark` could link to (by point or by name)."""
        found: dict[int, Mark] = {}
        first, last = mark.day - LINK_DAYS, mark.last + LINK_DAYS
        for cell in self._cells_around(mark):
            base = cell * DAY_KEYS
            for day in range(first, last + 1):
                for other in self.cells.get(base + day, ()):
                    found[id(other)] = other
            for other in self.long.get(cell, ()) if self.long else ():
                found[id(other)] = other
        if self.named and (mark.names or not mark.points):
            for key in self._named_keys(mark, first, last, looking=True):
                for other in self.named.get(key, ()):
                    found[id(other)] = other
        return list(found.values())

    @staticmethod
    def _cells_around(mark: Mark) -> set[int]:
        """The place cells within LINK_KM of any of the mark's points."""
        cells: set[int] = set()
        rlat = LINK_KM / 111.0
        for lon, lat in mark.points:
            rlon = LINK_KM / (111.32 * max(0.2, math.cos(math.radians(lat))))
            ys = range(math.floor((lat - rlat) / CELL_DEG), math.floor((lat + rlat) / CELL_DEG) + 1)
            for cx in range(math.floor((lon - rlon) / CELL_DEG), math.floor((lon + rlon) / CELL_DEG) + 1):
                cells.update(cx * 100_000 + cy for cy in ys)
        return cells

    @staticmethod
    def _named_keys(mark: Mark, first: int, last: int, looking: bool = False) -> list[tuple]:
        """Unlocated events by name (or province); a located record looks them up by its names."""
        if mark.points and not looking:
            return []
        days = range(first, last + 1) if last - first <= LONG_SPAN_DAYS else ("long",)
        spaces = [("n", n) for n in mark.names]
        if not mark.names and mark.province:
            spaces.append(("p", mark.province))
        keys = [(*space, day) for space in spaces for day in days]
        if looking:
            keys += [(*space, "long") for space in spaces]
        return keys


DAY_KEYS = 10_000_000  # above any day number (date.toordinal), so cell * DAY_KEYS + day is unique


def _put(index: dict, key, mark: Mark) -> None:
    found = index.get(key)
    if found is None:
        index[key] = [mark]
    elif found[-1] is not mark:
        found.append(mark)


def link(records: Iterable[dict], stored: Iterable[Mark] = ()) -> Linked:
    """Put each record in an event: the closest stored or already-formed event it is the same
    strike as (`link_reason`), else a new event named after the record.

    Records are dicts of the store's columns (points decoded); earlier records are placed first,
    so an event's date is set by its earliest record and a later one is compared with that.
    """
    was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects, none garbage: collections would double the time
    try:
        return _link(records, stored)
    finally:
        if was_enabled:
            gc.enable()


def _link(records: Iterable[dict], stored: Iterable[Mark]) -> Linked:
    linked = Linked()
    blocks = Blocks()
    for mark in stored:
        blocks.add(mark)
    for record in sorted(records, key=_date_then_id):
        mark = Mark.of_record(record)
        best: tuple[tuple[int, int, float], str, Mark] | None = None
        for event in blocks.near(mark):
            found = link_reason(mark, event)
            if found and (best is None or (found[0], event.id) < (best[0], best[2].id)):
                best = (found[0], found[1], event)
        if best is None:
            linked.event_of[mark.id] = mark.id
            linked.events[mark.id] = mark
            linked.new.add(mark.id)
            blocks.add(mark)
            continue
        event = best[2]
        before = (event.day, event.last, event.points, event.names)
        event.absorb(record)
        if (event.day, event.last, event.points, event.names) != before:
            blocks.add(event)  # under its new days and cells (a repeated entry is harmless)
        linked.event_of[mark.id] = event.id
        linked.events[event.id] = event
        linked.reasons.setdefault(event.id, []).append(f"{mark.id}: {best[1]}")
    return linked


def _date_then_id(record: Mapping) -> tuple:
    return (record["date"], record.get("date_end") is not None, record["id"])


# --- an event's figures -------------------------------------------------------------------------

def event_row(event_id: str, records: Sequence[Mapping], reasons: Sequence[str] = ()) -> dict:
    """The event's row from its records: the store's incident columns (so every filter and sum
    runs on events too) plus records, grade, sources and link_reasons."""
    if len(records) == 1:
        return _single_event_row(event_id, records[0], reasons)
    records = sorted(records, key=_date_then_id)
    place = min(records, key=_precision_rank)
    counted = [r for r in records if r["killed"] is not None]
    killed = min((r["killed"] for r in counted), default=None)
    top = max((r["killed_max"] if r["killed_max"] is not None else r["killed"] for r in counted),
              default=None)
    well_dated = [r for r in records if r["date_end"] is None]
    if well_dated:
        date, date_end = well_dated[0]["date"], None
    else:
        shortest = min(records, key=lambda r: (_ordinal(r["date_end"]) - _ordinal(r["date"]), r["date"]))
        date, date_end = shortest["date"], shortest["date_end"]
    row = dict(place)
    row.update(
        id=event_id, date=date, date_end=date_end, last_date=date_end or date,
        killed=killed, killed_max=top if top is not None and top != killed else None,
        children=_lowest(records, "children"), women=_lowest(records, "women"),
        injured=_lowest(records, "injured"),
        children_max=_highest(records, "children"), women_max=_highest(records, "women"),
        injured_max=_highest(records, "injured"),
        actor=_first(records, "actor", place), event_type=_first(records, "event_type", place),
        source="; ".join(dict.fromkeys(r["source"] for r in records if r.get("source"))) or None,
        source_url=place.get("source_url") or _first(records, "source_url", place),
        quote=_first(records, "quote", place), notes=None,
        cumulative=all(bool(r["cumulative"]) for r in records),
        report_hash=_first(records, "report_hash", place),
        search=" ".join(dict.fromkeys(r["search"] for r in records if r.get("search"))),
        records=len(records), grade=grade(records),
        sources=json.dumps([{k: r.get(k) for k in SOURCE_KEYS} for r in records], ensure_ascii=False),
        link_reasons=json.dumps(list(reasons), ensure_ascii=False),
    )
    row.pop("event_id", None)
    return row


def _single_event_row(event_id: str, r: Mapping, reasons: Sequence[str]) -> dict:
    """event_row of one record (most events): its own figures, spelt out for large imports."""
    row = dict(r)
    killed_max = r["killed_max"]
    row.update(
        id=event_id, last_date=r["date_end"] or r["date"], notes=None, cumulative=bool(r["cumulative"]),
        killed_max=killed_max if killed_max is not None and killed_max != r["killed"] else None,
        children_max=r["children"], women_max=r["women"], injured_max=r["injured"],
        records=1, grade=grade((r,)),
        sources=json.dumps([{k: r.get(k) for k in SOURCE_KEYS}], ensure_ascii=False),
        link_reasons=json.dumps(list(reasons), ensure_ascii=False))
    row.pop("event_id", None)
    return row


def _precision_rank(r: Mapping) -> tuple:
    """Most precise first: the finest geo_precision, then the most located places (a source naming
    five villages covers more of the strike than one naming one of them), then the earliest."""
    located = sum(1 for p in r["points"] if p is not None)
    return (r.get("geo_precision") or 9, -located, r["date"], r["id"])


def _lowest(records: Sequence[Mapping], name: str) -> int | None:
    return min((r[name] for r in records if r.get(name) is not None), default=None)


def _highest(records: Sequence[Mapping], name: str) -> int | None:
    return max((r[name] for r in records if r.get(name) is not None), default=None)


def _first(records: Sequence[Mapping], name: str, preferred: Mapping) -> str | None:
    if preferred.get(name):
        return preferred[name]
    return next((r[name] for r in records if r.get(name)), None)


# --- grading ---------------------------------------------------------------------------------------

_DENIAL = re.compile(r"\b(denie[ds]|deny|denying|no civilians? (?:were )?(?:killed|harmed|casualties)|"
                     r"not credible|non-credible|rejected (?:the )?(?:claims?|reports?)|fabricat)", re.I)
_CONCESSION = re.compile(r"\b(acknowledg|admitt?|conced|assessed (?:as )?credible|deemed credible|"
                         r"found (?:the report )?credible|credible report)", re.I)
_RELAY = re.compile(r"^(?:.*?\b(?:citing|quoting|according to|relaying)\s+)", re.I)
_VIA = re.compile(r",?\s*\bvia\b.*$", re.I)
_PREFIX = re.compile(r"^\s*(?:acled|ucdp(?: ged)?)\s*:\s*", re.I)
_ORIGINS = {  # one name per monitor or agency, whatever the outlet calls it
    "sohr": ("syrian observatory", "sohr", "the observatory"),
    "sana": ("sana", "syrian arab news agency"),
    "airwars": ("airwars",),
    "rbss": ("raqqa is being slaughtered", "rbss"),
    "deirezzor24": ("deir ezzor 24", "deirezzor24", "deir ez-zor 24"),
    "coalition": ("cjtf", "coalition", "inherent resolve", "centcom", "pentagon"),
    "snhr": ("syrian network for human rights", "snhr"),
    "russian mod": ("russian defence ministry", "russian defense ministry", "russian mod"),
}


@functools.lru_cache(maxsize=16384)
def origins(source: str | None) -> frozenset[str]:
    """Who first told it: 'PressTV citing SOHR', 'SOHR, via PressTV' and 'ACLED: SOHR' are all
    {'sohr'}; a source naming no one is its own origin."""
    if not source:
        return frozenset()
    found: set[str] = set()
    for part in re.split(r";", _PREFIX.sub("", source)):
        part = _VIA.sub("", part).strip()
        inner = re.search(r"\((?:citing|quoting|according to)\s+([^)]*)\)", part, re.I)
        part = _RELAY.sub("", part) if _RELAY.match(part) else part
        text = part.lower()
        named = {origin for origin, words in _ORIGINS.items() if any(w in text for w in words)}
        if named:
            found |= named
        elif part:
            base = re.sub(r"\s*\(.*?\)\s*", " ", part).strip().lower()
            found.add(base or text)
        if inner and "unnamed" not in inner.group(1).lower() and not named:
            found.add(inner.group(1).strip().lower())
    return frozenset(found)


def independent_sources(records: Sequence[Mapping]) -> int:
    """How many independent sources tell of the event: records sharing an origin are one."""
    groups: list[set[str]] = []
    for r in records:
        own = set(origins(r.get("source"))) or {f"record {r['id']}"}
        touching = [g for g in groups if g & own]
        for g in touching:
            own |= g
            groups.remove(g)
        groups.append(own)
    return len(groups)


def grade(records: Sequence[Mapping]) -> str:
    """contested > conceded > corroborated > single source (see GRADE_HELP)."""
    if _contested(records):
        return "contested"
    if any(_conceded(r) for r in records):
        return "conceded"
    return "corroborated" if independent_sources(records) >= 2 else "single source"


def _contested(records: Sequence[Mapping]) -> bool:
    if any(_DENIAL.search(" ".join(filter(None, (r.get("quote"), r.get("notes"))))) for r in records):
        return True
    counted = [r for r in records if r["killed"] is not None]
    if len(counted) < 2:
        return False
    low = min(r["killed"] for r in counted)
    high = max(r["killed_max"] if r["killed_max"] is not None else r["killed"] for r in counted)
    return high > WIDE_RATIO * low and high - low >= WIDE_GAP


def _conceded(r: Mapping) -> bool:
    """The actor's own statement: its source is the actor, or a quote says the actor admitted harm."""
    text = " ".join(filter(None, (r.get("quote"), r.get("notes"))))
    if _CONCESSION.search(text):
        return True
    own = origins(r.get("source"))
    return bool(own & {"coalition"} and "coalition" in actor_families(r.get("actor"))) or bool(
        own & {"russian mod"} and "russia" in actor_families(r.get("actor")))
