"""Shared plumbing for dataset tables (ACLED, UCDP, any CSV or GeoPackage layer): read the rows
fast, turn each into an incident with its line number, and the lookups rows share (dates, provinces).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from geo import provinces
from geo.formats import FormatError, ReadResult, Reject
from geo.model import ValidationError

Progress = Callable[[int, int], None]  # (rows done, rows in total)
RowMapper = Callable[[dict[str, str]], Any]  # a row → Incident (raises ValidationError/ValueError)

PROGRESS_EVERY = 10_000


@dataclass
class Table:
    """A CSV's header and rows as strings ("" for empty cells).

    `lines` gives each row's line when it is not simply its position + 2; `broken` holds rows
    that could not be split into the header's columns.
    """

    columns: list[str]
    rows: list[tuple[str, ...]]
    lines: list[int] | None = None
    broken: list[Reject] = field(default_factory=list)


def read_csv_table(path: str | Path) -> Table:
    """Read a CSV fast with pandas; if a row has more cells than the header, read it again with
    the csv module so that row alone is rejected.

    dtype=object keeps Python str cells: pandas 3's default arrow strings are slower to hand back."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=object, keep_default_na=False, na_filter=False,
                            encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{path} is not UTF-8 text; save it as UTF-8 CSV and retry") from None
    except pd.errors.EmptyDataError:
        raise FormatError(f"{path} is empty: no header row") from None
    except pd.errors.ParserError:
        return _read_csv_slowly(path)
    columns = [str(c).strip() for c in frame.columns]
    rows = list(zip(*(frame[c].tolist() for c in frame.columns))) if len(frame) else []
    return Table(columns, rows)


def _read_csv_slowly(path: str | Path) -> Table:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            columns = [c.strip() for c in next(reader)]
        except StopIteration:
            raise FormatError(f"{path} is empty: no header row") from None
        except csv.Error as exc:
            raise FormatError(f"{path} is not a readable CSV: {exc}") from None
        table = Table(columns, [], [])
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                table.broken.append(Reject(start, f"line {start}: {exc}"))
                continue
            if not cells:
                continue
            if len(cells) > len(columns):
                table.broken.append(Reject(start, f"line {start}: {len(cells)} cells for "
                                                  f"{len(columns)} columns (a stray comma or quote?)",
                                           _named(columns, cells)))
                continue
            table.rows.append(tuple(cells) + ("",) * (len(columns) - len(cells)))
            table.lines.append(start)
    return table


def _named(columns: list[str], cells: list[str]) -> dict[str, str]:
    extra = [f"extra_{i + 1}" for i in range(len(cells) - len(columns))]
    return dict(zip([*columns, *extra], cells))


def read_csv_dataset(path: str | Path, signature: frozenset[str], what: str, mapper: RowMapper,
                     progress: Progress | None = None) -> ReadResult:
    """Read a dataset CSV whose header must hold `signature`, mapping each row with `mapper`."""
    table = read_csv_table(path)
    columns = [c.lower() for c in table.columns]
    missing = sorted(signature - set(columns))
    if missing:
        raise FormatError(f"{path} is not {what}: missing column(s) " + ", ".join(missing))
    result = map_rows(columns, table.rows, mapper, len(table.rows), progress, lines=table.lines)
    if table.broken:
        result.rejects = sorted(table.broken + result.rejects, key=lambda r: r.line)
    return result


def map_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], mapper: RowMapper,
             total: int | None = None, progress: Progress | None = None,
             first_line: int = 2, lines: list[int] | None = None) -> ReadResult:
    """Map each row to an incident; a row that fails becomes a Reject with its line and reason.

    `first_line` is the line of the first data row (2 in a CSV, whose header is line 1), unless
    `lines` gives each row's own.
    """
    result = ReadResult()
    total = total if total is not None else (len(rows) if hasattr(rows, "__len__") else 0)
    keys = list(columns)
    collecting = gc.isenabled()
    gc.disable()  # the rows make no cycles; collector passes over 100k new objects cost a quarter
    try:
        for index, values in enumerate(rows):
            row = dict(zip(keys, values))
            try:
                result.incidents.append(mapper(row))
            except (ValidationError, ValueError, TypeError) as exc:
                line = lines[index] if lines is not None else first_line + index
                result.rejects.append(Reject(line, f"line {line}: {exc}", row))
            if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
                progress(index + 1, total)
    finally:
        if collecting:
            gc.enable()
    if progress is not None and (total == 0 or total % PROGRESS_EVERY):
        progress(total, total)
    return result


def require(row: dict[str, str], name: str) -> str:
    """A cell that must not be empty; its absence names the column."""
    value = (row.get(name) or "").strip()
    if not value:
        raise ValidationError(name, "is empty")
    return value


@lru_cache(maxsize=4096)
def parse_day(text: str, column: str = "date") -> str:
    """"2017-08-17", "2017-08-17 00:00:00.000", "17 August 2017" or "17 Aug 2017" → "2017-08-17"."""
    value = text.strip()
    if len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    for pattern in ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(column, f"{text!r} is not a date like 2017-08-17 or 17 August 2017")


@lru_cache(maxsize=1024)
def province_for(country: str, admin1: str) -> str | None:
    """The canonical governorate for a Syrian admin1 spelling; other countries keep their own name.

    An unknown Syrian spelling gives None, so point-in-polygon can still place the incident.
    """
    admin1 = admin1.strip()
    if not admin1:
        return None
    if country == "SY":
        return provinces.normalise(admin1)
    return admin1

