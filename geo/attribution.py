"""Who said it, who struck, and with what: a report's source, actor, event type and URL.

Sources are named agencies and monitors (SANA, SOHR, …) or the phrase the report uses
("activists", "a local network", "according to X"); a web site "reported" is the publisher, kept
after "via". Actors are the attacking forces ("US-led coalition", "Russian jets" → Russia);
"warplanes" alone gives "unidentified aircraft".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Named sources: canonical name → patterns (checked in this order; first hit wins per pattern).
KNOWN_SOURCES: dict[str, str] = {
    "SOHR": r"\bSOHR\b|Syrian\s+Observatory(?:\s+for\s+Human\s+Rights)?|\bthe\s+Observatory\b"
            r"|(?:Britain|UK|London)-based\s+(?:war\s+)?monitor",
    "SANA": r"\bSANA\b|Syrian\s+Arab\s+News\s+Agency|\b(?:the\s+)?(?:Syrian\s+)?(?:state|official|"
            r"government)(?:-run)?\s+news\s+agency|\bSyrian\s+state\s+(?:media|television|TV)\b",
    "Airwaves": r"\bAirwaves\b",
    "White Helmets": r"White\s+Helmets|Syria(?:n)?\s+Civil\s+Defen[cs]e",
    "Raqqa is Being Slaughtered Silently": r"Raqqa\s+is\s+Being\s+Slaughtered\s+Silently|\bRBSS\b",
    "Deir Ezzor 24": r"Deir\s*(?:ez|al|el)?[- ]?(?:Zor|Zour|Ezzor)\s*24\b",
    "Syrian Network for Human Rights": r"Syrian\s+Network\s+for\s+Human\s+Rights|\bSNHR\b",
    "Airwars": r"\bAirwars\b",
    "Reuters": r"\bReuters\b",
    "AFP": r"\bAFP\b|Agence\s+France[- ]Presse",
    "AP": r"\bAssociated\s+Press\b|\(AP\)",
    "Al Jazeera": r"\bAl\s+Jazeera\b",
    "Press TV": r"\bPress\s?TV\b(?!\.)",
    "US-led coalition (CJTF-OIR)": r"\bCJTF-OIR\b|Operation\s+Inherent\s+Resolve",
}
_KNOWN_NAMES = list(KNOWN_SOURCES)
# One pattern for all: the leftmost named source wins; acronyms are matched in capitals only.
_KNOWN = re.compile("|".join(
    f"(?P<s{i}>{'(?-i:' + rx + ')' if name in ('SANA', 'AP', 'AFP') else rx})"
    for i, (name, rx) in enumerate(KNOWN_SOURCES.items())), re.IGNORECASE)

# Cheap substring checks before the big patterns (each known source contains one of these).
_KNOWN_HINTS = ("sohr", "observatory", "monitor", "sana", "agency", "state", "airwaves", "helmets",
                "civil defen", "slaughtered", "rbss", "24", "network for", "snhr", "airwars", "reuters",
                "afp", "agence", "associated", "(ap)", "jazeera", "press", "cjtf", "inherent")
_SAY_HINTS = ("said", "say", "report", "told", "added", "stated", "announc", "claim", "confirm", "noted",
              "documented")
_SAY = r"(?:said|say|says|reported|reports|told|added|stated|announced|claimed|confirmed|noted|documented)"
# The few words naming a speaker right before a verb of saying: ", activists said".
_SPEAKER_BEFORE = re.compile(
    rf"(?:^|[,;:(]\s*|\bthe\s+|\b)(?P<src>(?:(?:the|a|an|local|several|some)\s+)?(?:[\w'’-]+\s+){{0,3}}?"
    rf"(?:activists?|sources?|residents?|witnesses|network|monitor(?:ing group)?|group|officials?|"
    rf"medics?|doctors?|media|outlets?|agency|observers?|journalists?|correspondents?|people|council|"
    rf"committee|campaign|volunteers|rescuers|rescue workers))\s+(?:had\s+|have\s+)?{_SAY}\b",
    re.IGNORECASE)
_ACCORDING_TO = re.compile(
    r"\baccording\s+to\s+(?P<src>(?:the\s+|a\s+)?[^,.;()]{2,60}?)(?=\s*(?:[,.;()]|$|\bwhich\b|\bwho\b|\bthat\b))",
    re.IGNORECASE)
DOMAIN_RE = re.compile(
    r"\b(?:https?://[^\s<>()\"']+|(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|ir|sy|uk|"
    r"fr|de|ru|info|news|tv|io|me|co)\b(?:/[^\s<>()\"']*)?)",
    re.IGNORECASE)
_PUBLISHER = re.compile(rf"(?P<dom>{DOMAIN_RE.pattern})\s+(?:has\s+)?(?:reported|said|says|reports)"
                        rf"|\baccording\s+to\s+(?P<dom2>{DOMAIN_RE.pattern})", re.IGNORECASE)
_MONITOR_PHRASE = re.compile(r"\bthe\s+(?:[\w-]+\s+)?(?:monitoring\s+group|(?:war\s+)?monitor)\b",
                             re.IGNORECASE)

ACTORS: tuple[tuple[str, str], ...] = (
    ("US-led coalition", r"\bUS-led\b|U\.S\.-led|\b(?:international|anti-IS|anti-ISIS|anti-Daesh|"
                         r"American-led|western)\s+coalition|\bthe\s+coalition(?:'s)?\b|\bcoalition\s+"
                         r"(?:jets|warplanes|aircraft|planes|air\s*strikes?|strikes?|raids?|drones?|forces)"
                         r"|\bAmerican\s+(?:jets|warplanes|aircraft|drones?)|\bUS\s+(?:jets|warplanes|"
                         r"aircraft|drones?|air\s*strikes?|forces|military)"),
    ("Russia", r"\bRussian\s+(?:and\s+Syrian\s+)?(?:jets|warplanes|aircraft|planes|air\s*force|"
               r"air\s*strikes?|raids?|bombers|helicopters|forces|military|strikes?)|\bRussia\b"),
    ("Syrian government", r"\b(?:Syrian\s+)?(?:government|regime|army|pro-government|government-"
                          r"allied)\s+(?:forces|jets|warplanes|aircraft|helicopters|troops|artillery|"
                          r"air\s*strikes?|raids?|shelling|planes)|\bSyrian\s+(?:army|air\s*force|"
                          r"jets|warplanes|helicopters|troops)|\bregime\s+(?:forces|jets)|barrel\s+bombs?"),
    ("Turkey", r"\bTurkish\s+(?:jets|warplanes|aircraft|drones?|army|forces|artillery|military|"
               r"air\s*strikes?|shelling)|\bTurkey\b"),
    ("Israel", r"\bIsraeli\s+(?:jets|warplanes|aircraft|air\s*strikes?|missiles?|strikes?)"),
    ("Islamic State", r"\b(?:(?-i:IS)|ISIS|ISIL|Daesh|Islamic\s+State)\s+(?:fighters|militants|"
                      r"shelling|shelled|snipers?|drones?|mortars?|car\s+bombs?|suicide)"),
    ("SDF", r"\bSDF\s+(?:fighters|forces|shelling|artillery)|\bSyrian\s+Democratic\s+Forces\s+shell"),
    ("unidentified aircraft", r"\b(?:unidentified\s+)?(?:war)?planes\b|\bwarplanes?\b|\baircraft\b|"
                              r"\bjets\b|\bhelicopters?\b|\bdrones?\b"),
)
_ACTORS = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in ACTORS]

EVENT_TYPES: tuple[tuple[str, str], ...] = (
    ("drone strike", r"\bdrones?\b|\bUAVs?\b|unmanned\s+aerial"),
    ("barrel bomb", r"\bbarrel\s+bombs?\b"),
    ("missile strike", r"\b(?:cruise|ballistic|surface-to-surface)\s+missiles?\b|\bmissiles?\b"),
    ("shelling", r"\bshell(?:ing|ed|s)\b|\bartillery\b|\bmortars?\b|\brocket\s+(?:fire|attack)s?\b|"
                 r"\bGrad\s+rockets?\b|\brockets?\b"),
    ("airstrike", r"\bair\s*-?\s*strikes?\b|\bair\s*-?\s*raids?\b|\bairstrikes?\b|\bwarplanes?\b|"
                  r"\baircraft\b|\bjets\b|\baerial\b|\bbombard(?:ed|ment|ing)\b|\bbomb(?:ed|ing|s)?\b|"
                  r"\braids?\b|\bstruck\b|\bstrikes?\b|\bhelicopters?\b|\bplanes?\b"),
    ("explosion", r"\bcar\s+bomb\b|\bIEDs?\b|\blandmines?\b|\bmines?\b|\bexplosion\b|\bblast\b|"
                  r"\bsuicide\s+(?:bomber|attack)\b"),
    ("ground attack", r"\bclashes\b|\bgunmen\b|\bsnipers?\b|\bexecuted\b|\bgunfire\b"),
)
_EVENTS = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in EVENT_TYPES]


@dataclass(frozen=True)
class Attribution:
    """A source as the report names it, with the span of the words."""

    source: str
    start: int
    end: int


def find_source(text: str, offset: int = 0, monitor: str | None = None) -> Attribution | None:
    """The source a passage cites: a named agency or monitor first, else the phrase used.

    `monitor` is the named monitor mentioned earlier in the report, which "the monitoring group"
    refers back to. A publishing web site ("presstv.ir reported") follows after " via ".
    """
    primary: Attribution | None = None
    low = text.lower()
    m = _KNOWN.search(text) if any(k in low for k in _KNOWN_HINTS) else None
    if m:
        primary = Attribution(_KNOWN_NAMES[int(m.lastgroup[1:])], m.start() + offset, m.end() + offset)
    if primary is None:
        m = _MONITOR_PHRASE.search(text)
        if m:
            primary = Attribution(monitor or m.group(0).lower(), m.start() + offset, m.end() + offset)
    if primary is None:
        m = _ACCORDING_TO.search(text)
        if m and not DOMAIN_RE.match(m.group("src")):
            primary = Attribution(_tidy(m.group("src")), m.start("src") + offset, m.end("src") + offset)
    if primary is None and any(w in low for w in _SAY_HINTS):
        m = _SPEAKER_BEFORE.search(text)
        if m:
            primary = Attribution(_tidy(m.group("src")), m.start("src") + offset, m.end("src") + offset)
    publisher = _PUBLISHER.search(text)
    if publisher:
        domain = _domain(publisher.group("dom") or publisher.group("dom2"))
        if primary is None:
            return Attribution(domain, publisher.start() + offset, publisher.end() + offset)
        if domain.lower() not in primary.source.lower():
            return Attribution(f"{primary.source} via {domain}", primary.start, primary.end)
    return primary


def source_spans(text: str) -> list[tuple[int, int]]:
    """Spans naming a known source ("Syrian Observatory for Human Rights"): not place names."""
    low = text.lower()
    if not any(k in low for k in _KNOWN_HINTS):
        return []
    return [(m.start(), m.end()) for m in _KNOWN.finditer(text)]


def find_url(text: str) -> str | None:
    """The first URL or web domain named in the text, as given."""
    m = DOMAIN_RE.search(text)
    return m.group(0).rstrip(".,;") if m else None


def find_actor(text: str) -> tuple[str, int, int] | None:
    """(actor, start, end) for the first attacking force named, in ACTORS' order of precedence."""
    for name, pattern in _ACTORS:
        m = pattern.search(text)
        if m:
            return name, m.start(), m.end()
    return None


def find_event_type(text: str) -> str | None:
    """The kind of attack the words describe (drone strike, shelling, airstrike, …), or None."""
    for name, pattern in _EVENTS:
        if pattern.search(text):
            return name
    return None


def _domain(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().rstrip(".,;"), flags=re.IGNORECASE)
    return re.sub(r"^www\.", "", url.split("/")[0], flags=re.IGNORECASE)


def _tidy(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    phrase = re.sub(r"^(?:the|a|an)\s+(?=(?:activists|sources|residents|witnesses)\b)", "", phrase,
                    flags=re.IGNORECASE)
    return phrase[0].lower() + phrase[1:] if phrase[:1].isupper() and not phrase[1:2].isupper() \
        and phrase.split()[0].lower() in ("the", "a", "an", "local", "activists", "residents",
                                          "sources", "witnesses", "medics", "several", "some") else phrase
