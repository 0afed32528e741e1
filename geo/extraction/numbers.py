"""Figures in report text: numbers in digits and words, with their qualifiers.

"at least 6" → 6; "between 12 and 15" / "12 to 15" → 12 with a maximum of 15; "up to 15" → no
minimum, maximum 15. "more than 30" / "over 30" → 30: the stated figure is kept as the minimum
and the explanation says the report gave it as a floor ("nearly", "about", "some" are kept the
same way). Vague words ("dozens", "scores", "hundreds", "several") give no number: the count is
None and the word is kept so the explanation can quote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
SPECIAL = {"a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2, "a hundred": 100}
VAGUE = ("dozens", "scores", "hundreds", "thousands", "several", "many", "numerous", "multiple", "tens",
         "a number of", "a few", "a handful of", "a large number of", "a high number of")

_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_TEN = "|".join(TENS)
_DIGIT_WORD = "one|two|three|four|five|six|seven|eight|nine"
_WORD_BELOW_100 = rf"(?:(?:{_TEN})(?:[\s-](?:{_DIGIT_WORD}))?|{_UNIT})"
_WORD_NUMBER = rf"(?:(?:{_WORD_BELOW_100}|a)\s+hundred(?:\s+(?:and\s+)?{_WORD_BELOW_100})?|{_WORD_BELOW_100})"
# Capped: a toll is at most nine digits ("1,000,000,000"); a longer run of digits is not a count
_DIGITS = r"(?:\d{1,3}(?:,\d{3}){1,3}(?![,\d])|\d{1,7}(?![\d]))"
NUMBER = rf"(?:{_DIGITS}|{_WORD_NUMBER}|a dozen|dozen|a couple of|a pair of)"

QUALIFIERS = {
    "at least": "at least", "no fewer than": "at least", "no less than": "at least",
    "a minimum of": "at least", "more than": "more than", "over": "more than",
    "upwards of": "more than", "in excess of": "more than", "nearly": "nearly", "almost": "nearly",
    "close to": "nearly", "about": "about", "around": "about", "some": "about",
    "approximately": "about", "roughly": "about", "an estimated": "about", "up to": "up to",
    "as many as": "up to", "at most": "up to", "a total of": "in all", "in all": "in all",
}
_QUALIFIER = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
_VAGUE = "|".join(sorted(VAGUE, key=len, reverse=True))

# One figure: a qualifier, then a range, a single number or a vague word.
COUNT_RE = re.compile(
    rf"\b(?:(?P<qual>{_QUALIFIER})\s+)?"
    rf"(?:between\s+(?P<lo>{NUMBER})\s+and\s+(?P<hi>{NUMBER})"
    rf"|(?P<lo2>{_DIGITS})\s*[-–—]\s*(?P<hi2>{_DIGITS})"
    rf"|(?P<lo3>{NUMBER})\s+(?:to|or)\s+(?P<hi3>{NUMBER})"
    rf"|(?P<n>{NUMBER})"
    rf"|(?P<vague>{_VAGUE}))\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """A number as reported: `low`..`high` (None when vague), the qualifier and the words' span."""

    start: int
    end: int
    text: str
    low: int | None
    high: int | None = None
    qualifier: str | None = None
    vague: str | None = None

    def describe(self) -> str:
        """How the words became the figure, for explanations: “'more than 30' → 30 (a floor)”."""
        words = f"'{self.text}'"
        if self.vague:
            return f"{words} gives no number"
        if self.high is not None and self.low is None:
            return f"{words} → at most {self.high}"
        if self.high is not None:
            return f"{words} → {self.low} to {self.high}"
        note = {"more than": " (stated as a floor; the toll is higher)",
                "nearly": " (stated as approximate, just under)",
                "about": " (stated as approximate)"}.get(self.qualifier or "", "")
        return f"{words} → {self.low}{note}"


def word_to_int(text: str) -> int | None:
    """'17' → 17, 'Forty-two' → 42, 'a dozen' → 12, 'two hundred and five' → 205; else None."""
    words = " ".join(text.lower().replace("-", " ").replace(",", " , ").split())
    if re.fullmatch(r"\d{1,9}(?: , \d{3}){0,3}", words):
        return int(words.replace(" , ", ""))
    if words[:1].isdigit():
        return None  # more digits than any toll
    if words in SPECIAL:
        return SPECIAL[words]
    total = current = 0
    seen = False
    for word in words.split():
        if word == "and":
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "a":
            current = 1 if not seen else current
        else:
            return None
        seen = True
    total += current
    return total if seen else None


def parse_figure(match: re.Match, offset: int = 0) -> Figure:
    """A Figure from a COUNT_RE match (`offset` shifts the span into the whole text)."""
    qual = QUALIFIERS.get((match.group("qual") or "").lower())
    start, end = match.start() + offset, match.end() + offset
    text = match.group(0)
    if match.group("vague"):
        return Figure(start, end, text, None, None, qual, match.group("vague").lower())
    lo_text = match.group("lo") or match.group("lo2") or match.group("lo3")
    if lo_text:
        hi_text = match.group("hi") or match.group("hi2") or match.group("hi3")
        low, high = word_to_int(lo_text), word_to_int(hi_text)
        if low is not None and high is not None and high < low:  # "12 or 3" is not a range
            return Figure(start, end, text, low, None, qual)
        return Figure(start, end, text, low, high if high != low else None, qual)
    value = word_to_int(match.group("n"))
    if qual == "up to":
        return Figure(start, end, text, None, value, qual)
    return Figure(start, end, text, value, None, qual)


_NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | {"dozen", "dozens", "scores", "hundred", "hundreds",
                                                      "thousands", "several", "many", "numerous", "multiple", "tens",
                                                      "few", "handful", "number", "couple", "pair"}
_WORD = re.compile(r"[a-z]+")


def find_figures(text: str, offset: int = 0) -> list[Figure]:
    """Every figure in `text`, in order (years, distances and dates are for the caller to filter)."""
    if not any(ch.isdigit() for ch in text) and _NUMBER_WORDS.isdisjoint(_WORD.findall(text.lower())):
        return []  # most sentences have no figure: skip the big pattern
    return [parse_figure(m, offset) for m in COUNT_RE.finditer(text)]
