"""Place-name folding for the gazetteer: one key per spelling, and a phonetic skeleton that
Arabic transliteration variants share (Sbeikhan / Subaykhan / Soubeikhane → "sbKn")."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from unidecode import unidecode

_APOSTROPHES = "'’‘`ʿʾʼʻ´"
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                              "ی": "ي", "ک": "ك", "ۀ": "ه"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Articles as separate words: al-, ar-, as-, at-, ad-, az-, ash-, el-, …; "l" for "l'" in French forms.
ARTICLES = frozenset("al ar as at ad az ash ath adh an ah el er es et ed ez en esh ech l".split())
_TOKEN_SPELLINGS = {"albu": "abu", "abou": "abu", "bou": "abu", "aboul": "abu", "abul": "abu",
                    "deir": "dayr", "dair": "dayr", "tell": "tall", "tal": "tall"}
_VOWELS = set("aeiouy")
# Digraphs first (longest first), then single letters; codes in upper case are one sound.
_DIGRAPHS = [("sch", "S"), ("sh", "S"), ("ch", "S"), ("kh", "K"), ("gh", "G"), ("dh", "z"),
             ("th", "z"), ("zh", "z"), ("dj", "j"), ("dz", "j"), ("ph", "f"), ("ck", "k")]
_LETTERS = str.maketrans({"q": "k", "c": "k", "p": "b", "v": "f"})
_DROP_VOWELS = str.maketrans({"Y": "y", "W": "w", **{v: None for v in "aeiouyw"}})
_GLIDE = re.compile(r"[yw](?=[aeiouy])")  # y and w count as consonants before a vowel
_FRENCH_W = re.compile(r"ou(?=[aei])")  # French "oua" = "wa"
_DOUBLE = re.compile(r"(.)\1+")
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_ARABIC_NON_LETTERS = re.compile(r"[^\u0621-\u064a0-9]+")
_SOFT_VOWELS = [("ee", "i"), ("ie", "i"), ("oo", "u"), ("ou", "u"), ("ei", "ay"), ("ey", "ay"),
                ("ai", "ay"), ("e", "i"), ("o", "u")]


class Keys(NamedTuple):
    """Every key of one name: exact (`folded`), without articles (`bare`), phonetic
    (`skeleton`) and the evened-out spelling that scores closeness (`spelling`)."""

    folded: str
    bare: str
    skeleton: str
    spelling: str
    arabic: bool


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def keys(name: str) -> Keys:
    """All keys of `name`, computed once."""
    arabic = is_arabic(name)
    folded = _fold(name, arabic)
    bare = _strip(folded, arabic)
    if arabic:
        return Keys(folded, bare, bare.replace(" ", ""), bare, True)
    return Keys(folded, bare, _skeleton(bare), soft(bare), False)


def fold(name: str) -> str:
    """The exact-match key: lower case, no diacritics or apostrophes, words joined by one space.

    Arabic script stays Arabic (normalised alef, ta marbuta, no vowel marks).
    """
    return _fold(name, is_arabic(name))


def strip_articles(folded: str) -> str:
    """A folded name without its Arabic articles ("al bu kamal" → "abu kamal"; "الرقه" → "رقه")."""
    return _strip(folded, is_arabic(folded))


def skeleton(folded: str) -> str:
    """The phonetic key: articles dropped, sounds merged (q/k, dh/th/z, sh/ch, ou), doubled
    letters collapsed, vowels and -ah/-eh endings dropped; y and w count only before a vowel."""
    if is_arabic(folded):
        return _strip(folded, True).replace(" ", "")
    return _skeleton(_strip(folded, False))


def soft(bare: str) -> str:
    """A spelling with vowels and sounds evened out (Hajeen → hajin, Sbeikhan → sbaykhan),
    used to score how close two names with the same skeleton are."""
    words = [_drop_ending(w) for w in bare.split()]
    text = _sounds(" ".join(words))
    for vowel, code in _SOFT_VOWELS:
        text = text.replace(vowel, code)
    return _DOUBLE.sub(_first, text)


def readable(name: str) -> str:
    """An ASCII form for display: "Al Jalā’" → "Al Jala", "Ma‘dān" → "Ma'dan"."""
    text = unicodedata.normalize("NFC", name)
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]+(?=\\s|$)", "", text)  # a trailing hamza or ‘ayn
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]+", "'", text)
    return unidecode(text).strip()


def _fold(name: str, arabic: bool) -> str:
    if arabic:
        text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", name)).translate(_ARABIC_FOLD)
        return " ".join(_ARABIC_NON_LETTERS.sub(" ", text).split())
    text = name.lower() if name.isascii() else unidecode(unicodedata.normalize("NFC", name)).lower()
    return _NON_ALNUM.sub(" ", _APOSTROPHE_RE.sub("", text)).strip()


def _strip(folded: str, arabic: bool) -> str:
    words = folded.split()
    if arabic:
        return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words)
    out = [_TOKEN_SPELLINGS.get(w, w) for w in words if w not in ARTICLES]
    return " ".join(out) if out else folded


def _skeleton(bare: str) -> str:
    text = "".join(_drop_ending(w, silent_e=False) for w in bare.split())
    text = _sounds(_FRENCH_W.sub("w", text))
    text = _GLIDE.sub(lambda m: m.group().upper(), _DOUBLE.sub(_first, text))
    return text.translate(_DROP_VOWELS)


def _sounds(text: str) -> str:
    text = text.replace("x", "ks")
    for sound, code in _DIGRAPHS:
        if sound in text:
            text = text.replace(sound, code)
    return text.translate(_LETTERS)


def _drop_ending(word: str, silent_e: bool = True) -> str:
    """-ah/-eh → -a/-e (Raqqah = Raqqa); with silent_e, French -e after a consonant (Soubeikhane)."""
    if len(word) > 3 and word[-1] == "h" and word[-2] in _VOWELS:
        return word[:-1]
    if silent_e and len(word) > 3 and word[-1] == "e" and word[-2] not in _VOWELS:
        return word[:-1]
    return word


def _first(match: re.Match) -> str:
    return match.group(1)
