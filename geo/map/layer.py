"""Incidents → the compact data the map's canvas layer draws (pure Python, no folium).

One mark per located place, its **area** proportional to the reported deaths there: a multi-place
incident shares its minimum toll among its located places, so the ink matches the toll. No toll →
a small hollow mark; a cumulative (span) toll → a dashed ring, never a filled disc, so it does not
double the ink of the single strikes it sums up. Above AGGREGATE_ABOVE located places the marks are
summed into grid cells, and the legend says so.

The points payload is columnar: integer columns packed as base64 VLQ strings (delta-coded coordinates
and dates), a shared string table (front-coded on large maps); at 10k incidents about 26 bytes per
incident with the popup details, of which about 12 draw the marks.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from geo.model import Incident, safe_url

if TYPE_CHECKING:
    import pandas

AGGREGATE_ABOVE = 20_000  # located places; more are drawn as grid cells with summed deaths
DETAIL_LIMIT = 2_000  # incidents; above it the quote, link and id are not embedded (said in the popup)
MAX_CELLS = 5_000  # grid size is chosen so the data's extent spans at most this many cells
CELL_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # degrees
BASE_SCALE = 3.0  # radius in px of a mark for one death (area ∝ deaths: radius = scale·√deaths)
MAX_RADIUS = 36.0  # the scale shrinks so the largest mark stays this size
HOLLOW_RADIUS = 4.0  # the mark of an incident with no reported toll
COORD_FACTOR = 100_000  # coordinates are sent as integers of 1e-5 degree (about 1 m)

COLOUR_BY = ("children", "actor", "event_type")
CHILDREN_KEY = (
    ("children not reported", "#9e9e9e"),
    ("no children among the killed", "#fdd49e"),
    ("children under 25 % of the killed", "#fc8d59"),
    ("children 25–50 % of the killed", "#d7301f"),
    ("children over 50 % of the killed", "#7f0000"),
)
CHILDREN_SHORT = ("not reported", "none", "under 25 %", "25–50 %", "over 50 %")  # legend labels
# Categories (actor, event type): Okabe & Ito's colour-blind-safe set without its black, then a dark
# grey for the rest and a light grey for "not reported"; tests/test_palettes.py checks they stay
# apart under simulated deuteranopia.
ACTOR_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_ACTORS = ("other actors", "#4d4d4d")
NO_ACTOR = ("actor not reported", "#d9d9d9")
CATEGORY_FIELDS = {"actor": ("actor", "Actor (as reported)", "other actors", "actor not reported"),
                   "event_type": ("event_type", "Event type (as reported)", "other event types",
                                  "event type not reported")}
_EPOCH = dt.date(1970, 1, 1).toordinal()
_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")


@dataclass(frozen=True)
class Mark:
    """One located place of one incident, as drawn."""

    incident: int  # index into the incidents given
    place: str
    lon: float
    lat: float
    deaths: float | None  # this place's share of the reported minimum toll; None when no toll
    radius: float  # px
    hollow: bool  # no toll reported (or a toll of zero)
    cumulative: bool  # a running toll over a span: drawn as a dashed ring
    colour: int  # index into the colour key


@dataclass
class LayerData:
    """What the layer's JavaScript draws, and the legend that explains it."""

    payload: dict[str, Any]
    legend: dict[str, Any]
    mode: str  # "points" or "cells"
    incidents: int
    places: int  # located places (marks before aggregation)
    drawn: int  # marks or cells drawn
    biggest: float = 0.0  # the largest death count one mark stands for


def radius(deaths: float | None, scale: float = BASE_SCALE) -> float:
    """Radius in px for a place's share of the toll: area ∝ deaths; hollow size when no toll."""
    if not deaths:
        return HOLLOW_RADIUS
    return scale * math.sqrt(deaths)


def marker_scale(max_deaths: float) -> float:
    """px per √death: BASE_SCALE unless that would make the largest mark exceed MAX_RADIUS."""
    if max_deaths <= 0:
        return BASE_SCALE
    return min(BASE_SCALE, MAX_RADIUS / math.sqrt(max_deaths))


def children_class(children: float | None, killed: float | None) -> int:
    """Colour class for the share of children among the killed (index into CHILDREN_KEY)."""
    if children is None or not killed:
        return 0
    share = min(children / killed, 1.0)
    if share == 0:
        return 1
    if share < 0.25:
        return 2
    return 3 if share <= 0.5 else 4


def colour_key(incidents: list[Incident], colour_by: str) -> tuple[tuple[str, str], ...]:
    """(label, colour) per colour class for the chosen meaning of colour."""
    if colour_by == "children":
        return CHILDREN_KEY
    if colour_by in CATEGORY_FIELDS:
        field, _, other, missing = CATEGORY_FIELDS[colour_by]
        values = (getattr(i, field) for i in incidents)
        top = [a for a, _ in Counter(v for v in values if v).most_common(len(ACTOR_COLOURS))]
        return ((missing, NO_ACTOR[1]), (other, OTHER_ACTORS[1]), *zip(top, ACTOR_COLOURS))
    raise ValueError(f"unknown colour_by {colour_by!r}; accepted: {', '.join(COLOUR_BY)}")


def place_marks(incidents: Iterable[Incident], colour_by: str = "children") -> list[Mark]:
    """Every located place of every incident as a mark (the points mode, before aggregation)."""
    incidents = list(incidents)
    classes = _colour_classes(incidents, colour_by)
    shares = [_share(inc) for inc in incidents]
    scale = marker_scale(max((s for s in shares if s), default=0))
    marks = []
    for n, inc in enumerate(incidents):
        for place, (lon, lat) in inc.located:
            marks.append(Mark(n, place, lon, lat, shares[n], radius(shares[n], scale),
                              not shares[n], inc.cumulative, classes[n]))
    return marks


def layer_data(incidents: Iterable[Incident], colour_by: str = "children",
               aggregate_above: int = AGGREGATE_ABOVE, detail_limit: int = DETAIL_LIMIT) -> LayerData:
    """The payload and legend for these incidents: points, or grid cells above `aggregate_above`."""
    incidents = sorted(incidents, key=_by_date)
    key = colour_key(incidents, colour_by)
    classes = _colour_classes(incidents, colour_by, key)
    located = [[pp for pp in zip(i.places, i.points) if pp[1] is not None] for i in incidents]
    n_places = sum(map(len, located))
    unlocated = sum(len(i.places) for i in incidents) - n_places
    if n_places > aggregate_above:
        data = _cells(incidents, located, classes, n_places, colour_by)
    else:
        data = _points(incidents, located, classes, n_places, detail_limit)
    data.payload["key"] = [list(k) for k in key]
    data.legend = _legend(data, key, colour_by, unlocated, aggregate_above, detail_limit)
    return data


def to_json(value: Any) -> str:
    """Compact JSON that is also safe inside an HTML <script> (cannot close the tag or open a comment)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "{" before "{", "%" or "#" can only be inside a string: escaped, no template engine sees a tag
    text = _TEMPLATE_OPENER.sub(r"\\u007b", text)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- points ---------------------------------------------------------------------------------

def _points(incidents: list[Incident], located: list[list], classes: list[int], n_places: int,  # noqa: C901
            detail_limit: int) -> LayerData:
    strings = _Strings()
    ref, index = strings.ref, strings.index
    details = len(incidents) <= detail_limit
    cols: dict[str, list[int]] = {k: [] for k in ("dd", "sp", "np", "nu", "pl", "k", "km", "c", "w", "i",
                                                  "cl", "cu", "a", "so", "et", "x", "y")}
    if details:
        cols.update(u=[], q=[], id=[])
    text_refs = ("a", "so", "et", "u", "q") if details else ("a", "so", "et")
    biggest = 0.0
    prev_day = first_day = _day(incidents[0].date) if incidents else 0
    px = py = 0
    for inc, places in zip(incidents, located):
        day = _day(inc.date)
        cols["dd"].append(day - prev_day)
        prev_day = day
        cols["sp"].append(_day(inc.date_end) - day + 1 if inc.date_end else 0)
        cols["np"].append(len(places))
        cols["nu"].append(len(inc.places) - len(places))
        cols["pl"] += [index(p) for p, _ in places]
        cols["pl"] += [index(p) for p, pt in zip(inc.places, inc.points) if pt is None]
        for name, value in zip(("k", "km", "c", "w", "i"),
                               (inc.killed, inc.killed_max, inc.children, inc.women, inc.injured)):
            cols[name].append(0 if value is None else value + 1)
        cols["cu"].append(1 if inc.cumulative else 0)
        texts: tuple[str | None, ...] = (inc.actor, inc.source, inc.event_type)
        if details:
            texts += (safe_url(inc.source_url), inc.quote)
            cols["id"].append(index(inc.id))
        for name, text in zip(text_refs, texts):
            cols[name].append(ref(text))
        if inc.killed and places:
            biggest = max(biggest, inc.killed / len(places))
        for _, (lon, lat) in places:
            x, y = round(lon * COORD_FACTOR), round(lat * COORD_FACTOR)
            cols["x"].append(x - px)
            cols["y"].append(y - py)
            px, py = x, y
    cols["cl"] = classes
    table, order = strings.sorted()  # sorted, so neighbouring names share prefixes (front coding)
    for name in ("pl", "id"):
        if name in cols:
            cols[name] = [order[v] for v in cols[name]]
    for name in text_refs:
        cols[name] = [order[v - 1] + 1 if v else 0 for v in cols[name]]
    payload = {"mode": "points", "n": len(incidents), "f": COORD_FACTOR,
               "scale": round(marker_scale(biggest), 4), "hollow": HOLLOW_RADIUS, "d0": first_day,
               "detail": details, "detail_limit": detail_limit,
               # small maps keep their strings plain (readable in the page); large ones front-code them
               **({"s": table} if details else {"sf": front_code(table)}),
               **{name: pack(values, signed=name in SIGNED_COLUMNS) for name, values in cols.items()}}
    return LayerData(payload, {}, "points", len(incidents), n_places, n_places, biggest)


# --- compact columns ------------------------------------------------------------------------
# Points-mode columns are base64 VLQ strings (as in source maps: 5 bits a character, the sixth
# says "more follows"), so a small integer costs one byte instead of a number and a comma.

SIGNED_COLUMNS = ("x", "y")  # coordinate deltas; every other column is non-negative
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {c: n for n, c in enumerate(_B64)}


def pack(values: list[int], signed: bool = False) -> str | int:
    """A column as a VLQ string; a column with one value throughout as that number (0 when empty)."""
    if not values or all(v == values[0] for v in values):
        return values[0] if values else 0
    return "".join(_vlq((2 * v if v >= 0 else -2 * v - 1) if signed else v) for v in values)


def _vlq(v: int) -> str:
    out = []
    while v >= 32:
        out.append(_B64[32 | (v & 31)])
        v >>= 5
    out.append(_B64[v])
    return "".join(out)


def unpack(column: str | int, n: int, signed: bool = False) -> list[int]:
    """The integers of a packed column of `n` rows (the reference for the runtime's decoder)."""
    if isinstance(column, int):
        return [column] * n
    values, v, shift = [], 0, 0
    for char in column:
        digit = _B64_VALUE[char]
        v += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        values.append((-(v + 1) // 2 if v % 2 else v // 2) if signed else v)
        v = shift = 0
    return values


def front_code(strings: list[str]) -> list[str]:
    """Each string as the VLQ length of the prefix it shares with the one before, then the rest."""
    out, prev = [], ""
    for text in strings:
        common = len(os.path.commonprefix([prev, text]))
        # the runtime counts UTF-16 units: a shared prefix stops before a character outside the BMP
        common = next((n for n, c in enumerate(text[:common]) if ord(c) > 0xFFFF), common)
        out.append(_vlq(common) + text[common:])
        prev = text
    return out


def front_decode(coded: list[str]) -> list[str]:
    """The strings of a front-coded table."""
    out, prev = [], ""
    for entry in coded:
        end = next(n for n, c in enumerate(entry) if not _B64_VALUE[c] & 32) + 1
        prev = prev[:unpack(entry[:end], 1)[0]] + entry[end:]
        out.append(prev)
    return out


def points_columns(payload: dict[str, Any]) -> dict[str, Any]:
    """A points payload with its columns as lists and its string table as plain strings."""
    n = payload["n"]
    out = dict(payload, s=payload["s"] if "s" in payload else front_decode(payload["sf"]))
    for name in ("dd", "sp", "np", "nu", "k", "km", "c", "w", "i", "cl", "cu", "a", "so", "et", "u", "q", "id"):
        if name in payload:
            out[name] = unpack(payload[name], n)
    places = sum(out["np"])
    out["pl"] = unpack(payload["pl"], places + sum(out["nu"]))
    for name in SIGNED_COLUMNS:
        out[name] = unpack(payload[name], places, signed=True)
    return out


# --- cells ----------------------------------------------------------------------------------

def cell_size(points: list[tuple[float, float]], max_cells: int = MAX_CELLS) -> float:
    """The smallest grid size (degrees) at which the points' extent spans at most `max_cells` cells."""
    if not points:
        return CELL_SIZES[0]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    width, height = max(lons) - min(lons), max(lats) - min(lats)
    for size in CELL_SIZES:
        if (math.floor(width / size) + 1) * (math.floor(height / size) + 1) <= max_cells:
            return size
    return CELL_SIZES[-1]


def _cells(incidents: list[Incident], located: list[list], classes: list[int], n_places: int,  # noqa: C901
           colour_by: str) -> LayerData:
    size = cell_size([pt for places in located for _, pt in places])
    cells: dict[tuple[int, int], list] = {}
    # per cell: [sum lon, sum lat, places, incidents, deaths, children, deaths where children known,
    #            cumulative records, last incident seen, Counter of colour classes]
    for n, (inc, places) in enumerate(zip(incidents, located)):
        if not places:
            continue
        share = inc.killed / len(places) if inc.killed else None
        children = inc.children / len(places) if share and inc.children is not None else None
        for _, (lon, lat) in places:
            cell = cells.get((lon // size, lat // size))
            if cell is None:
                cell = cells[(lon // size, lat // size)] = [0.0, 0.0, 0, 0, 0.0, 0.0, 0.0, 0, -1, Counter()]
            cell[0] += lon
            cell[1] += lat
            cell[2] += 1
            if cell[8] != n:
                cell[3] += 1
                cell[8] = n
                cell[9][classes[n]] += 1
            if inc.cumulative:
                cell[7] += 1
            elif share:
                cell[4] += share
                if children is not None:
                    cell[5] += children
                    cell[6] += share
    cols: dict[str, list] = {k: [] for k in ("x", "y", "ck", "cn", "cp", "cu", "cl")}
    px = py = 0
    for cell in sorted(cells.values(), key=lambda c: -c[4]):
        x = round(cell[0] / cell[2] * COORD_FACTOR)
        y = round(cell[1] / cell[2] * COORD_FACTOR)
        cols["x"].append(x - px)
        cols["y"].append(y - py)
        px, py = x, y
        cols["ck"].append(round(cell[4], 1))
        cols["cn"].append(cell[3])
        cols["cp"].append(cell[2])
        cols["cu"].append(cell[7])
        if colour_by == "children":
            cols["cl"].append(children_class(cell[5] if cell[6] else None, cell[6]))
        else:
            cols["cl"].append(cell[9].most_common(1)[0][0])
    biggest = max(cols["ck"], default=0)
    scale = marker_scale(biggest)
    payload = {"mode": "cells", "n": len(incidents), "f": COORD_FACTOR, "scale": round(scale, 4),
               "hollow": HOLLOW_RADIUS, "cell": size, "places": n_places, **cols}
    return LayerData(payload, {}, "cells", len(incidents), n_places, len(cells), biggest)


def cells_layer(cells: "pandas.DataFrame", size: float, incidents: int, unlocated: int = 0,
                aggregate_above: int = AGGREGATE_ABOVE) -> LayerData:
    """The cells mode from cells summed elsewhere (e.g. in SQL by `Store.grid_cells`), for a
    selection too large to read as incidents; colour by the share of children.

    `cells` has the columns lon, lat, incidents, places, killed, children, killed_known, cumulative.
    """
    cells = cells.sort_values("killed", ascending=False, kind="stable")
    xs = (cells["lon"] * COORD_FACTOR).round().astype("int64").tolist()
    ys = (cells["lat"] * COORD_FACTOR).round().astype("int64").tolist()
    classes = [children_class(c if k else None, k)
               for c, k in zip(cells["children"].tolist(), cells["killed_known"].tolist())]
    biggest = float(cells["killed"].max()) if len(cells) else 0.0
    payload = {"mode": "cells", "n": incidents, "f": COORD_FACTOR, "scale": round(marker_scale(biggest), 4),
               "hollow": HOLLOW_RADIUS, "cell": size, "places": int(cells["places"].sum()),
               "x": _deltas(xs), "y": _deltas(ys), "ck": [round(float(v), 1) for v in cells["killed"]],
               "cn": cells["incidents"].tolist(), "cp": cells["places"].tolist(),
               "cu": cells["cumulative"].tolist(), "cl": classes, "key": [list(k) for k in CHILDREN_KEY]}
    data = LayerData(payload, {}, "cells", incidents, payload["places"], len(cells), biggest)
    data.legend = _legend(data, CHILDREN_KEY, "children", unlocated, aggregate_above, DETAIL_LIMIT)
    return data


def _deltas(values: list[int]) -> list[int]:
    return [v - p for v, p in zip(values, [0, *values[:-1]])]


# --- legend ---------------------------------------------------------------------------------

def _legend(data: LayerData, key, colour_by: str, unlocated: int, aggregate_above: int,
            detail_limit: int) -> dict[str, Any]:
    """What the legend shows; labels are kept short, as the legend sits on a small map."""
    p = data.payload
    title = "Deaths per grid cell (sum)" if data.mode == "cells" else "Deaths per place (minimum)"
    sizes = [[d, round(radius(d, p["scale"]), 1)] for d in _size_steps(data.biggest)]
    notices = []
    if data.mode == "cells":
        km = round(p["cell"] * 111)
        notices.append(f"Aggregated: {data.incidents:,} incidents at {data.places:,} places are more than "
                       f"{aggregate_above:,}, so they are summed into {data.drawn:,} grid cells of "
                       f"{p['cell']:g}° (about {km} km). Narrow the filters to see single incidents.")
    elif not p["detail"]:
        notices.append(f"More than {detail_limit:,} incidents shown: popups leave out quotes and links; "
                       "the table and exports have them.")
    if unlocated:
        notices.append(f"{unlocated:,} place{'s' if unlocated != 1 else ''} not located, so not on the map.")
    if colour_by == "children":
        colours = [[short, colour] for short, (_, colour) in zip(CHILDREN_SHORT, key)]
    else:
        colours = [list(k) for k in key]
    return {
        "title": title, "sizes": sizes,
        "hollow": "no toll reported",
        "ring": "cumulative toll over days (not added)",
        "colour_title": ("Children among the killed" if colour_by == "children"
                         else CATEGORY_FIELDS[colour_by][1]),
        "colours": colours,
        "notices": notices,
        "note": "As reported, not verified · circle area ∝ deaths",
    }


def _size_steps(biggest: float) -> list[int]:
    """Up to three round death counts for the size legend, the largest not above `biggest`."""
    nice = [n * 10 ** e for e in range(7) for n in (1, 2, 5)]
    top = max((n for n in nice if n <= biggest), default=1)
    steps = {top}
    for fraction in (4, 20):
        smaller = max((n for n in nice if n <= top / fraction), default=None)
        if smaller:
            steps.add(smaller)
    return sorted(steps)


# --- helpers --------------------------------------------------------------------------------

def _share(inc: Incident) -> float | None:
    """The minimum toll divided among the incident's located places (None: no toll or no place)."""
    n = len(inc.located)
    if inc.killed is None or n == 0:
        return None
    return inc.killed / n


def _by_date(inc: Incident) -> tuple[str, str]:
    return inc.date, inc.id


def _colour_classes(incidents: list[Incident], colour_by: str, key=None) -> list[int]:
    if colour_by == "children":
        return [children_class(i.children, i.killed) for i in incidents]
    key = key or colour_key(incidents, colour_by)
    field = CATEGORY_FIELDS[colour_by][0]
    index = {label: n for n, (label, _) in enumerate(key) if n >= 2}
    return [0 if not getattr(i, field) else index.get(getattr(i, field), 1) for i in incidents]


def _day(date: str) -> int:
    return dt.date.fromisoformat(date).toordinal() - _EPOCH


class _Strings:
    """A shared table of the payload's strings; columns hold indexes (ref: index + 1, 0 for none)."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, text: str) -> int:
        n = self._index.get(text)
        if n is None:
            n = self._index[text] = len(self.values)
            self.values.append(text)
        return n

    def ref(self, text: str | None) -> int:
        return 0 if text is None else self.index(text) + 1

    def sorted(self) -> tuple[list[str], list[int]]:
        """The table sorted, and each old index's new index."""
        order = sorted(range(len(self.values)), key=self.values.__getitem__)
        new = [0] * len(order)
        for n, old in enumerate(order):
            new[old] = n
        return [self.values[i] for i in order], new
