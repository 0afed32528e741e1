"""Country names and ISO3 codes as datasets write them → ISO 3166-1 alpha-2 (the model's `country`).

A small map of the region's countries: a row from elsewhere is rejected with a clear reason
rather than guessed.
"""

from __future__ import annotations

_NAMES: dict[str, str] = {
    "syria": "SY", "syrian arab republic": "SY",
    "iraq": "IQ",
    "turkey": "TR", "turkiye": "TR", "türkiye": "TR",
    "lebanon": "LB",
    "jordan": "JO",
    "israel": "IL",
    "palestine": "PS", "state of palestine": "PS",
    "iran": "IR", "iran (islamic republic of)": "IR",
    "yemen": "YE", "yemen (north yemen)": "YE",
    "saudi arabia": "SA",
    "egypt": "EG",
    "libya": "LY",
    "afghanistan": "AF",
}

_ISO3: dict[str, str] = {
    "SYR": "SY", "IRQ": "IQ", "TUR": "TR", "LBN": "LB", "JOR": "JO", "ISR": "IL", "PSE": "PS",
    "IRN": "IR", "YEM": "YE", "SAU": "SA", "EGY": "EG", "LBY": "LY", "AFG": "AF",
}


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 for a country name ("Syria" → "SY"), an alpha-2 or an ISO3 code; None if unknown."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if len(text) == 2 and text.upper() in _ISO3.values():
        return text.upper()
    if len(text) == 3 and text.upper() in _ISO3:
        return _ISO3[text.upper()]
    return _NAMES.get(text.lower())


_DISPLAY = ("Syria", "Iraq", "Turkey", "Lebanon", "Jordan", "Israel", "Palestine", "Iran", "Yemen",
            "Saudi Arabia", "Egypt", "Libya", "Afghanistan")


def known_countries() -> str:
    """The accepted names, for error messages."""
    return ", ".join(_DISPLAY)


def iso3_to_alpha2(code: str) -> str | None:
    """"SYR" → "SY" for the countries above."""
    return _ISO3.get(code.strip().upper())
