"""`python -m geo boundaries fetch|add|list`: install province outlines for the map, the choropleth
and point-in-polygon provinces."""

from __future__ import annotations

import argparse

from geo.cli import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("boundaries", help="install province outlines (geoBoundaries or a file)",
                            description="Province outlines for the map and for placing incidents "
                                        "without a province. Stored in data/boundaries/.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                    parser_class=type(parser))
    fetch = actions.add_parser("fetch", help="download geoBoundaries gbOpen outlines",
                               description="Download geoBoundaries gbOpen outlines (simplified) with "
                                           "their licence and credit.")
    fetch.add_argument("country", metavar="ISO3", help="country code, e.g. SYR")
    fetch.add_argument("--level", type=int, choices=(1, 2), default=1,
                       help="1: governorates (default), 2: districts")
    fetch.add_argument("--api-base", metavar="URL", default=None,
                       help="geoBoundaries API base (default: the public gbOpen API)")
    fetch.set_defaults(run=run_fetch)

    add = actions.add_parser("add", help="install outlines from a polygon file",
                             description="Install any polygon file geopandas reads (GeoJSON, "
                                         "GeoPackage, shapefile).")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--level", type=int, choices=(1, 2), default=1)
    add.add_argument("--name-field", required=True, metavar="NAME",
                     help="the field holding each polygon's name")
    add.add_argument("--country", default="SYR", metavar="ISO3", help="default: SYR")
    add.add_argument("--licence", metavar="TEXT", help="the file's licence, kept with it")
    add.add_argument("--credit", metavar="TEXT", help="the credit line shown under the legend")
    add.set_defaults(run=run_add)

    listing = actions.add_parser("list", help="show the installed outlines")
    listing.set_defaults(run=run_list)


def run_fetch(args: argparse.Namespace) -> int:
    from geo.places import boundaries

    api = args.api_base or boundaries.API_BASE
    return _report(_call(boundaries.fetch, args.country, args.level, api))


def run_add(args: argparse.Namespace) -> int:
    from geo.places import boundaries

    return _report(_call(boundaries.add, args.file, args.level, args.name_field, args.country,
                         args.licence, args.credit))


def run_list(args: argparse.Namespace) -> int:
    from geo.places import boundaries

    found = boundaries.installed()
    if not found:
        print(f"no outlines installed in {boundaries.boundaries_dir()}; "
              "run `python -m geo boundaries fetch SYR`")
    for meta in found:
        print(f"{meta.get('country')} ADM{meta.get('level')}: {meta.get('features')} outlines — "
              f"{meta.get('credit')} (licence: {meta.get('licence')})")
    return 0


def _call(function, *args):
    from geo.places.boundaries import BoundaryError

    try:
        return function(*args)
    except BoundaryError as exc:
        raise UsageError(str(exc)) from None


def _report(result) -> int:
    print(f"installed {result.features} outlines in {result.path}")
    print(f"credit: {result.credit}")
    if result.unmatched:
        print("warning: not a known governorate (drawn, but not used to place incidents): "
              + ", ".join(result.unmatched))
    return 0
