"""Storing news reports: extract the incidents, handle duplicates, keep the report text once.

`import_report` is what the dashboard's "Add a report" page and `python -m geo import REPORT.txt`
do. A report whose text hash is already stored is not stored again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal

from geo.extraction import Extraction, ExtractionError, extract
from geo.extraction.text import decode
from geo.ingest.duplicates import find_duplicates, merge
from geo.model import Incident, report_hash

if TYPE_CHECKING:
    from geo.extraction.reader import NotCoded
    from geo.store import Store

OnDuplicate = Literal["merge", "keep", "skip"]
ON_DUPLICATE = ("merge", "keep", "skip")


@dataclass
class ImportSummary:
    """What importing one report did."""

    report_hash: str
    stored: list[str] = field(default_factory=list)  # new incident ids
    merged: list[str] = field(default_factory=list)  # stored ids a new report was merged into
    skipped: list[str] = field(default_factory=list)  # new incidents not stored (duplicates, --on-duplicate skip)
    warnings: list[str] = field(default_factory=list)
    already_stored: bool = False
    not_coded: list[NotCoded] = field(default_factory=list)  # tolls read, not coded
    needs_date: bool = False  # relative days could not be dated: give the report's date

    def describe(self) -> str:
        """One line for people: 'stored 2 incidents, merged 1 into inc-…'."""
        if self.already_stored:
            return f"already stored (report {self.report_hash[:12]}): nothing stored"
        if not self.stored and not self.merged and not self.skipped:
            if self.needs_date:
                return ("no incident stored: the report has no dateline and names no date, so its days "
                        "are unknown; give its date (--date YYYY-MM-DD, or a first line 'date YYYY-MM-DD')")
            if self.not_coded:
                n = len(self.not_coded)
                return (f"no incident stored: {n} toll{'s' if n != 1 else ''} read but not coded (listed "
                        "below); check them, or add them by hand on the 'Add a report' page")
            return "no incident found in this report: nothing stored (the report is kept as read)"
        parts = [f"stored {len(self.stored)} incident{'s' if len(self.stored) != 1 else ''}"]
        if self.stored:
            parts[0] += f" ({', '.join(self.stored)})"
        if self.merged:
            parts.append(f"merged into {', '.join(self.merged)}")
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)} duplicate{'s' if len(self.skipped) != 1 else ''}")
        return "; ".join(parts)


def import_report(store: Store, text: str, report_date: dt.date | str | None = None,
                  on_duplicate: OnDuplicate = "merge", gazetteer: Any = None,
                  extraction: Extraction | None = None) -> ImportSummary:
    """Extract a report's incidents and store them with the report text.

    on_duplicate: "merge" a new incident into the stored one it matches, "keep" both apart, or
    "skip" the new one. Raises ExtractionError for unreadable text, ValueError for a bad option.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {', '.join(ON_DUPLICATE)}, got {on_duplicate!r}")
    digest = report_hash(text)
    summary = ImportSummary(digest)
    if store.has_report(digest):
        summary.already_stored = True
        return summary
    result = extraction or extract(text, _as_date(report_date), gazetteer)
    summary.warnings += result.warnings
    summary.not_coded = list(result.skipped)
    summary.needs_date = result.needs_date
    if result.needs_date:
        return summary  # its days are unknown: nothing stored until the report's date is given
    fresh, merged = decide(store, result.to_incidents(), on_duplicate, summary)
    # A report that read tolls but coded none (no date, no place, background …) is not kept:
    # run again with a date or other options, it is read afresh. One with no toll at all is kept.
    keep_empty = not result.skipped and not result.needs_date
    return _save(store, text, fresh, merged, summary, keep_empty)


def decide(store: Store, incidents: Iterable[Incident], on_duplicate: OnDuplicate,
           summary: ImportSummary) -> tuple[list[Incident], list[Incident]]:
    """(incidents to add, merged incidents to replace) under the duplicate policy."""
    fresh: list[Incident] = []
    merged: dict[str, Incident] = {}
    for incident in incidents:
        matches = find_duplicates(store, incident) if on_duplicate != "keep" else []
        if not matches:
            fresh.append(incident)
        elif on_duplicate == "skip":
            summary.skipped.append(incident.id)
        else:
            _merge_into(merged, matches[0], incident, summary)
    return fresh, list(merged.values())


def _merge_into(merged: dict[str, Incident], stored: Incident, incident: Incident,
                summary: ImportSummary) -> None:
    """Merge `incident` into a stored one (or into what this report already merged into it)."""
    target = merged.get(stored.id, stored)
    merged[target.id] = merge(target, incident)
    if target.id not in summary.merged:
        summary.merged.append(target.id)


def _save(store: Store, text: str, fresh: list[Incident], merged: list[Incident],
          summary: ImportSummary, keep_empty: bool = True) -> ImportSummary:
    """Replace the merged incidents and add the new ones with the report text, in ONE
    transaction (one Store.add), and say so. With nothing to store the report text is kept
    only when `keep_empty` (a report that tells no toll), so a report whose tolls could not be
    coded can be run again with better options."""
    if not fresh and not merged and not keep_empty:
        return summary
    fresh_ids = {inc.id for inc in fresh}
    known = {i for i in fresh_ids if store.get(i) is not None}  # kept as stored, as on_conflict="skip" did
    new = [inc for inc in fresh if inc.id not in known]
    added = store.add(merged + new, on_conflict="replace", report_text=text)
    summary.stored += [i for i in added.added + added.replaced if i in fresh_ids]
    summary.skipped += sorted(known)
    return summary


# --- the dashboard's review: corrected rows, a choice per duplicate -------------------------------

EDITABLE = ("date", "date_end", "places", "province", "geo_precision", "killed", "killed_max", "children",
            "women", "injured", "actor", "event_type", "source", "cumulative")


def review_row(incident: Incident) -> dict[str, Any]:
    """The editable fields of an incident as a table row (places joined with '; ')."""
    row = {name: getattr(incident, name) for name in EDITABLE}
    row["places"] = "; ".join(incident.places)
    return row


def reviewed_incident(original: Incident, row: dict[str, Any], gazetteer: Any = None,
                      place: Any = None) -> Incident:
    """The incident after the analyst's corrections; raises ValidationError naming the field.

    `place` (a gazetteer Match chosen in a search) replaces the places. Places typed by hand keep
    their points when unchanged and are looked up in the gazetteer otherwise.
    """
    values = {name: getattr(original, name) for name in Incident.__dataclass_fields__}
    values.update({name: row.get(name) for name in EDITABLE if name in row})
    values.pop("id")  # the id follows the corrected content
    if place is not None:
        values.update(places=[place.name], points=[place.point], province=place.province or values["province"],
                      geo_precision=1)
    else:
        names = [p.strip() for p in str(row.get("places") or "").split(";") if p.strip()]
        known = dict(zip(original.places, original.points))
        points = []
        for name in names:
            if name in known:
                points.append(known[name])
            else:
                match = gazetteer.resolve(name) if gazetteer is not None else None
                points.append(match.point if match else None)
        values.update(places=names, points=points)
    return Incident.from_dict(values)


def save_reviewed(store: Store, text: str, incidents: list[Incident], choices: dict[str, str]) -> ImportSummary:
    """Store reviewed incidents with the report text; `choices[id]` is "merge" (into its first
    stored duplicate), "keep" or "skip"; incidents without a choice are kept."""
    summary = ImportSummary(report_hash(text))
    if store.has_report(summary.report_hash):
        summary.already_stored = True
        return summary
    fresh: list[Incident] = []
    merged: dict[str, Incident] = {}
    for incident in incidents:
        choice = choices.get(incident.id, "keep")
        matches = find_duplicates(store, incident) if choice == "merge" else []
        if choice == "skip":
            summary.skipped.append(incident.id)
        elif matches:
            _merge_into(merged, matches[0], incident, summary)
        else:
            fresh.append(incident)
    return _save(store, text, fresh, list(merged.values()), summary)


class ReportLines(list[str]):
    """The lines to print for imported reports (a list, for callers that only print), with the
    lines for standard error (`errors`: each toll read but not coded, with its reason) and
    the exit code: 2 when a report could not be read or stored nothing it should have."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []
        self.exit_code = 0


def import_report_files(store: Store, paths: Iterable[str | Path], report_date: dt.date | str | None = None,
                        on_duplicate: OnDuplicate = "merge") -> ReportLines:
    """Import .txt report files; returns one line per file (and its warnings) to print, with
    every toll read but not coded on `errors`."""
    lines = ReportLines()
    for path in paths:
        path = Path(path)
        try:
            text = decode(path.read_bytes(), str(path))
            summary = import_report(store, text, report_date, on_duplicate)
        except (ExtractionError, OSError) as exc:
            lines.append(f"{path}: not imported: {exc}")
            lines.exit_code = 2
            continue
        nothing = not (summary.stored or summary.merged or summary.skipped or summary.already_stored)
        if nothing and (summary.needs_date or summary.not_coded):
            lines.exit_code = 2
        lines.append(f"{path}: {summary.describe()}")
        lines.errors += [f"{path}: not coded: '{n.words}': {n.reason}" for n in summary.not_coded]
        lines += [f"{path}: warning: {w}" for w in summary.warnings]
    return lines


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ExtractionError(f"report date {value!r} is not a date; use YYYY-MM-DD") from None
