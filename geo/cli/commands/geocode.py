"""`python -m geo geocode NAME...`: place names → coordinates and province, one line each."""

from __future__ import annotations

import argparse
import json
import sys

from geo.places.gazetteer import Match

JSON_FIELDS = ("name", "latitude", "longitude", "province", "country", "geo_precision", "score")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("geocode", help="locate place names with the offline gazetteer",
                            description="Resolve place names (any common transliteration, or "
                                        "Arabic script) with the offline GeoNames gazetteer. "
                                        "Exit 0 when every name is located, 1 otherwise.")
    parser.add_argument("names", nargs="+", metavar="NAME", help="place names")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--country", default="SY", metavar="CC",
                        help="ISO country code to prefer (default SY; 'any' for no preference)")
    parser.add_argument("--online", action="store_true",
                        help="ask Nominatim (OpenStreetMap) for names not found offline; also "
                             "enabled by STRIKE_ATLAS_ONLINE_GEOCODER=nominatim")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from geo.places.gazetteer import GazetteerError, default_gazetteer
    from geo.places.nominatim import OnlineGeocoderError, locate, online_geocoder

    country = None if args.country.strip().lower() in ("any", "") else args.country.strip().upper()
    if country is not None and not (len(country) == 2 and country.isalpha()):
        print(f"error: --country {args.country!r} is not an ISO code such as SY (or 'any')",
              file=sys.stderr)
        return 2
    try:
        gazetteer = default_gazetteer()
    except GazetteerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    online = online_geocoder(True if args.online else None)
    missing = online_used = 0
    for name in args.names:
        try:
            match = locate(name, country, gazetteer, online)
        except OnlineGeocoderError as exc:
            print(f"warning: {exc}", file=sys.stderr)
            match = None
        missing += match is None
        online_used += match is not None and match.source == "nominatim"
        print(_json_line(name, match) if args.json else _plain_line(name, match, country, gazetteer))
    if online_used:
        print("online results: Nominatim, data © OpenStreetMap contributors (ODbL)", file=sys.stderr)
    return 1 if missing else 0


def _json_line(query: str, match: Match | None) -> str:
    values = {field: getattr(match, field) if match else None for field in JSON_FIELDS}
    return json.dumps({"query": query, **values}, ensure_ascii=False)


def _plain_line(query: str, match: Match | None, country: str | None, gazetteer) -> str:
    if match is None:
        code = country or "SY"
        if any(src == f"geonames:{code}" for src in gazetteer.counts()):
            hint = "not in GeoNames' full list either; try --online"
        else:
            hint = f"try: python -m geo gazetteer fetch {code}"
        return f"{query} → not located ({hint})"
    where = match.province or match.country
    return (f"{query} → {match.name} ({match.latitude:.5f}, {match.longitude:.5f}) {where}, "
            f"score {match.score:.2f}")
