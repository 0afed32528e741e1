"""`python -m geo relocate`: locate stored incidents' places that the gazetteer now knows."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from geo.cli import add_db_argument

if TYPE_CHECKING:  # the CLI imports every command to build its parser: keep this one light
    from geo.places.relocate import RelocateResult
    from geo.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("relocate", help="locate stored places the gazetteer now knows "
                                             "(after gazetteer fetch)",
                            description="Give coordinates to the stored incidents' unlocated places "
                                        "that the gazetteer can now resolve. Places already located "
                                        "never move; place names are kept as stored.")
    add_db_argument(parser)
    parser.add_argument("--dry-run", action="store_true", help="show what would change, store nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from geo import open_store

    store = open_store(args.db, create=False)
    return relocate_and_report(store, dry_run=args.dry_run)


def relocate_and_report(store: "Store", dry_run: bool = False, out: TextIO | None = None) -> int:
    """Relocate with the project's gazetteer and print what moved; 0, or 2 if the gazetteer
    cannot be read."""
    from geo.places.gazetteer import GazetteerError, default_gazetteer
    from geo.places.relocate import relocate

    try:
        gazetteer = default_gazetteer()
    except GazetteerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = relocate(store, gazetteer, dry_run=dry_run)
    for line in report_lines(result, gazetteer.counts()):
        print(line, file=out or sys.stdout)
    return 0


def report_lines(result: "RelocateResult", sources: dict[str, int]) -> list[str]:
    """One line per place placed and per province filled, a summary, then what is still unlocated
    with what to try next (`sources`: the gazetteer's place counts by source)."""
    lines = [f"{p.incident_id}: {p.place} → ({p.point[1]:.5f}, {p.point[0]:.5f}) "
             f"{p.source}, score {p.score:.2f}" for p in result.placed]
    lines += [f"{iid}: province → {province}" for iid, province in result.provinces.items()]
    if not result.checked:
        return lines + ["every stored place is located"]
    verb = "would place" if result.dry_run else "placed"
    total = len(result.placed) + len(result.unlocated)
    lines.append(f"{verb} {len(result.placed)} of {_count(total, 'unlocated place')}, in "
                 f"{_count(len(result.changed), 'incident')}"
                 + ("; dry run, nothing stored" if result.dry_run else ""))
    if result.unlocated:
        names = sorted({place for _, place, _ in result.unlocated})
        lines.append(f"still not located ({len(names)}): {', '.join(names)}")
        countries = sorted({country for *_, country in result.unlocated})
        to_fetch = [c for c in countries if f"geonames:{c}" not in sources]
        if to_fetch:
            lines.append(f"  try: python -m geo gazetteer fetch {' '.join(to_fetch)} "
                         "&& python -m geo relocate")
        else:
            lines.append("  not in GeoNames' full list either: add them to "
                         "data/gazetteer_supplement.csv with the source of their coordinates")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
