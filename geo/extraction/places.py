"""Place names in report text, what role each plays, and where the gazetteer puts them.

A name's role comes from the words before it: "in/on/struck X", "the town of X" → target;
"near X" → near; "west of X" → reference (a landmark, not the place hit); "province of X",
"X countryside" → province. Names in a list ("the towns of A, B and C") share the role of the
first. A name the gazetteer does not know is kept only where the words say it is a place
("the village of X", "al-X near Y"), so it can be reported as not located, never dropped.
A hashtag ("#DeirEzzor") is a topic, not a place named, unless it heads a post
("#Albukamal | …"); a name the gazetteer knows only in a
neighbouring country ("al-Qaim") is located there and marked `abroad`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.extraction.numbers import TENS, UNITS
from geo.names import fold
from geo.provinces import normalise as province_of

_ART = r"(?:al|el|ar|as|at|ad|az|ash|an|ed|ez|es|er|adh|ath|Al|El|Ar|As|At|Ad|Az|Ash|An|Ed|Ez|Es)"
_CAP_WORD = r"[A-Z][\w'’‘`]{0,30}(?:-[A-Za-z][\w'’]{0,30}){0,4}"  # bounded: no place name is longer
_LINK = r"(?:al|el|ar|as|at|ad|az|ash|an|ed|ez|es|er|bin|ibn|abu|abou|bu|umm|um|al-|el-)"
NAME_RE = re.compile(
    rf"(?<![\w'’-])(?:{_ART}[-‐‑]|{_ART}\s(?=[A-Z]))?{_CAP_WORD}"
    rf"(?:\s(?:{_LINK}[-\s])?{_CAP_WORD}|\s{_ART}-{_CAP_WORD}|-{_CAP_WORD}){{0,3}}")
ARABIC_SURE_LONG = 0.85
MAX_NAMES = 200  # per clause: no sentence of a report names more; keeps extraction linear
ABROAD_SURE = 0.95  # only an exact spelling places a name in another country
ARABIC_WORD_RE = re.compile(r"[\u0621-\u064a][\u0621-\u065f\u0670]*")

_DESCRIBERS = (r"(?:(?:eastern|western|northern|southern|central|old|rural|nearby|neighbouring|neighboring|"
               r"small|large|border|riverside|desert|frontline|besieged|embattled|key|strategic|"
               r"residential|[\w-]+-held|[\w-]+-controlled|[\w-]+-run|adjacent|same|Euphrates)\s+)*")
_PLACE_NOUN = r"(?:towns?|villages?|city|cities|hamlets?|neighbou?rhoods?|districts?|suburbs?|settlements?|areas?|camp)"
_STRONG_BEFORE = re.compile(rf"\b{_PLACE_NOUN}\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_TARGET_BEFORE = re.compile(
    rf"\b(?:in|inside|on|at|into|of|over|across|against|targeting|targeted|target|struck|strike|hit|"
    rf"hitting|striking|bombed|bombing|shelled|shelling|pounded|pounding|raided|bombarded|"
    rf"bombarding|attacked|attacking|toward|towards|throughout|within)\s+(?:the\s+)?{_DESCRIBERS}"
    rf"(?:{_PLACE_NOUN}\s+of\s+(?:the\s+)?)?$"
    rf"|\b{_PLACE_NOUN}\s+of\s+(?:the\s+)?$|^\s*$", re.IGNORECASE)
_NEAR_BEFORE = re.compile(
    rf"\b(?:near|nearby|close\s+to|outside|(?:on\s+)?the\s+outskirts\s+of|in\s+the\s+vicinity\s+of|"
    rf"around|not\s+far\s+from|kilomet(?:er|re)s?\s+from|km\s+from|miles?\s+from|countryside\s+of|"
    rf"edge\s+of|outskirts\s+of|entrances?\s+(?:of|to)|(?:road|highway|route)\s+(?:between|linking|connecting)|between)\s+(?:the\s+)?{_DESCRIBERS}(?:{_PLACE_NOUN}\s+of\s+(?:the\s+)?)?$",
    re.IGNORECASE)
_REF_BEFORE = re.compile(
    r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|"
    r"south-east|south-west)(?:ern)?\s+(?:of|from)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?$"
    r"|\b(?:(?:north|south|east|west)(?:ern)?\s+)?(?:bank|side)\s+of\s+(?:the\s+)?$"
    r"|\bfrom\s+(?:the\s+)?(?:city\s+of\s+)?$|\bcapital\s+(?:city\s+)?(?:of\s+)?$|\bcapital,\s+$"
    # where the wounded or dead were taken, or a witness works: "a nurse at a clinic in X"
    r"|\b(?:hospital|clinic|morgue|medical\s+(?:point|centre|center))\s+in\s+(?:the\s+(?:town|city)\s+of\s+)?$",
    re.IGNORECASE)
_PROVINCE_BEFORE = re.compile(r"\b(?:province|governorate|region)\s+of\s+(?:the\s+)?$|\brural\s+$"
                              r"|\bcountryside\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_PROVINCE_AFTER = re.compile(r"\A(?:['’]s)?\s+(?:(?:eastern|western|northern|southern|rural|"
                             r"north-?eastern|north-?western|south-?eastern|south-?western)\s+)?(?:province|governorate|countryside|region|"
                             r"hinterland)\b", re.IGNORECASE)
_CONNECTOR = re.compile(
    rf"\A\s*(?:(?:,\s*)?(?:and|or|as\s+well\s+as|&)\s+(?:(?:in|on|at)\s+)?|,\s*)(?:the\s+)?{_DESCRIBERS}"
    rf"(?:{_PLACE_NOUN}\s+of\s+(?:the\s+)?)?\Z", re.IGNORECASE)
_NEW_LIST = re.compile(rf"\bas\s+well\s+as\b|\b{_PLACE_NOUN}\s+of\b", re.IGNORECASE)
_NOT_A_PLACE_AFTER = re.compile(
    r"\A(?:['’]s)?\s*(?:-based|-led|-backed|government|regime|authorities|Observatory|River|"
    r"forces|army|Democratic|military|officials|ministry|Arab|Civil|Network|Media|News|Times|"
    r"Post|Agency|Council|Dam\b(?!\s+(?:area|village|town)))", re.IGNORECASE)
# "ISIL-held", "US-backed", "Kurdish-led": who holds or leads, not a place
_NOT_A_PLACE_WORD = re.compile(r"-(?:held|led|backed|controlled|run|based|allied|linked)\Z", re.IGNORECASE)
# a name's leading part stands for the place only before a facility ("Deir Ezzor Military Airport")
_FACILITY = {"airport", "military", "air", "base", "dam", "bridge", "road", "street", "highway", "hospital",
             "camp", "prison", "stadium", "square", "roundabout", "factory", "field", "fields", "station",
             "university", "school", "mosque", "market", "countryside", "province", "governorate", "city"}
_STRONG_AFTER = re.compile(rf"\A\s+(?:{_PLACE_NOUN}|village|town)\b(?!\s+of)|\A,\s+near\b", re.IGNORECASE)

_NUMBER_WORDS = set(UNITS) | set(TENS) | {"dozens", "scores", "hundreds", "thousands", "dozen"}
STOP = {fold(w) for w in (
    "the a an in on at of and but or yesterday today tonight last this that these those local "
    "activists warplanes aircraft jets residents witnesses sources officials he she they it we "
    "some many several another among between including according after before during when while "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december syria syrian syrians iraq iraqi daesh isis "
    "isil is us u.s un sdf sana sohr ypg euphrates khabur tigris takfiri takfiris kurdish kurds arab "
    "arabs russian russia russians turkish turkey american americans britain british coalition "
    "observatory human rights islamic state reuters afp ap press tv jazeera helmets civil defence "
    "defense airwaves airwars pentagon washington moscow european europe western eastern northern "
    "southern mr mrs dr general colonel president minister ministry secretary-general secretary "
    "united nations security council red crescent cross unicef ocha who msf amnesty hrw "
    "shiite sunni muslim muslims christian christians god allah a.m p.m gmt hospital school "
    "mosque bakery market report reports there here death deaths toll dead killed strike strikes raid raids "
    "air airstrike airstrikes news ticker world breaking update updated logo video photo image watch read "
    "more related latest home back top".split())} | _NUMBER_WORDS
_COREFERENCE = re.compile(r"\b(?:the|that|this)\s+(?:same\s+)?(?:city|town|village|neighbou?rhood)\b"
                          r"|\bthere\b", re.IGNORECASE)


@dataclass
class PlaceMention:
    """A place named in the text: the words, their span, their role and the gazetteer's match."""

    words: str
    start: int
    end: int
    role: str  # "target" | "near" | "ref" | "province"
    match: Any = None  # geo.places.gazetteer.Match | None
    province: str | None = None
    strong: bool = False

    @property
    def name(self) -> str:
        """The canonical name if located, the province for a province, else the words as written."""
        if self.role == "province":
            return self.province or self.words
        return self.match.name if self.match is not None else self.words

    @property
    def abroad(self) -> bool:
        """Located in another country than Syria."""
        return self.match is not None and self.match.country != "SY"

    @property
    def point(self) -> tuple[float, float] | None:
        return self.match.point if self.match is not None and self.role != "province" else None


# "#Albukamal | 3 martyrs …": a post's leading hashtag set off like a dateline names where it happened
_TAG_HEADER = re.compile(r"\s*[|:]")


def find_places(clause: str, gazetteer: Any, offset: int = 0,  # noqa: C901
                skip: Sequence[tuple[int, int]] = ()) -> list[PlaceMention]:
    """Place mentions in a clause, in order; `skip` holds spans (clause positions) that are not
    places, such as a source's name ("Syrian Observatory")."""
    found: list[PlaceMention] = []
    previous: PlaceMention | None = None
    last_hit: PlaceMention | None = None  # the last place hit (target or near), for lists after a landmark
    for n, (start, end, words) in enumerate(_name_spans(clause)):
        if n >= MAX_NAMES:
            break
        if any(s <= start < e for s, e in skip) or clause[start - 1:start] == "@" \
                or (clause[start - 1:start] == "#"
                    and (not _TAG_HEADER.match(clause, end) or clause[:start - 1].strip())):
            continue  # a source's name, a hashtag or a handle: a topic, not the place hit
        before, after = clause[max(0, start - 120):start], clause[end:end + 80]
        if _NOT_A_PLACE_AFTER.match(after) or _NOT_A_PLACE_WORD.search(words):
            continue
        list_head = previous
        if previous is not None and previous.role == "ref" and last_hit is not None \
                and _NEW_LIST.search(clause[previous.end:start]):
            # "al-Jala, south of Deir ez-Zor, as well as the towns of A and B": the list goes
            # with the places hit, not with the landmark between them
            list_head = last_hit
        header = clause[start - 1:start] == "#"
        mention = _classify(words, start, end, before, after, previous, clause, gazetteer, list_head, header)
        if mention is None:
            continue
        mention = _as_province(mention, previous, clause, before, after)
        found.append(mention)
        previous = mention
        if mention.role in ("target", "near"):
            last_hit = mention
    found.extend(_arabic_places(clause, gazetteer))
    for m in _LOWER_NAMED.finditer(clause):  # "the Syrian city of raqqa": a feed copy lost its capitals
        if any(p.start <= m.start(1) < p.end for p in found):
            continue
        match = gazetteer.resolve(m.group(1), country="SY")
        if match is not None and match.score >= 0.95:
            found.append(PlaceMention(m.group(1), m.start(1), m.end(1), "target", match, match.province, True))
    found.sort(key=lambda p: p.start)
    _disambiguate(found, gazetteer)
    for p in found:
        p.start += offset
        p.end += offset
    return found


_LOWER_NAMED = re.compile(r"\b(?:city|town|village)\s+of\s+([a-z][a-z'’-]{2,30})\b")


def mentions_coreference(clause: str) -> re.Match | None:
    """"the city", "the town", "there": a place named earlier."""
    return _COREFERENCE.search(clause)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# --- internals ---------------------------------------------------------------------------------

def _name_spans(clause: str):
    """Capitalised name sequences, trimmed of common words ("The", "Yesterday") and possessives."""
    for n, m in enumerate(NAME_RE.finditer(clause)):
        if n >= 5 * MAX_NAMES:
            break
        tokens = list(re.finditer(r"\S+", m.group(0)))
        # split at stop words inside ("Hajin Tuesday"), keep runs of other tokens
        run: list[re.Match] = []
        for tok in tokens + [None]:
            if tok is not None and fold(_strip_possessive(tok.group(0))) not in STOP:
                run.append(tok)
                if _strip_possessive(tok.group(0)) == tok.group(0):
                    continue  # a possessive ends the name: "Raqqa's al-Badu" is two
            else:
                tok = None
            if run:
                start = m.start() + run[0].start()
                end = m.start() + run[-1].end()
                words = clause[start:end]
                stripped = _strip_possessive(words)
                yield start, start + len(stripped), stripped
            run = []


def _strip_possessive(words: str) -> str:
    return re.sub(r"['’]s$", "", words)


def _classify(words: str, start: int, end: int, before: str, after: str,  # noqa: C901
              previous: PlaceMention | None, clause: str, gazetteer: Any,
              list_head: PlaceMention | None = None, header: bool = False) -> PlaceMention | None:
    role, strong = ("target", True) if header else (None, False)
    between = clause[previous.end:start] if previous is not None else ""
    if _PROVINCE_BEFORE.search(before) or _PROVINCE_AFTER.match(after):
        role = "province"
    elif previous is not None and re.fullmatch(r"['’]s\s+", between):
        # a part of the place before ("Raqqa's al-Badu district"): a neighbourhood, not a town to look up
        return PlaceMention(words, start, end, previous.role, None, None, True)
    elif previous is not None and _CONNECTOR.match(between):
        # a list ("A, B and C")
        head = list_head or previous
        role, strong = head.role, head.strong or bool(_STRONG_BEFORE.search(before))
    listed = role is not None and role != "province" and not header
    if role is None:
        if _REF_BEFORE.search(before):
            role = "ref"
        elif _NEAR_BEFORE.search(before):
            role = "near"
        elif _TARGET_BEFORE.search(before):
            role = "target"
        strong = bool(_STRONG_BEFORE.search(before))
    strong = strong or bool(_STRONG_AFTER.match(after))
    if role == "province":
        province = province_of(words)
        if province is not None:
            return PlaceMention(words, start, end, "province", None, province)
        role = "near"  # "Hajin countryside": around the town
    if fold(words) in STOP:
        return None
    match = gazetteer.resolve(words, country="SY")
    if match is None and len(words.split()) > 1:
        # "Deir Ezzor Military Airport": the longest leading part the gazetteer knows
        parts = words.split()
        for n in range(len(parts) - 1, 0, -1):
            if not all(w.lower() in _FACILITY for w in parts[n:]):
                continue  # "Tal Qarrah" is not "Tal"
            match = gazetteer.resolve(" ".join(parts[:n]), country="SY")
            if match is not None:
                break
    if match is None:
        # a town across the border ("Iraqi forces in al-Qaim"): located there, so it is not kept as
        # an unknown Syrian place; the extractor prefers a Syrian place named with it
        abroad = gazetteer.resolve(words, country=None)
        if abroad is not None and abroad.country != "SY" and abroad.score >= ABROAD_SURE:
            match = abroad
    if match is not None:
        if role is None:
            if match.score < 0.9 or _sentence_start(before):
                return None
            role = "target"
        return PlaceMention(words, start, end, role, match, match.province, strong)
    has_article = bool(re.match(rf"{_ART}[-‐‑]", words))
    if role in ("target", "near") and (strong or listed or (has_article and not _sentence_start(before))
                                       or re.match(r"\A,\s+near\b", after)):
        return PlaceMention(words, start, end, role, None, None, True)
    return None


# Province capitals: named right after a village ("Hajin in Deir ez-Zor") they name the province
CAPITALS = {"deir ez-zor": "Deir ez-Zor", "ar raqqah": "Raqqa", "aleppo": "Aleppo", "idlib": "Idlib",
            "al hasakah": "Al-Hasakah", "daraa": "Daraa", "hamah": "Hama", "homs": "Homs",
            "as suwayda": "As-Suwayda", "latakia": "Latakia", "tartus": "Tartus", "al qunaytirah": "Quneitra"}
_CAPITALS = {fold(name): province for name, province in CAPITALS.items()}
_COMPASS = (r"(?:eastern|western|northern|southern|north-?eastern|north-?western|south-?eastern|"
            r"south-?western|central|rural)")
# what joins a village to the province that qualifies it: "X in Deir ez-Zor", "X, eastern Deir Ezzor"
_QUALIFIER_BETWEEN = re.compile(
    rf"\A(?:\s*,\s*|\s+in\s+|\s+of\s+)(?:the\s+)?(?:Syria['’]s\s+)?(?:{_COMPASS}\s+)?\Z", re.IGNORECASE)
_COMPASS_BEFORE = re.compile(rf"\b(?:in|across|of|throughout)\s+(?:the\s+)?(?:Syria['’]s\s+)?{_COMPASS}\s+$",
                             re.IGNORECASE)
_CITY_SAID = re.compile(r"\A\s+(?:city|City)\b")
_CITY_BEFORE = re.compile(r"\b(?:city|town)\s+of\s+(?:the\s+)?$", re.IGNORECASE)


def province_named(mention: PlaceMention) -> str | None:
    """The province a mention's words name ("Deir Ezzor", or a capital read as its province)."""
    province = province_of(mention.words)
    if province is None and mention.match is not None and mention.match.country == "SY":
        province = _CAPITALS.get(fold(mention.match.name))
    return province


def _as_province(mention: PlaceMention, previous: PlaceMention | None, clause: str, before: str,
                 after: str) -> PlaceMention:
    """A province named beside a village qualifies it ("Hajin in Deir ez-Zor"; "in eastern Deir
    Ezzor"): it is the province, not a second place, unless the text says the city."""
    if mention.role not in ("target", "near") or _CITY_SAID.match(after) or _CITY_BEFORE.search(before):
        return mention
    province = province_named(mention)
    if province is None:
        return mention
    after_village = previous is not None and previous.role in ("target", "near") \
        and province_named(previous) is None \
        and _QUALIFIER_BETWEEN.match(clause[previous.end:mention.start])
    if after_village or _COMPASS_BEFORE.search(before):
        return PlaceMention(mention.words, mention.start, mention.end, "province", None, province)
    return mention


def _sentence_start(before: str) -> bool:
    return not before.strip() or bool(re.search(r"[.!?]\s*$", before))


def _arabic_places(clause: str, gazetteer: Any) -> list[PlaceMention]:
    """Arabic-script names the gazetteer knows (GeoNames' Arabic alternate names), longest first."""
    words = list(ARABIC_WORD_RE.finditer(clause))
    found, i = [], 0
    while i < len(words):
        for n in (3, 2, 1):
            if i + n > len(words) or (n == 1 and len(words[i].group(0)) < 4):
                continue
            start, end = words[i].start(), words[i + n - 1].end()
            match = gazetteer.resolve(clause[start:end], country="SY")
            # written without the space GeoNames has ("البوكمال" for "البو كمال") a long name scores a little lower
            if match is not None and match.score >= (ARABIC_SURE_LONG if end - start >= 5 else 0.9):
                before = clause[max(0, start - 120):start]
                role = "ref" if _REF_BEFORE.search(before) else "near" if _NEAR_BEFORE.search(before) else "target"
                found.append(PlaceMention(clause[start:end], start, end, role, match, match.province))
                i += n
                break
        else:
            i += 1
    return found


def _disambiguate(found: list[PlaceMention], gazetteer: Any) -> None:
    """Between places of the same name, take the one nearest a landmark named with it
    ("al-Mansoura, west of Raqqa")."""
    anchors = [p.match.point for p in found if p.role in ("ref", "near") and p.match is not None]
    if not anchors or not hasattr(gazetteer, "candidates"):
        return
    for p in found:
        if p.role != "target" or p.match is None:
            continue
        rivals = [c for c in gazetteer.candidates(p.words, limit=5)
                  if c.score >= p.match.score - 0.03 and c.country == p.match.country]
        if len(rivals) > 1:
            p.match = min(rivals, key=lambda c: min(haversine_km(c.point, a) for a in anchors))
            p.province = p.match.province
