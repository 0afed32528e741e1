"""The incident: one reported event, its figures as reported, where they came from, and its validation.

Every way in (extraction, CSV, GeoJSON, ACLED, UCDP, the dashboard's editor) builds incidents
through `Incident.from_dict`, so they all share the same checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from geo.provinces import PROVINCES

Point = tuple[float, float]  # (longitude, latitude), WGS84, as GeoJSON orders them

COUNT_FIELDS = ("killed", "killed_max", "children", "women", "injured")
TEXT_FIELDS = ("actor", "event_type", "source", "source_url", "quote", "notes")

# The interface's field order: GeoJSON properties, CSV columns and CLI output all follow it.
FIELDS = (
    "id", "date", "date_end", "places", "province", "country", "geo_precision",
    *COUNT_FIELDS, *TEXT_FIELDS, "cumulative", "report_hash",
)


class ValidationError(ValueError):
    """An incident that breaks a rule; `field` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Incident:
    """One reported event. Figures are as reported, never verified fact.

    `places` are canonical place names; `points` gives each one's (lon, lat), or None for a place
    the gazetteer could not locate (kept, shown as "not located", never dropped).
    """

    id: str
    date: str
    date_end: str | None = None
    places: list[str] = field(default_factory=list)
    points: list[Point | None] = field(default_factory=list)
    province: str | None = None
    country: str = "SY"
    geo_precision: int | None = 1
    killed: int | None = None
    killed_max: int | None = None
    children: int | None = None
    women: int | None = None
    injured: int | None = None
    actor: str | None = None
    event_type: str | None = None
    source: str | None = None
    source_url: str | None = None
    quote: str | None = None
    notes: str | None = None
    cumulative: bool = False  # a running toll over date..date_end, not a separate event
    report_hash: str | None = None  # sha256 of the report text the incident was coded from

    def __post_init__(self) -> None:
        self.validate()

    # --- validation -------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise ValidationError naming the first field that breaks a rule."""
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValidationError("id", "must be a non-empty string")
        start = _parse_date("date", self.date)
        if self.date_end is not None:
            end = _parse_date("date_end", self.date_end)
            if end < start:
                raise ValidationError("date_end", f"{self.date_end} is before date {self.date}")
        for name in COUNT_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(name, f"must be a whole number or empty, got {value!r}")
            if value < 0:
                raise ValidationError(name, f"cannot be negative, got {value}")
        upper = self.killed_max if self.killed_max is not None else self.killed
        if self.killed_max is not None and self.killed is not None and self.killed_max < self.killed:
            raise ValidationError("killed_max", f"{self.killed_max} is below killed {self.killed}")
        for name in ("children", "women"):
            value = getattr(self, name)
            if value is not None and upper is not None and value > upper:
                raise ValidationError(name, f"{value} is above the reported toll of {upper}")
        if self.province is not None and self.country == "SY" and self.province not in PROVINCES:
            raise ValidationError("province", f"unknown province {self.province!r}; accepted: "
                                  + ", ".join(PROVINCES))
        if not isinstance(self.country, str) or len(self.country) != 2 or not self.country.isalpha():
            raise ValidationError("country", f"must be an ISO 3166-1 alpha-2 code, got {self.country!r}")
        if self.geo_precision is not None and self.geo_precision not in (1, 2, 3):
            raise ValidationError("geo_precision", f"must be 1, 2 or 3, got {self.geo_precision!r}")
        if len(self.points) != len(self.places):
            raise ValidationError("points", f"{len(self.points)} points for {len(self.places)} places")
        for point in self.points:
            if point is None:
                continue
            lon, lat = point
            if not (_finite(lon) and -180 <= lon <= 180):
                raise ValidationError("longitude", f"{lon!r} is outside -180..180")
            if not (_finite(lat) and -90 <= lat <= 90):
                raise ValidationError("latitude", f"{lat!r} is outside -90..90")

    # --- derived ----------------------------------------------------------------------------

    @property
    def located(self) -> list[tuple[str, Point]]:
        """(place, point) for every place with coordinates."""
        return [(p, pt) for p, pt in zip(self.places, self.points) if pt is not None]

    @property
    def unlocated(self) -> list[str]:
        """Places the gazetteer could not put on the map."""
        return [p for p, pt in zip(self.places, self.points) if pt is None]

    @property
    def last_date(self) -> str:
        return self.date_end or self.date

    def geometry(self) -> dict[str, Any] | None:
        """GeoJSON geometry: Point for one located place, MultiPoint for several, None for none."""
        coords = [[round(lon, 6), round(lat, 6)] for _, (lon, lat) in self.located]
        if not coords:
            return None
        if len(coords) == 1:
            return {"type": "Point", "coordinates": coords[0]}
        return {"type": "MultiPoint", "coordinates": coords}

    # --- conversion -------------------------------------------------------------------------

    def properties(self) -> dict[str, Any]:
        """The interface's properties in FIELDS order (places as a list)."""
        return {name: getattr(self, name) for name in FIELDS}

    def to_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature (RFC 7946)."""
        props = self.properties()
        props["not_located"] = self.unlocated
        return {"type": "Feature", "id": self.id, "geometry": self.geometry(), "properties": props}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Incident":
        """Build from loose values (strings from CSV, floats from pandas), coercing and validating.

        Unknown keys are ignored; `points` may be given, or `longitude`/`latitude` for one place.
        """
        known = _field_names(cls)
        values: dict[str, Any] = {k: _blank_to_none(v) for k, v in data.items() if k in known}
        for name in COUNT_FIELDS:
            values[name] = _to_int(name, values.get(name))
        if values.get("geo_precision") is not None:
            values["geo_precision"] = _to_int("geo_precision", values["geo_precision"])
        for name in ("date", "date_end"):
            if isinstance(values.get(name), (dt.date, dt.datetime)):
                values[name] = values[name].strftime("%Y-%m-%d")
        places = values.get("places") or []
        if isinstance(places, str):
            places = _split_places(places)
        values["places"] = [str(p).strip() for p in places if str(p).strip()]
        points = values.get("points")
        if points is None:
            lon, lat = _blank_to_none(data.get("longitude")), _blank_to_none(data.get("latitude"))
            if lon is not None and lat is not None:
                points = [(_to_float("longitude", lon), _to_float("latitude", lat))]
                if not values["places"]:
                    values["places"] = [str(data.get("place") or "unnamed place")]
                points += [None] * (len(values["places"]) - 1)
            else:
                points = [None] * len(values["places"])
        values["points"] = [None if p is None else (_to_float("longitude", p[0]),
                                                    _to_float("latitude", p[1])) for p in points]
        values["cumulative"] = _to_bool(values.get("cumulative"))
        values["country"] = (values.get("country") or "SY").upper()
        for name in TEXT_FIELDS + ("province", "report_hash"):
            if values.get(name) is not None:
                values[name] = str(values[name]).strip() or None
        if values.get("id") is None:
            values["id"] = make_id(values)
        values["id"] = str(values["id"])
        if values.get("date") is None:
            raise ValidationError("date", "is required (YYYY-MM-DD)")
        return cls(**values)

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> "Incident":
        """Build from a GeoJSON Feature written by `to_feature` (or any with the same properties)."""
        props = dict(feature.get("properties") or {})
        props.setdefault("id", feature.get("id"))
        geometry = feature.get("geometry")
        places = props.get("places") or []
        if isinstance(places, str):
            places = _split_places(places)
        coords: list[Any] = []
        if geometry:
            if geometry.get("type") == "Point":
                coords = [geometry["coordinates"]]
            elif geometry.get("type") == "MultiPoint":
                coords = list(geometry["coordinates"])
            else:
                raise ValidationError("geometry", f"expected Point or MultiPoint, got {geometry.get('type')}")
        not_located = set(props.get("not_located") or [])
        points: list[Point | None] = []
        it = iter(coords)
        for place in places:
            if place in not_located:
                points.append(None)
            else:
                c = next(it, None)
                points.append(None if c is None else (c[0], c[1]))
        if not places and coords:
            places = [f"point {i + 1}" for i in range(len(coords))]
            points = [(c[0], c[1]) for c in coords]
        props["places"], props["points"] = places, points
        return cls.from_dict(props)


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> frozenset[str]:
    # computed once: dataclasses.fields() per row was a tenth of a bulk import's time
    return frozenset(f.name for f in dataclasses.fields(cls))


def make_id(values: dict[str, Any]) -> str:
    """A stable id from what identifies a report: date, places, source and the quoted words."""
    key = json.dumps([values.get("date"), values.get("places"), values.get("source"),
                      values.get("quote"), values.get("killed")], sort_keys=True, default=str)
    return "inc-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def report_hash(text: str) -> str:
    """sha256 of a report's text, whitespace-normalised, so the same report is recognised again."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def sort_key(incident: Incident) -> tuple[str, str]:
    return (incident.date, incident.id)


def total_killed(incidents: Iterable[Incident]) -> tuple[int, int]:
    """Reported deaths (minimum, maximum) over non-cumulative incidents."""
    low = high = 0
    for inc in incidents:
        if inc.cumulative or inc.killed is None:
            continue
        low += inc.killed
        high += inc.killed_max if inc.killed_max is not None else inc.killed
    return low, high


def _parse_date(name: str, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        raise ValidationError(name, f"{value!r} is not a real date (YYYY-MM-DD)") from None


def _bad_date(name: str, value: str) -> dt.date:
    raise ValidationError(name, f"{value!r} is not a date in the form YYYY-MM-DD")


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and value.strip() in ("", "null", "None", "NaN", "nan", "NA"):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' pd.NA and pd.NaT (nullable columns)
        return None
    return value


def _to_int(name: str, value: Any) -> int | None:
    value = _blank_to_none(value)
    if value is None or isinstance(value, bool):
        return value  # a bool is left for validate() to reject
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValidationError(name, f"{value!r} is not a number") from None
    if not number.is_integer():
        raise ValidationError(name, f"{value!r} is not a whole number")
    return int(number)


def _to_float(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(name, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValidationError(name, f"{value!r} is not a finite number")
    return number


def _to_bool(value: Any) -> bool:
    value = _blank_to_none(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def _split_places(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        return [str(p) for p in json.loads(text)]
    return [p.strip() for p in text.split(";") if p.strip()]


def safe_url(url: str | None) -> str | None:
    """The source link only when it is http(s); anything else (javascript:, data:) is not a link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None
