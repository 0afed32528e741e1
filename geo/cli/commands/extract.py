"""`python -m geo extract [--date YYYY-MM-DD] FILE...|-`: the incidents in news reports as one
GeoJSON FeatureCollection (with `confidence` and `explanation`), storing nothing."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli import UsageError

if TYPE_CHECKING:
    from geo.extraction.reader import Candidate


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "extract", help="print the incidents found in news reports as GeoJSON (stores nothing)",
        description="Read each report (a text file, or - for standard input) and print one GeoJSON "
                    "FeatureCollection of the incidents found. Relative dates count from the report's "
                    "first line 'date YYYY-MM-DD', else from --date, else from today. Warnings go to "
                    "standard error.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="report text files, or - for standard input")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the reports' date when they have no dateline")
    parser.add_argument("--all", action="store_true",
                        help="also output every toll read but not coded (background, no place, totals, "
                             "long periods) as a low-confidence candidate with its reason in 'not_coded'")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    from geo.extraction import ExtractionError, extract
    from geo.extraction.text import decode
    from geo.formats.geojson import to_feature_collection

    report_date = _date(args.date)
    features: list[dict[str, Any]] = []
    for name in args.files:
        label = "standard input" if name == "-" else name
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            result = extract(decode(data, "the file"), report_date)
        except ExtractionError as exc:
            raise UsageError(f"{label}: {exc}") from None
        except OSError as exc:
            raise UsageError(f"{label}: cannot read it ({exc.strerror or exc})") from None
        for warning in result.warnings:
            print(f"warning: {label}: {warning}", file=sys.stderr)
        if result.needs_date:
            print(f"warning: {label}: the report has no dateline and names no date: its days are unknown; "
                  "give --date YYYY-MM-DD (import stores nothing until then)", file=sys.stderr)
        for item in result.skipped:  # nothing dropped silently
            print(f"not coded: {label}: '{item.words}': {item.reason}", file=sys.stderr)
        if not result.incidents:
            print(f"{label}: no incident found" + (f"; {len(result.skipped)} toll(s) read but not coded "
                                                   "(listed above; --all outputs them)" if result.skipped else ""),
                  file=sys.stderr)
        chosen: list[tuple[Candidate, str | None]] = [(c, None) for c in result.incidents]
        if args.all:
            chosen += [(n.candidate, n.reason) for n in result.skipped if n.candidate is not None]
        collection = to_feature_collection(c.incident for c, _ in chosen)
        for feature, (candidate, reason) in zip(collection["features"], chosen):
            feature["properties"]["confidence"] = candidate.confidence
            feature["properties"]["explanation"] = candidate.explanation
            if reason is not None:
                feature["properties"]["not_coded"] = reason
            features.append(feature)
    json.dump({"type": "FeatureCollection", "features": features}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r} is not a date like 2017-08-17") from None
