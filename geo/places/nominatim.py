"""The optional online fallback: OpenStreetMap's Nominatim through geopy, at most one request a
second, every answer (a miss too) kept in a SQLite cache so a name is asked once.

Off by default: enabled by an explicit argument or STRIKE_ATLAS_ONLINE_GEOCODER=nominatim.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from geo import settings
from geo.names import fold, readable
from geo.places.gazetteer import DATA_DIR, Gazetteer, Match, default_gazetteer
from geo.provinces import normalise

ENV_ENABLE = "STRIKE_ATLAS_ONLINE_GEOCODER"  # "nominatim" turns the fallback on
ENV_URL = "STRIKE_ATLAS_NOMINATIM_URL"  # another Nominatim server, e.g. a local mirror
ENV_CACHE = "STRIKE_ATLAS_GEOCODE_CACHE"
DEFAULT_CACHE = DATA_DIR / "geocode-cache.sqlite"
# Nominatim reports no match confidence: a fixed score ranks online answers below any close
# offline spelling match while still counting as found (>= gazetteer.MIN_SCORE).
NOMINATIM_SCORE = 0.8
_SETTLEMENTS = {"city", "town", "village", "hamlet", "suburb", "neighbourhood", "quarter",
                "isolated_dwelling", "locality", "municipality"}
_REGIONS = {"state", "province", "region", "country"}


class OnlineGeocoderError(RuntimeError):
    """Nominatim could not be reached or answered with an error."""


class NominatimGeocoder:
    """Nominatim search with geopy's RateLimiter and a persistent cache."""

    def __init__(self, cache_path: Path | str | None = None, url: str | None = None,
                 user_agent: str | None = None, min_delay_seconds: float = 1.0,
                 timeout: float = 10.0, retries: int = 1, error_wait_seconds: float = 2.0):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        url = url or os.environ.get(ENV_URL)
        options: dict[str, Any] = {}
        if url:
            parts = urlsplit(url if "//" in url else f"https://{url}")
            options = {"domain": parts.netloc + parts.path.rstrip("/"), "scheme": parts.scheme}
        self._geolocator = Nominatim(user_agent=user_agent or settings.user_agent("geocoding"),
                                     timeout=timeout, **options)
        self._geocode = RateLimiter(self._geolocator.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=retries, error_wait_seconds=error_wait_seconds,
                                    swallow_exceptions=False)
        self.cache_path = Path(cache_path or os.environ.get(ENV_CACHE) or DEFAULT_CACHE)
        self.requests = 0  # answers fetched over the network, for tests and the CLI's summary

    def geocode(self, name: str, country: str | None = "SY") -> Match | None:
        """The first Nominatim result for `name` (within `country`), from the cache when asked before."""
        key = (fold(name), (country or "").upper())
        raw = self._cached(key)
        if raw is _MISSING:
            raw = self._ask(name, country)
            self._store(key, raw)
        return None if raw is None else to_match(name, raw, country)

    def _ask(self, name: str, country: str | None) -> dict[str, Any] | None:
        from geopy.exc import GeopyError

        self.requests += 1
        try:
            location = self._geocode(name, exactly_one=True, addressdetails=True, language="en",
                                     country_codes=country.lower() if country else None)
        except GeopyError as exc:
            raise OnlineGeocoderError(f"Nominatim lookup of {name!r} failed: {exc}") from None
        return None if location is None else location.raw

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The cache database, committed and closed on leaving (sqlite3's own `with` only commits)."""
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.cache_path)
        try:
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS nominatim (query TEXT, country TEXT, "
                           "answer TEXT, fetched TEXT, PRIMARY KEY (query, country))")
                yield db
        finally:
            db.close()

    def _cached(self, key: tuple[str, str]) -> Any:
        with self._connect() as db:
            row = db.execute("SELECT answer FROM nominatim WHERE query = ? AND country = ?",
                             key).fetchone()
        return _MISSING if row is None else json.loads(row[0])

    def _store(self, key: tuple[str, str], raw: dict[str, Any] | None) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO nominatim VALUES (?, ?, ?, ?)",
                       (*key, json.dumps(raw), dt.datetime.now(dt.timezone.utc).isoformat()))


_MISSING = object()


def to_match(query: str, raw: dict[str, Any], country: str | None = None) -> Match:
    """A Match from one Nominatim /search result (format=json, addressdetails=1)."""
    address = raw.get("address") or {}
    name = raw.get("name") or str(raw.get("display_name", query)).split(",")[0]
    kind = raw.get("addresstype") or raw.get("type") or ""
    precision = 1 if kind in _SETTLEMENTS else 3 if kind in _REGIONS else 2
    return Match(query=query, name=readable(name), latitude=float(raw["lat"]),
                 longitude=float(raw["lon"]),
                 province=normalise(address.get("state") or address.get("province")),
                 country=str(address.get("country_code") or country or "").upper(),
                 geo_precision=precision, score=NOMINATIM_SCORE, source="nominatim",
                 geonameid=None, population=0)


def online_geocoder(enabled: bool | None = None, **options: Any) -> NominatimGeocoder | None:
    """A NominatimGeocoder when enabled (argument, else STRIKE_ATLAS_ONLINE_GEOCODER), else None."""
    if enabled is None:
        enabled = os.environ.get(ENV_ENABLE, "").strip().lower() == "nominatim"
    return NominatimGeocoder(**options) if enabled else None


def locate(name: str, country: str | None = "SY", gazetteer: Gazetteer | None = None,
           online: NominatimGeocoder | None = None) -> Match | None:
    """The offline gazetteer's match, else the online geocoder's (when one is given)."""
    match = (gazetteer or default_gazetteer()).resolve(name, country)
    if match is None and online is not None:
        match = online.geocode(name, country)
    return match
