"""The incident: one reported event, its figures as reported, where they came from, and its validation.

Every way in (extraction, CSV, GeoJSON, ACLED, UCDP, the dashboard's editor) builds incidents
through `Incident.from_dict`, so they all share the same checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from geo.provinces import PROVINCES

Point = tuple[float, float]  # (longitude, latitude), WGS84, as GeoJSON orders them

COUNT_FIELDS = ("killed", "killed_max", "children", "women", "injured")
TEXT_FIELDS = ("actor", "event_type", "source", "source_url", "quote", "notes")

# The interface's field order: GeoJSON properties, CSV columns and CLI output all follow it.
FIELDS = (
    "id", "date", "date_end", "places", "province", "country", "geo_precision",
    *COUNT_FIELDS, *TEXT_FIELDS, "cumulative", "report_hash",
)


# Bounds every way in shares (both stores hold them; see geo/store/core.py incidents_table).
MAX_COUNT = 100_000  # deaths, children, women or injured in one incident: above any reported figure
MAX_CUMULATIVE = 10_000_000  # a running total (cumulative) may cover a whole war
FIRST_YEAR, LAST_YEAR = 1900, 2100  # dates outside are typing errors, and keep date arithmetic safe
MAX_SPAN_DAYS = 3_653  # date..date_end at most ten years: bounds the store's overlap search
MAX_ID = 200  # characters, the store's id column
MAX_PROVINCE = 64  # characters, the store's province column
MAX_PLACES = 1_000  # places in one incident (the store counts them in small integers)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN = 60  # characters of a bad value quoted in a reason
_CHECKED_TEXT = ("province", "report_hash", "actor", "event_type", "source", "source_url", "quote",
                 "notes")


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
        self._check_id()
        self._check_dates()
        self._check_counts()
        self._check_parts()
        self._check_texts()
        self._check_where()
        self._check_places()

    def _check_id(self) -> None:
        """The id: non-empty text the store's column holds."""
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValidationError("id", "must be a non-empty text")
        if len(self.id) > MAX_ID:
            raise ValidationError("id", f"is {len(self.id):,} characters long; at most {MAX_ID} are accepted")
        if not _storable(self.id):
            _check_text("id", self.id)

    def _check_dates(self) -> None:
        """Real YYYY-MM-DD dates, the end not before the start, a bounded span."""
        start = _parse_date("date", self.date)
        if self.date_end is not None:
            end = _parse_date("date_end", self.date_end)
            if end < start:
                raise ValidationError("date_end", f"{self.date_end} is before date {self.date}")
            if (end - start).days > MAX_SPAN_DAYS:
                raise ValidationError("date_end", f"{self.date}..{self.date_end} spans "
                                      f"{(end - start).days:,} days; a span of at most "
                                      f"{MAX_SPAN_DAYS:,} days (ten years) is accepted")

    def _check_counts(self) -> None:
        """Whole numbers from 0 to the bound (a running total may be larger)."""
        bound = MAX_CUMULATIVE if self.cumulative else MAX_COUNT
        values = self.__dict__
        for name in COUNT_FIELDS:
            value = values[name]
            if value is None or (value.__class__ is int and 0 <= value <= bound):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(name, f"must be a whole number or empty, got {_show(value)}")
            if value < 0:
                raise ValidationError(name, f"cannot be negative, got {value}")
            raise ValidationError(name, f"{_show_number(value)} is above {bound:,}, the largest "
                                  + ("running total" if self.cumulative else "figure for one incident")
                                  + f" accepted; give a whole number from 0 to {bound:,}, or leave it empty")

    def _check_parts(self) -> None:
        """The range in order; children and women within the toll."""
        upper = self.killed_max if self.killed_max is not None else self.killed
        if self.killed_max is not None and self.killed is not None and self.killed_max < self.killed:
            raise ValidationError("killed_max", f"{self.killed_max} is below killed {self.killed}")
        for name in ("children", "women"):
            value = getattr(self, name)
            if value is not None and upper is not None and value > upper:
                raise ValidationError(name, f"{value} is above the reported toll of {upper}")

    def _check_texts(self) -> None:
        """Text the store can hold (no NUL, no lone surrogate)."""
        values = self.__dict__
        for name in _CHECKED_TEXT:
            value = values[name]
            if value is not None and not _storable(value):
                _check_text(name, value)

    def _check_where(self) -> None:
        """Province, country, report hash and precision in their accepted forms."""
        if self.province is not None:
            if len(self.province) > MAX_PROVINCE:
                raise ValidationError("province", f"is {len(self.province):,} characters long; "
                                      f"at most {MAX_PROVINCE} are accepted")
            if self.country == "SY" and self.province not in PROVINCES:
                raise ValidationError("province", f"unknown province {_show(self.province)}; accepted: "
                                      + ", ".join(PROVINCES))
        if not isinstance(self.country, str) or len(self.country) != 2 or not self.country.isalpha() \
                or not self.country.isascii():
            raise ValidationError("country", "must be an ISO 3166-1 alpha-2 code such as SY, "
                                  f"got {_show(self.country)}")
        if self.report_hash is not None and len(self.report_hash) > 64:
            raise ValidationError("report_hash", "must be a sha256 digest (64 hexadecimal characters)")
        if self.geo_precision is not None and (isinstance(self.geo_precision, bool)
                                               or self.geo_precision not in (1, 2, 3)):
            raise ValidationError("geo_precision", f"must be 1, 2 or 3, got {_show(self.geo_precision)}")

    def _check_places(self) -> None:
        """Places and their points: one point (or none) per place, in range."""
        if not isinstance(self.places, list) or not isinstance(self.points, list):
            raise ValidationError("places", "must be a list of place names, with one point (or none) each")
        if len(self.places) > MAX_PLACES:
            raise ValidationError("places", f"{len(self.places):,} places in one incident; "
                                  f"at most {MAX_PLACES:,} are accepted")
        for place in self.places:
            if not _storable(place):
                _check_text("places", place)
        if len(self.points) != len(self.places):
            raise ValidationError("points", f"{len(self.points)} points for {len(self.places)} places")
        for point in self.points:
            if point is not None and not _plain_point(point):
                _check_point(point)


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
        Text is cleaned of NUL characters and lone surrogates (replaced by U+FFFD).
        """
        if not isinstance(data, dict):
            raise ValidationError("incident", "must be a set of named fields (an object), "
                                  f"got {_kind(data)}")
        known = _field_names(cls)
        values: dict[str, Any] = {k: _blank_to_none(v) for k, v in data.items() if k in known}
        for name in COUNT_FIELDS:
            values[name] = _to_int(name, values.get(name))
        if values.get("geo_precision") is not None:
            values["geo_precision"] = _to_int("geo_precision", values["geo_precision"])
        for name in ("date", "date_end"):
            if isinstance(values.get(name), (dt.date, dt.datetime)):
                values[name] = values[name].isoformat()[:10]
        values["places"] = _coerce_places(values.get("places"))
        values["points"] = _coerce_points(values, data)
        values["cumulative"] = _to_bool(values.get("cumulative"))
        country = values.get("country")
        values["country"] = "SY" if country is None else _to_text("country", country).upper()
        for name in TEXT_FIELDS + ("province", "report_hash"):
            if values.get(name) is not None:
                values[name] = _to_text(name, values[name]).strip() or None
        if values.get("id") is None:
            values["id"] = make_id(values)
        values["id"] = _to_text("id", values["id"])
        if values.get("date") is None:
            raise ValidationError("date", "is required (YYYY-MM-DD)")
        return cls(**values)

    @classmethod
    def from_feature(cls, feature: dict[str, Any]) -> "Incident":
        """Build from a GeoJSON Feature written by `to_feature` (or any with the same properties)."""
        if not isinstance(feature, dict):
            raise ValidationError("feature", f"must be a GeoJSON Feature object, got {_kind(feature)}")
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise ValidationError("properties", f"must be an object of named fields, got {_kind(props)}")
        props = dict(props or {})
        props.setdefault("id", feature.get("id"))
        coords = _coordinates(feature.get("geometry"))
        places = props.get("places") or []
        if isinstance(places, str):
            places = _split_places(places)
        elif not isinstance(places, (list, tuple)):
            raise ValidationError("places", f"must be a list of place names, got {_kind(places)}")
        not_located = props.get("not_located") or []
        if isinstance(not_located, str):
            not_located = _split_places(not_located)
        elif not isinstance(not_located, (list, tuple)):
            raise ValidationError("not_located", f"must be a list of place names, got {_kind(not_located)}")
        unlocated = {_place_name(p) for p in not_located}
        points: list[Point | None] = []
        it = iter(coords)
        for place in places:
            if _place_name(place) in unlocated:
                points.append(None)
            else:
                points.append(next(it, None))
        if not places and coords:
            places = [f"point {i + 1}" for i in range(len(coords))]
            points = list(coords)
        props["places"], props["points"] = places, points
        return cls.from_dict(props)


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    # computed once: dataclasses.fields() per row was a tenth of a bulk import's time
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls))
    return names


def make_id(values: dict[str, Any]) -> str:
    """A stable id from what identifies a report: date, places, source and the quoted words."""
    key = json.dumps([values.get("date"), values.get("places"), values.get("source"),
                      values.get("quote"), values.get("killed")], sort_keys=True, default=str)
    return "inc-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def report_hash(text: str) -> str:
    """sha256 of a report's text, whitespace-normalised, so the same report is recognised again."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


_DAYS: dict[str, dt.date] = {}  # dates seen, parsed: a dataset repeats its days many times


def _parse_date(name: str, value: Any) -> dt.date:
    day = _DAYS.get(value) if value.__class__ is str else None
    if day is not None:
        return day
    day = _check_date(name, value)
    if len(_DAYS) > 50_000:
        _DAYS.clear()
    _DAYS[value] = day
    return day


def _check_date(name: str, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a date YYYY-MM-DD, got {_show(value)}")
    if not _DATE.fullmatch(value):
        raise ValidationError(name, f"{_show(value)} is not a date in the form YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(name, f"{_show(value)} is not a real date (YYYY-MM-DD)") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(name, f"{value} is outside the years accepted, "
                              f"{FIRST_YEAR} to {LAST_YEAR} (YYYY-MM-DD)")
    return day


def clean_text(text: str) -> str:
    """`text` without NUL characters, a lone surrogate (from a broken escape) replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _storable(value: Any) -> bool:
    """Text a database can hold as it is: a str with no NUL and no lone surrogate (quick test)."""
    if value.__class__ is not str or "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(name: str, value: Any) -> None:
    """A text field must be a str a database can hold (no NUL, no lone surrogate)."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be text, got {_kind(value)}")
    if "\x00" in value or clean_text(value) is not value:
        raise ValidationError(name, "holds a NUL character or a broken character (a lone surrogate); "
                              "remove it and retry")


def _to_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(name, f"must be text, got {_kind(value)}")
    return str(value)


def _place_name(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple, set)):
        raise ValidationError("places", f"each place must be a name (text), got {_kind(value)}")
    return clean_text(str(value)).strip()


def _to_point(value: Any) -> Point | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__") or len(value) < 2:
        raise ValidationError("points", f"each point must be [longitude, latitude], got {_show(value)}")
    return (_to_float("longitude", value[0]), _to_float("latitude", value[1]))


def _coordinates(geometry: Any) -> list[Point]:
    """The positions of a Point or MultiPoint geometry (none for null), checked."""
    if geometry is None:
        return []
    if not isinstance(geometry, dict):
        raise ValidationError("geometry", "must be a GeoJSON Point or MultiPoint object, or null; "
                              f"got {_kind(geometry)}")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        if coords is None or coords == []:
            return []
        return [_position(coords)]
    if kind == "MultiPoint":
        if not isinstance(coords, (list, tuple)):
            raise ValidationError("geometry", "a MultiPoint needs coordinates: a list of "
                                  "[longitude, latitude] positions")
        return [_position(c) for c in coords]
    raise ValidationError("geometry", f"must be a Point or MultiPoint, got {_show(kind)}")


def _position(value: Any) -> Point:
    if not isinstance(value, (list, tuple)) or len(value) < 2 or isinstance(value[0], (list, dict)) \
            or isinstance(value[1], (list, dict)):
        raise ValidationError("geometry", "each position must be [longitude, latitude] (numbers), "
                              f"got {_show(value)}")
    return (_to_float("longitude", value[0]), _to_float("latitude", value[1]))


def _kind(value: Any) -> str:
    """A value's kind in words, for reasons ('a list', 'the number 5')."""
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {_show_number(value)}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__} value"


def _show(value: Any) -> str:
    """A value as a reason quotes it: repr, cut to a readable length."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _show_number(value)
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        text = f"a {type(value).__name__} value"
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _show_number(value: Any) -> str:
    if isinstance(value, int) and abs(value) >= 10 ** 15:
        return f"a {len(str(abs(value)))}-digit number"
    return f"{value:,}" if isinstance(value, int) else repr(value)


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
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 40:
            raise ValidationError(name, f"{_show(text)} is not a whole number from 0 to {MAX_COUNT:,}")
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(name, f"{_show(value)} is not a number; give a whole number or "
                                  "leave it empty") from None
    else:
        raise ValidationError(name, f"must be a whole number or empty, got {_kind(value)}")
    if not math.isfinite(number):
        raise ValidationError(name, f"{_show(value)} is not a finite number; give a whole number")
    if not number.is_integer():
        raise ValidationError(name, f"{_show(value)} is not a whole number")
    return int(number)


def _to_float(name: str, value: Any) -> float:
    if isinstance(value, (list, dict, tuple, bool)):
        raise ValidationError(name, f"must be a number in degrees, got {_kind(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(name, f"{_show(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValidationError(name, f"{_show(value)} is not a finite number")
    return number


def _to_bool(value: Any) -> bool:
    value = _blank_to_none(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def _split_places(text: str) -> list[Any]:
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            raise ValidationError("places", "starts with '[' but is not a JSON list of names; "
                                  "write the names separated by ';'") from None
        if not isinstance(parsed, list):
            raise ValidationError("places", "must be a list of place names")
        return parsed
    return [p.strip() for p in text.split(";") if p.strip()]


# An event's grade, from its sources (geo.events grades; geo.filters filters by them).
GRADES = ("single source", "corroborated", "conceded", "contested")


def safe_url(url: str | None) -> str | None:
    """The source link only when it is http(s); anything else (javascript:, data:) is not a link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _plain_point(point: Any) -> bool:
    """The common case, quickly: a tuple of two floats in range."""
    if point.__class__ is not tuple or len(point) != 2:
        return False
    lon, lat = point
    return lon.__class__ is float and lat.__class__ is float and -180 <= lon <= 180 and -90 <= lat <= 90


def _check_point(point: Any) -> None:
    """ValidationError for a point that is not (longitude, latitude) in range."""
    if not isinstance(point, tuple) or len(point) != 2:
        raise ValidationError("points", f"each point must be (longitude, latitude), got {_show(point)}")
    lon, lat = point
    if not (_finite(lon) and -180 <= lon <= 180):
        raise ValidationError("longitude", f"{_show(lon)} is outside -180..180")
    if not (_finite(lat) and -90 <= lat <= 90):
        raise ValidationError("latitude", f"{_show(lat)} is outside -90..90")


def _coerce_places(places: Any) -> list[str]:
    """Place names from a list, or from text separated by ';'."""
    places = places or []
    if isinstance(places, str):
        places = _split_places(places)
    elif not isinstance(places, (list, tuple)):
        raise ValidationError("places", f"must be a list of place names or text separated by ';', "
                              f"got {_kind(places)}")
    return [name for name in (_place_name(p) for p in places) if name]


def _coerce_points(values: dict[str, Any], data: dict[str, Any]) -> list[Point | None]:
    """The points given, or one from `longitude`/`latitude` (naming a place when none is named)."""
    points = values.get("points")
    if points is None:
        lon, lat = _blank_to_none(data.get("longitude")), _blank_to_none(data.get("latitude"))
        if (lon is None) != (lat is None):
            given, missing = ("longitude", "latitude") if lat is None else ("latitude", "longitude")
            raise ValidationError(missing, f"is empty while {given} is given; give both "
                                  "coordinates (decimal degrees) or neither")
        if lon is None or lat is None:
            return [None] * len(values["places"])
        if not values["places"]:
            values["places"] = [_place_name(data.get("place")) or "unnamed place"]
        return [(_to_float("longitude", lon), _to_float("latitude", lat))] + [None] * (len(values["places"]) - 1)
    if not isinstance(points, (list, tuple)):
        raise ValidationError("points", f"must be a list of [longitude, latitude] pairs, got {_kind(points)}")
    return [_to_point(p) for p in points]
