"""The CLI's frame: one argparse sub-command per module in `geo.cli.commands`, shared filter flags,
and errors turned into one readable line (exit 2) instead of a traceback."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from geo import filters
from geo.filters import FilterError, Filters

# Each module has `register(subparsers)`, which adds its parser and sets `run=function(args) -> int`.
COMMANDS = (
    "geo.cli.commands.export",
    "geo.cli.commands.geocode",
    "geo.cli.commands.gazetteer",
    "geo.cli.commands.import_",
    "geo.cli.commands.boundaries",
    "geo.cli.commands.extract",
    "geo.cli.commands.relocate",
    "geo.cli.commands.summary",
    "geo.cli.commands.events",
)


class UsageError(Exception):
    """Bad arguments: printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo",
                     description="Strike Atlas: reported airstrikes as incidents on a map.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from geo.formats import FormatError
    from geo.store import StoreError

    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.run(args) or 0)
    except (UsageError, FilterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, FormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="SQLAlchemy database URL (default: $STRIKE_ATLAS_DB, else data/atlas.sqlite "
                             "with the bundled incidents)")


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The dashboard's filters as flags (one per spec in geo.filters.SPECS)."""
    filters.add_arguments(parser)


def filters_from_args(args: argparse.Namespace) -> Filters:
    return filters.from_arguments(args)
