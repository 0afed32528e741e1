"""Filters: what to show, as one table of specs (`SPECS`) shared by the page, the URL, the CLI and SQL.

Each spec, as in datasette's filters, says for its part of a selection how it is parsed and
checked, its URL parameters and CLI flags, its SQL (SQLite and PostGIS) and its words
("12 incidents in Raqqa, 1 Aug 2017 – 31 Aug 2017, at least 5 reported killed"). Adding a filter
means adding a field to `Filters` and one spec here; the dashboard, the CLI, shared links and
both stores pick it up from the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping

import sqlalchemy as sa

from geo.model import GRADES
from geo.provinces import PROVINCES, normalise

Box = tuple[float, float, float, float]


class FilterError(ValueError):
    """A filter value the user must correct; the message names the accepted values or format."""


@dataclass(frozen=True)
class Filters:
    """What to show. Empty fields select everything.

    A date filter keeps every incident whose own span (date .. date_end) overlaps start .. end.
    `bbox` is (west, south, east, north) in degrees.

    Examples
    --------
    >>> Filters.parse(provinces=["raqqah"], min_killed="5").describe(12)
    '12 incidents in Raqqa, at least 5 reported killed'
    """

    start: dt.date | None = None
    end: dt.date | None = None
    provinces: tuple[str, ...] = ()
    min_killed: int | None = None
    actor: str | None = None
    source: str | None = None
    text: str | None = None
    bbox: Box | None = None
    grade: tuple[str, ...] = ()  # events' grades (geo.model.GRADES); records by their event's

    @classmethod
    def parse(cls, **raw: Any) -> "Filters":
        """Check and normalise raw values (keyword per field); raise FilterError with a message a
        user can act on.

        Raises
        ------
        FilterError
            A value that is not accepted; the message names what is.
        """
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for spec in SPECS:
            values.update(spec.parse(raw))
        return cls(**values)

    # --- URL parameters (a shareable view) ---------------------------------------------------

    def to_params(self) -> dict[str, str | list[str]]:
        """URL query parameters for this selection; empty fields are left out."""
        params: dict[str, str | list[str]] = {}
        for spec in SPECS:
            params.update(spec.to_params(self))
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "Filters":
        """Inverse of to_params; `params` may map to strings or lists (st.query_params)."""
        raw: dict[str, Any] = {}
        for spec in SPECS:
            raw.update(spec.from_params(params))
        return cls.parse(**raw)

    # --- words and SQL ------------------------------------------------------------------------

    def describe(self, count: int | None = None) -> str:
        """The selection as a sentence, e.g. '3 incidents in Raqqa, 14 Aug 2017 – 17 Aug 2017, at
        least 5 reported killed'."""
        head = f"{count:,} incident{'s' if count != 1 else ''}" if count is not None else "Incidents"
        where = ", ".join(self.provinces) if self.provinces else "all provinces"
        parts = [f"{head} in {where}"]
        parts += [words for spec in SPECS if (words := spec.words(self))]
        return ", ".join(parts)

    def where(self, columns: Any, dialect: str = "sqlite",
              max_span_days: int | None = None) -> list[sa.ColumnElement[bool]]:
        """The SQL conditions of this selection over the incidents table's `columns`.

        `max_span_days`, the longest span stored, bounds how far back a multi-day incident can
        start and still overlap the period, so the date test reads one short index range.
        """
        sql = SQL(columns, dialect, max_span_days)
        return [clause for spec in SPECS for clause in spec.sql(self, sql)]


@dataclass(frozen=True)
class SQL:
    """What a spec's SQL needs: the table's columns, the dialect, the longest stored span."""

    c: Any
    dialect: str
    max_span_days: int | None

    @property
    def table(self) -> str:
        """The table the columns belong to (incidents or events)."""
        return getattr(getattr(self.c.get("date"), "table", None), "name", None) or "incidents"


@dataclass(frozen=True)
class FilterSpec:
    """One filter: the `Filters` fields it fills and, for them, parsing, URL, CLI, SQL and words."""

    fields: tuple[str, ...]
    params: tuple[str, ...]  # URL parameter per field
    flags: tuple[str, ...]  # CLI flag per field
    helps: tuple[str, ...]  # CLI help per flag
    check: Callable[[Mapping[str, Any]], dict[str, Any]]  # raw values -> field values (FilterError)
    render: Callable[["Filters"], dict[str, str | list[str]]]  # field values -> URL parameters
    clauses: Callable[["Filters", SQL], list[sa.ColumnElement[bool]]]
    text: Callable[["Filters"], str | None]  # its part of the sentence, None when unset
    repeat: bool = False  # the parameter and flag may be given several times
    metavars: tuple[str, ...] = ()
    cli_type: Callable[[str], Any] | None = None  # argparse's check of the flag's value

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return self.check(raw)

    def to_params(self, f: "Filters") -> dict[str, str | list[str]]:
        return self.render(f)

    def from_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for name, param in zip(self.fields, self.params):
            value = params.get(param)
            if self.repeat:
                raw[name] = [value] if isinstance(value, str) else list(value or [])
            elif isinstance(value, (list, tuple)):
                raw[name] = value[-1] if value else None
            else:
                raw[name] = value
        return raw

    def sql(self, f: "Filters", sql: SQL) -> list[sa.ColumnElement[bool]]:
        return self.clauses(f, sql)

    def words(self, f: "Filters") -> str | None:
        return self.text(f)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        for n, (name, flag, help_) in enumerate(zip(self.fields, self.flags, self.helps)):
            metavar = self.metavars[n] if n < len(self.metavars) else "S"
            if self.repeat:
                parser.add_argument(flag, dest=name, action="append", default=[], metavar=metavar,
                                    help=help_)
            else:
                parser.add_argument(flag, dest=name, metavar=metavar, help=help_, type=self.cli_type or str)


# --- the specs ---------------------------------------------------------------------------------

def _period(raw: Mapping[str, Any]) -> dict[str, Any]:
    start, end = parse_date("start", raw.get("start")), parse_date("end", raw.get("end"))
    if start and end and end < start:
        raise FilterError(f"end date {end} is before start date {start}")
    return {"start": start, "end": end}


def _period_params(f: Filters) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    if f.start:
        params["start"] = f.start.isoformat()
    if f.end:
        params["end"] = f.end.isoformat()
    return params


def _period_sql(f: Filters, sql: SQL) -> list[sa.ColumnElement[bool]]:
    c, clauses = sql.c, []
    # Overlap: date <= end and last_date >= start. No incident starts more than the longest span
    # before it ends, so date >= start - max_span holds too and makes the period one index range.
    if f.start:
        if sql.max_span_days is not None:
            clauses.append(c.date >= f.start - dt.timedelta(days=sql.max_span_days))
        clauses.append(c.last_date >= f.start)
    if f.end:
        clauses.append(c.date <= f.end)
    return clauses


def _period_words(f: Filters) -> str | None:
    if not (f.start or f.end):
        return None
    return f"{_day(f.start) if f.start else 'any date'} – {_day(f.end) if f.end else 'any date'}"


def _provinces(raw: Mapping[str, Any]) -> dict[str, Any]:
    canonical: list[str] = []
    names = raw.get("provinces") or ()
    for name in [names] if isinstance(names, str) else names:
        province = normalise(name)
        if province is None:
            raise FilterError(f"unknown province {name!r}; accepted: {', '.join(PROVINCES)}")
        if province not in canonical:
            canonical.append(province)
    return {"provinces": tuple(canonical)}


def _min_killed(raw: Mapping[str, Any]) -> dict[str, Any]:
    value = raw.get("min_killed")
    if value in (None, ""):
        return {"min_killed": None}
    try:
        minimum = int(value)
    except (TypeError, ValueError):
        raise FilterError(f"minimum deaths must be a whole number, got {value!r}") from None
    if minimum < 0:
        raise FilterError(f"minimum deaths cannot be negative, got {minimum}")
    return {"min_killed": minimum}


def _contains_spec(name: str, column: str, label: str, example: str) -> FilterSpec:
    """A case-insensitive 'contains' filter on one text column."""
    def clauses(f: Filters, sql: SQL) -> list[sa.ColumnElement[bool]]:
        term = getattr(f, name)
        if not term:
            return []
        target = sql.c[column] if column == "search" else sa.func.lower(sql.c[column])
        return [target.like(_contains(term), escape="\\")]

    return FilterSpec(
        fields=(name,), params=(name,), flags=(f"--{name}",), helps=(f"{label} S (e.g. {example})",),
        check=lambda raw: {name: _clean(raw.get(name))},
        render=lambda f: {name: getattr(f, name)} if getattr(f, name) else {},
        clauses=clauses,
        text=lambda f: (f"{label} “{getattr(f, name)}”" if getattr(f, name) else None))


class SearchText(str):
    """The free text, carrying the other spellings of the place it names ("Mayadeen" → "Al
    Mayadin", "الرقة" → "Ar Raqqah"), found by the caller's gazetteer (geo.places.search), so this
    module needs none. Equal to its text: URLs and CLI flags carry the text, resolved again."""

    names: tuple[str, ...] = ()

    def __new__(cls, text: str, names: tuple[str, ...] = ()) -> "SearchText":
        value = super().__new__(cls, text)
        value.names = tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))
        return value


def _text(raw: Mapping[str, Any]) -> dict[str, Any]:
    value = raw.get("text")
    if isinstance(value, SearchText):
        cleaned = _clean(str(value))
        return {"text": SearchText(cleaned, value.names) if cleaned else None}
    return {"text": _clean(value)}


def _text_sql(f: Filters, sql: SQL) -> list[sa.ColumnElement[bool]]:
    if not f.text:
        return []
    terms = dict.fromkeys([str(f.text), *getattr(f.text, "names", ())])
    likes = [sql.c.search.like(_contains(term), escape="\\") for term in terms]
    return [likes[0] if len(likes) == 1 else sa.or_(*likes)]




def _grades(raw: Mapping[str, Any]) -> dict[str, Any]:
    names = raw.get("grade") or ()
    chosen: list[str] = []
    for name in [names] if isinstance(names, str) else names:
        grade = str(name).strip().lower().replace("-", " ").replace("_", " ")
        if grade == "single":
            grade = "single source"
        if grade not in GRADES:
            raise FilterError(f"unknown grade {name!r}; accepted: {', '.join(GRADES)}")
        if grade not in chosen:
            chosen.append(grade)
    return {"grade": tuple(chosen)}


def _grade_sql(f: Filters, sql: SQL) -> list[sa.ColumnElement[bool]]:
    if not f.grade:
        return []
    if "grade" in sql.c:
        return [sql.c.grade.in_(f.grade)]
    events = sa.table("events", sa.column("id"), sa.column("grade"))  # records: their event's grade
    return [sql.c.event_id.in_(sa.select(events.c.id).where(events.c.grade.in_(f.grade)))]


def _bbox(raw: Mapping[str, Any]) -> dict[str, Any]:
    value = raw.get("bbox")
    if value in (None, ""):
        return {"bbox": None}
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        west, south, east, north = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise FilterError("bbox must be four numbers: west,south,east,north") from None
    return {"bbox": (west, south, east, north)}


def _bbox_sql(f: Filters, sql: SQL) -> list[sa.ColumnElement[bool]]:
    """On PostGIS whether any located place lies in the box (the GiST-indexed geometry); on
    SQLite whether the incident's mean point does."""
    if not f.bbox:
        return []
    west, south, east, north = f.bbox
    c = sql.c
    if sql.dialect == "postgresql":
        geom: sa.ColumnElement = sa.literal_column(f"{sql.table}.geom")
        if west <= east:
            return [sa.func.ST_Intersects(geom, _envelope(west, south, east, north))]
        # The view crosses the antimeridian: two boxes.
        return [sa.or_(sa.func.ST_Intersects(geom, _envelope(west, south, 180.0, north)),
                       sa.func.ST_Intersects(geom, _envelope(-180.0, south, east, north)))]
    clauses = [c.latitude.between(south, north)]
    if west <= east:
        clauses.append(c.longitude.between(west, east))
    else:
        clauses.append(sa.or_(c.longitude >= west, c.longitude <= east))
    return clauses


def _envelope(west: float, south: float, east: float, north: float) -> sa.ColumnElement:
    return sa.func.ST_MakeEnvelope(float(west), float(south), float(east), float(north), 4326)


SPECS: tuple[FilterSpec, ...] = (
    FilterSpec(
        fields=("start", "end"), params=("start", "end"), flags=("--start", "--end"),
        helps=("first day (incidents overlapping it are kept)", "last day"),
        metavars=("YYYY-MM-DD", "YYYY-MM-DD"),
        check=_period, render=_period_params, clauses=_period_sql, text=_period_words),
    FilterSpec(
        fields=("provinces",), params=("province",), flags=("--province",),
        helps=("governorate (repeatable); one of: " + ", ".join(PROVINCES),), metavars=("NAME",),
        repeat=True, check=_provinces,
        render=lambda f: {"province": list(f.provinces)} if f.provinces else {},
        clauses=lambda f, sql: [sql.c.province.in_(f.provinces)] if f.provinces else [],
        text=lambda f: None),  # the provinces open the sentence: see Filters.describe
    FilterSpec(
        fields=("min_killed",), params=("min_killed",), flags=("--min-killed",),
        helps=("at least N reported killed",), metavars=("N",), cli_type=int,
        check=_min_killed,
        render=lambda f: {"min_killed": str(f.min_killed)} if f.min_killed is not None else {},
        clauses=lambda f, sql: [sql.c.killed >= f.min_killed] if f.min_killed else [],
        text=lambda f: f"at least {f.min_killed:,} reported killed" if f.min_killed else None),
    _contains_spec("actor", "actor", "actor contains", "coalition"),
    _contains_spec("source", "source", "source contains", "SANA"),
    FilterSpec(
        fields=("text",), params=("text",), flags=("--text",),
        helps=("mentioning S (e.g. market); place names also match their other spellings",),
        check=_text, render=lambda f: {"text": str(f.text)} if f.text else {}, clauses=_text_sql,
        text=lambda f: f"mentioning “{f.text}”" if f.text else None),
    FilterSpec(
        fields=("grade",), params=("grade",), flags=("--grade",),
        helps=("events graded (repeatable): " + ", ".join(GRADES),), metavars=("GRADE",),
        repeat=True, check=_grades, render=lambda f: {"grade": list(f.grade)} if f.grade else {},
        clauses=_grade_sql, text=lambda f: ("graded " + " or ".join(f.grade)) if f.grade else None),
    FilterSpec(
        fields=("bbox",), params=("bbox",), flags=("--bbox",),
        helps=("only this box: west,south,east,north in degrees",), metavars=("W,S,E,N",),
        check=_bbox,
        render=lambda f: {"bbox": ",".join(f"{v:g}" for v in f.bbox)} if f.bbox else {},
        clauses=_bbox_sql, text=lambda f: "in the map view" if f.bbox else None),
)
assert {name for spec in SPECS for name in spec.fields} == {f.name for f in fields(Filters)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Every filter as CLI flags (the dashboard's sidebar, for scripts)."""
    for spec in SPECS:
        spec.add_arguments(parser)


def from_arguments(args: argparse.Namespace) -> Filters:
    """The Filters of parsed CLI flags (see add_arguments)."""
    return Filters.parse(**{name: getattr(args, name, None) for spec in SPECS for name in spec.fields})


def where_clauses(filters: Filters, dialect: str = "sqlite", max_span_days: int | None = None,
                  columns: Any = None) -> list[sa.ColumnElement[bool]]:
    """`filters.where` over the incidents table (for callers holding no table of their own)."""
    if columns is None:
        columns = sa.table("incidents", *(sa.column(n) for n in (
            "date", "last_date", "province", "killed", "actor", "source", "search", "longitude",
            "latitude"))).c
    return filters.where(columns, dialect, max_span_days)


def parse_date(name: str, value: str | dt.date | None) -> dt.date | None:
    """A YYYY-MM-DD date, or FilterError naming the format."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{name} date {value!r} is not a real date; use YYYY-MM-DD, e.g. 2017-08-17") from None


def _contains(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
