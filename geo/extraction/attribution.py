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
            r"|(?:Britain|UK|London)-based\s+(?:war\s+)?(?:monitor|Observatory)",
    "SANA": r"\bSANA\b|Syrian\s+Arab\s+News\s+Agency|\b(?:the\s+)?(?:Syrian\s+)?(?:state|official|"
            r"government)(?:-run)?\s+news\s+agency|\b(?:Syrian\s+)?state\s+(?:media|television|TV)\b",
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
              "documented", "put", ":")
_SAY = (r"(?:said|say|says|reported|reports|told|added|stated|announced|claimed|confirmed|noted|documented|"
        r"put(?=\s+the\s+(?:death\s+)?(?:toll|number)))")
_SPEAKER_NOUN = (r"(?:activists?|sources?|residents?|witness(?:es)?|network|monitor(?:ing group)?|group|officials?|"
                 r"medics?|doctors?|nurses?|media|outlets?|agency|observers?|journalists?|correspondents?|people|"
                 r"council|committee|campaign|volunteers?|rescuers?|rescue\s+workers?|spokes(?:man|woman|person)|"
                 r"commanders?|chief|director|mayor|head|elders?|relatives?|survivors?|paramedics?)")
_NOT_SPEAKER = r"(?!(?:where|who|which|that|when|while|and|but|as)\b)"
# The few words naming a speaker right before a verb of saying: ", activists said".
_SPEAKER_BEFORE = re.compile(
    rf"(?:^|[,;:(]\s*|\bthe\s+|\b){_NOT_SPEAKER}(?P<src>(?:(?:the|a|an|local|several|some)\s+)?"
    rf"(?:{_NOT_SPEAKER}[\w'’-]+\s+){{0,3}}?{_SPEAKER_NOUN}"
    rf"(?:\s+(?:at|in|from|of|with)\s+(?:[\w'’-]+\s+){{0,3}}?[\w'’-]+)?)\s+(?:had\s+|have\s+)?{_SAY}\b",
    re.IGNORECASE)
# "… five of them children," said the head of the local council
_SPEAKER_AFTER = re.compile(
    rf"[\"”,]\s*(?:{_SAY})\s+(?P<src>(?:the|a|an)\s+(?:[\w'’-]+\s+){{0,3}}?{_SPEAKER_NOUN}"
    rf"(?:\s+(?:at|in|from|of|with)\s+[^,.;:\"”()]{{1,40}})?)",
    re.IGNORECASE)
# "Local network: 3 martyrs …", a post headed by who tells it
_SPEAKER_HEAD = re.compile(rf"\A(?P<src>(?:[\w'’-]+\s+){{0,2}}?{_SPEAKER_NOUN}):\s", re.IGNORECASE)
# "the Euphrates Post said": a name in capitals before a verb of saying
_NAMED_SPEAKER = re.compile(
    rf"(?:^|[,;(]\s*|\s)(?P<src>the\s+(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+)){{0,3}}"
    rf"|(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+)){{1,3}})\s+"
    rf"(?:had\s+|has\s+)?{_SAY}\b", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"\b(?:He|She|They|It|We|I|You|This|That|These|Those|There|Officials|On|In|At|By|"
                         r"For|From|Of|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Syria|Russia|"
                         r"Turkey|Iraq|Damascus|Moscow|Washington|Ankara|Baghdad)\b")
_ACCORDING_TO = re.compile(
    r"\baccording\s+to\s+(?P<src>(?:the\s+|a\s+)?[^,.;()]{2,60}?)(?=\s*(?:[,.;()]|$|\bwhich\b|\bwho\b|\bthat\b))",
    re.IGNORECASE)
# Bounded labels (at most 63 characters, 6 of them) and URL lengths: a run of "al-al-al-…" or
# "www.www.…" costs a few steps per character, never a rescan to the end of the text.
DOMAIN_RE = re.compile(
    r"\b(?:https?://[^\s<>()\"']{1,300}|(?:www\.)?[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63}){0,5}\.(?:com|org|net|ir|sy|uk|"
    r"fr|de|ru|info|news|tv|io|me|co)\b(?:/[^\s<>()\"']{0,300})?)",
    re.IGNORECASE)
_TLD_HINT = re.compile(r"\.(?:com|org|net|ir|sy|uk|fr|de|ru|info|news|tv|io|me|co)\b|https?://", re.IGNORECASE)
_PUBLISHER = re.compile(rf"(?P<dom>{DOMAIN_RE.pattern})\s+(?:has\s+)?(?:reported|said|says|reports)"
                        rf"|\baccording\s+to\s+(?P<dom2>{DOMAIN_RE.pattern})", re.IGNORECASE)
_MONITOR_PHRASE = re.compile(
    r"\bthe\s+(?:[\w-]+\s+)?(?:monitoring\s+group|(?:war\s+)?monitor)\b"
    r"|\bthe\s+(?:rights\s+|monitoring\s+|human\s+rights\s+)?(?:group|network|organi[sz]ation)"
    r"(?=\s+(?:also\s+)?(?:said|says|added|reported|documented|noted|counted)\b)", re.IGNORECASE)
# Sources that count the dead: "a war monitor" in a report that names one of them is that one.
MONITORS = ("SOHR", "Syrian Network for Human Rights", "Airwars", "Deir Ezzor 24",
            "Raqqa is Being Slaughtered Silently")
_GENERIC_MONITOR = re.compile(r"\A(?:a|the|one)\s+(?:[\w-]+\s+)?(?:monitor|monitoring\s+group)\Z", re.IGNORECASE)

# A country named alone is the actor only as the subject of an attack ("Russia bombed …"), not of
# a statement ("Russia denied …").
_STRUCK = r"(?:bombed|struck|shelled|pounded|hit|targeted|attacked|raided|carried\s+out|launched)\b"
ACTORS: tuple[tuple[str, str], ...] = (
    ("US-led coalition", r"\bUS-led\b|U\.S\.-led|\b(?:international|anti-IS|anti-ISIS|anti-Daesh|"
                         r"American-led|western)\s+coalition|\bthe\s+coalition(?:'s)?\b|\bcoalition\s+"
                         r"(?:jets|warplanes|aircraft|planes|air\s*strikes?|air\s*raids?|strikes?|raids?|drones?|forces)"
                         r"|\bAmerican\s+(?:jets|warplanes|aircraft|drones?)|\bUS\s+(?:jets|warplanes|"
                         r"aircraft|drones?|air\s*strikes?|forces|military)"),
    ("Russia", r"\bRussian\s+(?:and\s+Syrian\s+)?(?:jets|warplanes|aircraft|planes|air\s*force|"
               r"air\s*strikes?|air\s*raids?|raids?|bombers|helicopters|forces|military|strikes?)"
               r"|\bRussia(?:'s\s+(?:air\s*force|military|jets|warplanes|aircraft))?\s+" + _STRUCK),
    ("Syrian government", r"\b(?:Syrian\s+)?(?:government|regime|army|pro-government|government-"
                          r"allied)\s+(?:forces|jets|warplanes|aircraft|helicopters|troops|artillery|"
                          r"air\s*strikes?|raids?|shelling|planes)|\bSyrian\s+(?:army|air\s*force|"
                          r"jets|warplanes|helicopters|troops)|\bregime\s+(?:forces|jets)|barrel\s+bombs?"),
    ("Turkey", r"\bTurkish\s+(?:jets|warplanes|aircraft|drones?|army|forces|artillery|military|"
               r"air\s*strikes?|shelling)|\bTurkey\s+" + _STRUCK),
    ("Israel", r"\bIsraeli\s+(?:jets|warplanes|aircraft|air\s*strikes?|missiles?|strikes?)"),
    ("Islamic State", r"\b(?:(?-i:IS)|ISIS|ISIL|Daesh|Islamic\s+State)\s+(?:fighters|militants|"
                      r"shelling|shelled|snipers?|drones?|mortars?|car\s+bombs?|suicide)"),
    ("SDF", r"\bSDF\s+(?:fighters|forces|shelling|artillery)|\bSyrian\s+Democratic\s+Forces\s+shell"),
    ("unidentified aircraft", r"\b(?:unidentified\s+)?(?:war)?planes\b|\bwarplanes?\b|\baircraft\b|"
                              r"\bjets\b|\bhelicopters?\b|\bdrones?\b"),
)
_ACTORS = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in ACTORS]

# Event types by the words that name the weapon, most specific first. Generic verbs ("struck",
# "hit", "bombed", "raid") say an attack happened, not how: they give "airstrike" only when the
# clause names no weapon ("a shell struck the house" is shelling), and rockets or missiles fired
# by aircraft are an airstrike.
EVENT_TYPES: tuple[tuple[str, str], ...] = (
    ("drone strike", r"\bdrones?\b|\bUAVs?\b|unmanned\s+aerial"),
    ("barrel bomb", r"\bbarrel\s+bombs?\b"),
    ("explosion", r"\bcar\s+bomb(?:s|ing|ings)?\b|\bIEDs?\b|\bimprovised\s+explosive|\blandmines?\b|"
                  r"\b(?:land\s*)?mines?\b(?!\s+(?:of|and))|\bsuicide\s+(?:bomb\w*|attack\w*)|\bbooby[- ]trap\w*"),
    ("missile strike", r"\b(?:cruise|ballistic|surface-to-surface|guided)\s+missiles?\b"),
    ("shelling", r"\bshell(?:s|ing|ed)?\b|\bartillery\b|\bmortars?\b|\brocket\s+(?:fire|attack)s?\b|"
                 r"\bGrad\b|\bhowitzers?\b|\btank\s+fire\b"),
    ("airstrike", r"\bair\s*-?\s*strikes?\b|\bair\s*-?\s*raids?\b|\bairstrikes?\b|\bwarplanes?\b|"
                  r"\baircraft\b|\bjets\b|\baerial\b|\bhelicopters?\b|\bplanes?\b|\bair\s+force\b|\bbombers\b"),
    ("ground attack", r"\bclashes\b|\bgunmen\b|\bsnipers?\b|\bexecuted\b|\bgunfire\b"),
)
_WEAK_EVENTS = (
    ("missile strike", r"\bmissiles?\b"),
    ("shelling", r"\brockets?\b"),
    ("explosion", r"\bexplosions?\b|\bblasts?\b"),
    ("airstrike", r"\bbombard(?:ed|ment|ing)\b|\bbomb(?:ed|ing|s)?\b|\braids?\b|\bstruck\b|\bstrikes?\b"),
)
_EVENTS = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in EVENT_TYPES]
_WEAK = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in _WEAK_EVENTS]
_BY_AIR = re.compile(r"\b(?:warplanes?|aircraft|jets|helicopters?|planes?|air\s*-?\s*strikes?|airstrikes?|"
                     r"air\s*-?\s*raids?|drones?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    """A source as the report names it, with the span of the words."""

    source: str
    start: int
    end: int


def find_source(text: str, offset: int = 0, monitor: str | None = None) -> Attribution | None:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    """The source a passage cites: a named agency or monitor first, else the phrase used.

    `monitor` is the named monitor mentioned earlier in the report, which "the monitoring group"
    refers back to. A publishing web site ("presstv.ir reported") follows after " via ".
    """
    primary: Attribution | None = None
    low = text.lower()
    m = _KNOWN.search(text) if any(k in low for k in _KNOWN_HINTS) else None
    if m:
        assert m.lastgroup is not None  # every alternative of _KNOWN is a named group, "s<index>"
        primary = Attribution(_KNOWN_NAMES[int(m.lastgroup[1:])], m.start() + offset, m.end() + offset)
    if primary is None:
        m = _MONITOR_PHRASE.search(text)
        if m:
            primary = Attribution(monitor or m.group(0).lower(), m.start() + offset, m.end() + offset)
    if primary is None:
        m = _ACCORDING_TO.search(text)
        if m and not (_TLD_HINT.search(m.group("src")) and DOMAIN_RE.match(m.group("src"))):
            primary = Attribution(_tidy(m.group("src")), m.start("src") + offset, m.end("src") + offset)
    if primary is None and any(w in low for w in _SAY_HINTS):
        m = _SPEAKER_BEFORE.search(text) or _SPEAKER_AFTER.search(text) or _SPEAKER_HEAD.search(text)
        if m:
            primary = Attribution(_tidy(m.group("src")), m.start("src") + offset, m.end("src") + offset)
        else:
            n = next((n for n in _NAMED_SPEAKER.finditer(text) if not _NOT_A_NAME.search(n.group("src"))), None)
            if n:  # "the Euphrates Post said"
                name = _tidy(n.group("src"))
                primary = Attribution(name, n.end("src") - len(name) + offset, n.end("src") + offset)
    publisher = _PUBLISHER.search(text) if _TLD_HINT.search(text) else None
    if publisher:
        domain = _domain(publisher.group("dom") or publisher.group("dom2"))
        if primary is None:
            return Attribution(domain, publisher.start() + offset, publisher.end() + offset)
        if domain.lower() not in primary.source.lower():
            return Attribution(f"{primary.source} via {domain}", primary.start, primary.end)
    return primary


def is_generic_monitor(source: str) -> bool:
    """"a war monitor", "the monitoring group": a monitor the words do not name."""
    return bool(_GENERIC_MONITOR.match(source))


def source_spans(text: str) -> list[tuple[int, int]]:
    """Spans naming a known source ("Syrian Observatory for Human Rights"): not place names."""
    low = text.lower()
    if not any(k in low for k in _KNOWN_HINTS):
        return []
    return [(m.start(), m.end()) for m in _KNOWN.finditer(text)]


def find_url(text: str) -> str | None:
    """The first URL or web domain named in the text, as given."""
    m = DOMAIN_RE.search(text) if _TLD_HINT.search(text) else None
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
            if name == "drone strike" or name == "barrel bomb" or name == "explosion":
                return name
            if name in ("missile strike", "shelling") and _BY_AIR.search(text) and not \
                    re.search(r"\bshell(?:s|ing|ed)?\b|\bartillery\b|\bmortars?\b", text, re.IGNORECASE):
                return "airstrike"  # "warplanes fired guided missiles"
            return name
    for name, pattern in _WEAK:
        if pattern.search(text):
            return "airstrike" if name in ("missile strike", "shelling") and _BY_AIR.search(text) else name
    return None


def _domain(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().rstrip(".,;"), flags=re.IGNORECASE)
    return re.sub(r"^www\.", "", url.split("/")[0], flags=re.IGNORECASE)


def _tidy(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    phrase = re.sub(r"^(?:the|a|an)\s+(?=(?:activists|sources|residents|witnesses)\b)", "", phrase,
                    flags=re.IGNORECASE)
    phrase = re.sub(r"^the\s+(?=[A-Z])", "", phrase)  # "the Raqqa Post" → "Raqqa Post", as named
    return phrase[0].lower() + phrase[1:] if phrase[:1].isupper() and not phrase[1:2].isupper() \
        and phrase.split()[0].lower() in ("the", "a", "an", "local", "activists", "residents",
                                          "sources", "witnesses", "medics", "several", "some") else phrase
