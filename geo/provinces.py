"""Syria's governorates: canonical English names, GeoNames admin1 codes and the spellings datasets use."""

from __future__ import annotations

import re
import unicodedata

# Canonical names, the interface's `province` values, in GeoNames admin1 order.
SYRIA_ADMIN1: dict[str, str] = {
    "01": "Al-Hasakah",
    "02": "Latakia",
    "03": "Quneitra",
    "04": "Raqqa",
    "05": "As-Suwayda",
    "06": "Daraa",
    "07": "Deir ez-Zor",
    "08": "Rif Dimashq",
    "09": "Aleppo",
    "10": "Hama",
    "11": "Homs",
    "12": "Idlib",
    "13": "Damascus",
    "14": "Tartus",
}

PROVINCES: tuple[str, ...] = tuple(sorted(SYRIA_ADMIN1.values()))

# ISO 3166-2 codes, as geoBoundaries' `shapeISO` gives them.
ISO_3166_2: dict[str, str] = {
    "SY-HA": "Al-Hasakah", "SY-LA": "Latakia", "SY-QU": "Quneitra", "SY-RA": "Raqqa",
    "SY-SU": "As-Suwayda", "SY-DR": "Daraa", "SY-DY": "Deir ez-Zor", "SY-RD": "Rif Dimashq",
    "SY-HL": "Aleppo", "SY-HM": "Hama", "SY-HI": "Homs", "SY-ID": "Idlib", "SY-DI": "Damascus",
    "SY-TA": "Tartus",
}

# Spellings seen in ACLED, UCDP, geoBoundaries, OCHA and the press, keyed by their folded form.
_ALIASES: dict[str, tuple[str, ...]] = {
    "Al-Hasakah": ("hasakah", "hasaka", "hassakeh", "hasakeh", "hasake", "hassake", "haseke"),
    "Latakia": ("latakia", "lattakia", "ladhiqiyah", "latakieh", "lataqia", "lattaquie"),
    "Quneitra": ("quneitra", "qunaytirah", "kuneitra", "qunaitra", "qoneitra"),
    "Raqqa": ("raqqa", "raqqah", "rakka", "raka", "raqa", "rakkah"),
    "As-Suwayda": ("suwayda", "sweida", "suwaida", "suweida", "sweyda", "swaida", "soueida"),
    "Daraa": ("daraa", "dara", "deraa", "dar'a", "deraa", "der'a"),
    "Deir ez-Zor": ("deir ez zor", "deir ezzor", "deir al zor", "deir el zor", "dayr az zawr",
                    "dayr al zawr", "deir zor", "deir ez zour", "deir ezzor", "dayr ez zor",
                    "deir al zour", "deir ez-zor", "deirezzor", "dair az zaur", "deir-ez-zor"),
    "Rif Dimashq": ("rif dimashq", "rural damascus", "damascus countryside", "reef dimashq",
                    "rif damascus", "damascus rural", "rif dimashq", "rif-dimashq"),
    "Aleppo": ("aleppo", "halab", "haleb", "alep"),
    "Hama": ("hama", "hamah", "hamat"),
    "Homs": ("homs", "hims", "hums"),
    "Idlib": ("idlib", "idleb", "edlib", "idlip"),
    "Damascus": ("damascus", "dimashq", "damas", "damascus city"),
    "Tartus": ("tartus", "tartous", "tartous", "tartoos", "tortosa"),
}

_SUFFIXES = re.compile(r"\b(governorate|province|muhafazat|mohafazat|gov|prov)\b")
_ARTICLE = re.compile(r"^(al|ar|as|ad|az|at|ash|el|er|es|ed|ez)[ -]")


def fold(name: str) -> str:
    """Lower-case, strip accents, apostrophes, articles and 'governorate' from a province name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[’'‘`ʿʾ]", "", text)
    text = _SUFFIXES.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return _ARTICLE.sub("", text).strip()


_LOOKUP: dict[str, str] = {}
for _canonical, _spellings in _ALIASES.items():
    for _spelling in (_canonical, *_spellings):
        _LOOKUP[fold(_spelling)] = _canonical
        _LOOKUP[fold(_spelling).replace(" ", "")] = _canonical
for _code, _canonical in ISO_3166_2.items():
    _LOOKUP[_code.lower().replace("-", " ")] = _canonical
    _LOOKUP[_code.lower().replace("sy-", "syr ")] = _canonical


def normalise(name: str | None) -> str | None:
    """The canonical province for any known spelling ("Dayr az Zawr governorate" → "Deir ez-Zor"), else None."""
    if not name or not name.strip():
        return None
    folded = fold(name)
    return _LOOKUP.get(folded) or _LOOKUP.get(folded.replace(" ", ""))


def from_admin1(country: str, admin1: str) -> str | None:
    """The canonical province for a GeoNames admin1 code; None outside Syria or for unknown codes."""
    if country.upper() != "SY":
        return None
    return SYRIA_ADMIN1.get(admin1.zfill(2))
