"""Place-name folding for the gazetteer: one key per spelling, and a phonetic skeleton that
Arabic transliteration variants share (Sbeikhan / Subaykhan / Soubeikhane → "sbKn")."""

from __future__ import annotations

import re
import unicodedata

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
# Longest first: digraphs before single letters.
_SOUNDS = [("x", "ks"), ("sch", "S"), ("sh", "S"), ("ch", "S"), ("kh", "K"), ("gh", "G"),
           ("dh", "z"), ("th", "z"), ("zh", "z"), ("dj", "j"), ("dz", "j"), ("ph", "f"),
           ("ck", "k"), ("q", "k"), ("c", "k"), ("p", "b"), ("v", "f")]


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def fold(name: str) -> str:
    """The exact-match key: lower case, no diacritics or apostrophes, words joined by one space.

    Arabic script stays Arabic (normalised alef, ta marbuta, no vowel marks).
    """
    if is_arabic(name):
        text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", name)).translate(_ARABIC_FOLD)
        return " ".join(re.sub(r"[^\u0621-\u064a0-9]+", " ", text).split())
    text = unidecode(unicodedata.normalize("NFC", name)).lower()
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]", "", text)
    return _NON_ALNUM.sub(" ", text).strip()


def strip_articles(folded: str) -> str:
    """A folded name without its Arabic articles ("al bu kamal" → "bu kamal"; "الرقه" → "رقه")."""
    words = folded.split()
    if words and is_arabic(folded):
        out = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]
        return " ".join(out)
    out = [_TOKEN_SPELLINGS.get(w, w) for w in words if w not in ARTICLES]
    return " ".join(out) if out else folded


def skeleton(folded: str) -> str:
    """The phonetic key: articles dropped, sounds merged (q/k, dh/th/z, sh/ch, ou), doubled
    letters collapsed, vowels and -ah/-eh endings dropped; y and w count only before a vowel."""
    if is_arabic(folded):
        return strip_articles(folded).replace(" ", "")
    words = strip_articles(folded).split()
    words = [w[:-1] if len(w) > 3 and w.endswith("h") and w[-2] in _VOWELS else w for w in words]
    text = "".join(words)
    text = re.sub(r"ou(?=[aei])", "w", text)  # French "oua" = "wa"
    for sound, code in _SOUNDS:
        text = text.replace(sound, code)
    text = _undouble(text)
    out = []
    for i, ch in enumerate(text):
        if ch in "yw":
            if i + 1 < len(text) and text[i + 1] in _VOWELS:
                out.append(ch)
        elif ch not in _VOWELS:
            out.append(ch)
    return "".join(out)


def readable(name: str) -> str:
    """An ASCII form for display: "Al Jalā’" → "Al Jala", "Ma‘dān" → "Ma'dan"."""
    text = unicodedata.normalize("NFC", name)
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]+(?=\\s|$)", "", text)  # a trailing hamza or ‘ayn
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]+", "'", text)
    return unidecode(text).strip()


_SOFT_VOWELS = [("ee", "i"), ("ie", "i"), ("oo", "u"), ("ou", "u"), ("ei", "ay"), ("ey", "ay"),
                ("ai", "ay"), ("e", "i"), ("o", "u")]


def soft(bare: str) -> str:
    """A spelling with vowels and sounds evened out (Hajeen → hajin, Sbeikhan → sbaykhan),
    used to score how close two names with the same skeleton are."""
    words = [w[:-1] if len(w) > 3 and w.endswith("h") and w[-2] in _VOWELS else w
             for w in bare.split()]
    words = [w[:-1] if len(w) > 3 and w.endswith("e") and w[-2] not in _VOWELS else w
             for w in words]  # French silent -e: Soubeikhane
    text = " ".join(words)
    for sound, code in _SOUNDS:
        text = text.replace(sound, code)
    for vowel, code in _SOFT_VOWELS:
        text = text.replace(vowel, code)
    return _undouble(text)


def _undouble(text: str) -> str:
    """Doubled letters once: "raqqa" → "raqa"."""
    return "".join(ch for i, ch in enumerate(text) if not i or ch != text[i - 1])
