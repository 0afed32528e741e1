"""The free-text filter through the gazetteer: a place typed in any spelling or in Arabic script
also matches the names the stored records use ("Mayadeen" → "Al Mayadin", "الرقة" → "Ar Raqqah")."""

from __future__ import annotations

import dataclasses
from typing import Any

from geo.filters import Filters, SearchText
from geo.names import ARTICLES, is_arabic

MAX_SPELLINGS = 12  # alternates of one place added to the search, the longest first


def place_spellings(text: str, gazetteer: Any) -> tuple[str, ...]:
    """The canonical name and Latin-script alternates of the place `text` names; () if none."""
    match = gazetteer.resolve(text.strip())
    if match is None:
        return ()
    names = [match.name]
    index = getattr(gazetteer, "_by_id", {}).get(match.geonameid) if match.geonameid else None
    if index is not None:
        alternates = [a for a in gazetteer.places[index].alternates
                      if len(a) >= 5 and not is_arabic(a) and a.isascii()]
        names += sorted(set(alternates), key=lambda a: (-len(a), a))[:MAX_SPELLINGS]
    names += [bare for n in names[:2] if (bare := _bare(n)) and len(bare) >= 5]
    return tuple(dict.fromkeys(n for n in names if n.lower() != text.strip().lower()))


def _bare(name: str) -> str:
    """Without its article and a final h after a vowel: "Ar Raqqah" → "Raqqa" (ACLED's spelling)."""
    words = name.replace("-", " ").split()
    if len(words) > 1 and words[0].lower() in ARTICLES:
        words = words[1:]
    bare = " ".join(words)
    return bare[:-1] if len(bare) > 2 and bare[-1] == "h" and bare[-2] in "aeiou" else bare


def with_place_names(filters: Filters, gazetteer: Any = None) -> Filters:
    """`filters` with the text's place spellings added (a no-op without text or a place)."""
    if not filters.text:
        return filters
    if gazetteer is None:
        from geo.places.gazetteer import default_gazetteer
        gazetteer = default_gazetteer()
    return dataclasses.replace(filters, text=SearchText(filters.text, place_spellings(filters.text, gazetteer)))
