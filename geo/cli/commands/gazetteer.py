"""`python -m geo gazetteer fetch SY [IQ …]` and `python -m geo gazetteer status`."""

from __future__ import annotations

import argparse
import sys

from geo.places.gazetteer import GEONAMES_DUMP_URL


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("gazetteer", help="fetch GeoNames country lists, show what is loaded",
                            description="Manage the offline gazetteer's GeoNames data.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                    parser_class=type(parser))
    fetch = actions.add_parser("fetch", help="download GeoNames' full list of a country's "
                                             "populated places into data/gazetteer/")
    fetch.add_argument("countries", nargs="+", metavar="CC", help="ISO country codes, e.g. SY IQ")
    fetch.add_argument("--url-base", default=GEONAMES_DUMP_URL, metavar="URL",
                       help=f"where the <CC>.zip files are (default {GEONAMES_DUMP_URL})")
    fetch.add_argument("--relocate", action="store_true",
                       help="then locate the default store's places the new lists know "
                            "(as `python -m geo relocate`)")
    fetch.set_defaults(run=run_fetch)
    status = actions.add_parser("status", help="places loaded, per source")
    status.set_defaults(run=run_status)


def run_fetch(args: argparse.Namespace) -> int:
    from geo.places.gazetteer import GazetteerError, fetch_dump

    live = sys.stderr.isatty()

    def progress(line: str) -> None:  # one updating line on a terminal, the summary otherwise
        final = " kept " in line
        if live:
            print(f"\r{line}\033[K", end="\n" if final else "", file=sys.stderr, flush=True)
        elif final:
            print(line, file=sys.stderr)

    failed = 0
    for country in args.countries:
        try:
            fetch_dump(country, url_base=args.url_base, progress=progress)
        except GazetteerError as exc:
            print(("\r\033[K" if live else "") + f"error: {exc}", file=sys.stderr)
            failed += 1
    if failed == len(args.countries):
        return 2
    if args.relocate:
        from geo import open_store
        from geo.cli.commands.relocate import relocate_and_report

        code = relocate_and_report(open_store())
        return 2 if failed else code
    print("now run: python -m geo relocate  (stored incidents' places the new lists know get "
          "their coordinates)", file=sys.stderr)
    return 2 if failed else 0


def run_status(args: argparse.Namespace) -> int:
    import time

    from geo.places.gazetteer import Gazetteer, GazetteerError

    started = time.perf_counter()
    try:
        gazetteer = Gazetteer.load()
    except GazetteerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"{len(gazetteer)} places from {', '.join(sorted(gazetteer.countries))} "
          f"(loaded in {seconds:.2f} s)")
    for source, count in sorted(gazetteer.counts().items()):
        print(f"  {source}: {count}")
    return 0
