"""Counts of people in a clause, and whether they were killed or injured.

A count is a figure (`geo.extraction.numbers`) with the people it counts: "17 civilians", "a family of
seven" (7), "a woman and her two children" (3, of them 2 children and 1 woman), "a child" (1).
Counts introduced by "including", "among them", "three of them children" or "were among the
dead" are parts of a toll (`part=True`). A count's role comes from the verb next to it:
"killing 30 people", "eight civilians were killed", "20 others were wounded"; nouns of the dead
("eight bodies", "six martyrs") are a toll by themselves. Ages told after a count ("two brothers,
aged 9 and 12") are not counts; when all are under 18 the count is of children.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from geo.extraction.numbers import NUMBER, Figure, find_figures, word_to_int

CHILD_NOUNS = ("children", "child", "kids", "minors", "boys", "girls", "boy", "girl", "infants",
               "infant", "babies", "baby", "toddlers", "toddler", "schoolchildren", "students",
               "pupils", "newborns", "newborn")
DEAD_NOUNS = ("bodies", "martyrs", "corpses")  # a count of these is a toll, whatever the verb
WOMAN_NOUNS = ("women", "woman", "mothers", "mother", "wife", "wives", "sisters", "sister",
               "grandmother")
MAN_NOUNS = ("men", "man", "fathers", "father", "husband", "brothers", "brother", "sons", "son",
             "shepherd", "shepherds", "farmer", "farmers", "grandfather")
OTHER_PEOPLE = ("civilians", "civilian", "people", "persons", "person", "residents", "villagers",
                "inhabitants", "individuals", "members", "others", "victims", "family", "families",
                "fighters", "militants", "soldiers", "displaced", "workers", "teenagers", "daughters",
                "daughter", "relatives", "siblings", "parents", "worshippers", "passengers", "patients",
                "medics", "doctors", "nurses", "journalists", "teachers", "refugees", "adults",
                "more") + DEAD_NOUNS
PEOPLE = CHILD_NOUNS + WOMAN_NOUNS + MAN_NOUNS + OTHER_PEOPLE
_PEOPLE = "|".join(sorted(set(PEOPLE), key=len, reverse=True))
_CHILD = "|".join(sorted(CHILD_NOUNS, key=len, reverse=True))
_WOMAN = "|".join(sorted(WOMAN_NOUNS, key=len, reverse=True))
_ADJ = (r"(?:civilian|other|more|young|elderly|old|displaced|innocent|local|unarmed|Syrian|Iraqi|"
        r"IS|ISIS|Daesh|pro-government|government|regime|rebel|Kurdish|Arab|male|female|adult|"
        r"teenage|unidentified|further|additional|fellow|[\w-]+-year-old|of\s+the\s+same|of\s+one)")
_NOUN_AFTER = re.compile(rf"\A(?:\s+{_ADJ}){{0,2}}\s+(?P<noun>{_PEOPLE})\b", re.IGNORECASE)
# A bare figure (no noun) is a count only when a verb or preposition follows.
_BARE_OK = re.compile(r"\A\s*(?:[,.;:)]|$|(?:were|was|have|had|are|is|killed|dead|died|wounded|"
                      r"injured|hurt|in|at|on|and|when|after|from|during|more|others|perished)\b)",
                      re.IGNORECASE)
_NOT_A_COUNT_BEFORE = re.compile(r"(?:\bof|\bNo\.|\bnumber|\bresolution|\broute|\bhighway|\$|#|"
                                 r"\bat|\bpage|(?<!ranging\s)(?<!ranged\s)\bfrom)\s*$|\d[:.]\s*$|\w\($", re.IGNORECASE)

KILL_WORDS = (r"killed|kills|killing|kill|dead|died|die|dies|deaths?|perished|slain|lost\s+their\s+lives|"
              r"lost\s+(?:his|her)\s+life|fatalit(?:y|ies)|massacred|bodies|lifeless|death\s+toll|"
              r"martyred|wiped\s+out")
INJURE_WORDS = r"wounded|injured|hurt|injuries|wounding|injuring|maimed"
_ROLE_AFTER = re.compile(rf"\b(?P<kill>{KILL_WORDS})\b|\b(?P<injure>{INJURE_WORDS})\b", re.IGNORECASE)
# Words that end the search for a figure's verb: a new clause about something else.
_BREAK = re.compile(r"\b(?:where|which|who|whom|whose|because|but|although|though|while|whereas|"
                    r"since|according|said|says|told|after\s+(?:the|a|an)\s+\w+\s+(?:had|was))\b|[;:(]",
                    re.IGNORECASE)
# "the death toll", "the number of dead", "the toll from Saturday's strikes"
_TOLL_NOUN = (r"(?:(?:death\s+)?toll|(?:number|count|tally)\s+of\s+(?:the\s+)?(?:dead|deaths|victims|fatalities|martyrs|"
              r"(?:people|civilians|those)\s+killed))")
# "revised the figure to 12": a new toll for an incident already told (extract keeps it with that one)
REVISED_TO = (r"(?:revised|revising|revises|corrected|correcting|updated|updating|raised|lowered)\s+"
              r"(?:the|its|their|that)\s+(?:figure|toll|count|number|tally)\s+to")
_ROLE_BEFORE = re.compile(
    rf"(?P<kill>\b(?:(?:put|puts|putting|placed|places|placing|estimated|estimates|estimating|set|sets)"
    rf"\s+(?:the\s+)?{_TOLL_NOUN}(?:\s+[\w'’-]+){{0,8}}?\s+at"
    rf"|{_TOLL_NOUN}(?:\s+[\w'’-]+){{0,12}}?\s+(?:stood|stands|was|is|reached|rose|risen|climbed)\s+(?:to|at)"
    rf"|{_TOLL_NOUN}(?:[\s,]+[\w'’-]+){{0,16}}?\s+(?:has\s+|had\s+)?(?:reached|rose|risen|climbed|climbs|rises|"
    rf"jumped|jumps|increased|stood|stands)(?:\s+to|\s+at)?"
    rf"|\b(?:raised|revised|put|puts|updated)\s+the\s+(?:death\s+)?toll(?:[\s,]+[\w'’-]+){{0,16}}?\s+(?:to|at)"
    r"|killing|killed|kills|kill|claimed\s+the\s+lives\s+of|claiming\s+the\s+lives\s+of|"
    r"took\s+the\s+lives\s+of|taking\s+the\s+lives\s+of|bodies\s+of|deaths\s+of|martyrdom\s+of|massacred|"
    r"death\s+toll(?:\s+[\w-]+){0,5}?\s+(?:to|of|at)|toll(?:\s+[\w'’-]+){0,6}?\s+(?:rose|risen|climbed|"
    r"reached|stood|jumped|increased|gone\s+up)(?:\s+to|\s+at)?|dead\s+(?:rose|climbed)\s+to|dead\s+numbered|"
    rf"death\s+of|{REVISED_TO}|(?:brings|bringing|brought|raising|raises|raised|pushing|pushes|pushed)\s+"
    r"(?:the\s+(?:death\s+)?(?:toll|number\s+of\s+(?:dead|deaths))\s+)?to))\s+$"
    r"|(?P<injure>\b(?:wounding|wounded|injuring|injured|hurting|hurt|maiming)\s+(?:another\s+)?)$"
    r"|(?P<left>\b(?:left|leaving|leave)\s+)$",
    re.IGNORECASE)
_LEFT_ROLE = re.compile(rf"\A(?:\s+[\w-]+){{0,3}}?\s+(?P<kill>dead|killed)\b|\A(?:\s+[\w-]+){{0,3}}?"
                        rf"\s+(?P<injure>{INJURE_WORDS})\b", re.IGNORECASE)
_QUAL_WORDS = re.compile(r"(?:\b(?:at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to|"
                         r"as\s+many\s+as|another|an\s+additional|a\s+further|the)\s+)+$", re.IGNORECASE)

_HYPOTHETICAL = re.compile(r"\b(?:could|might|would|will|should)\s+(?:be|have\s+been|die)\b|\brisk(?:s|ing)?\b"
                          r"|\bthreat(?:ened)?\b|\bfear(?:ed|s)?\b", re.IGNORECASE)

# Ages after a count, "(aged 9 and 12)", "aged between 4 and 11": not counts of people.
_AGES = re.compile(rf"\b(?:aged|ages(?:\s+of)?|age\s+of)\s+(?:between\s+)?(?P<ages>{NUMBER}"
                   rf"(?:\s*(?:,|and|to|or|[-–])\s*{NUMBER})*)", re.IGNORECASE)
ADULT_AGE = 18

_OF_THE_VICTIMS = re.compile(r"\A\s+of\s+the\s+(?P<noun>victims|dead|people|civilians|casualties)\b", re.IGNORECASE)
_LOOK_BACK = 120  # characters before a figure that can say what it counts
MAX_FIGURES = 200  # per clause: no sentence of a report holds more; keeps extraction linear

# Parts of a toll.
_PART_BEFORE = re.compile(r"\b(?:including|includes|included|among\s+them|among\s+whom(?:\s+(?:were|are|was))?|"
                          r"of\s+whom|incl\.|amongst\s+them|among\s+those\s+killed\s+(?:were|are))\s*$",
                          re.IGNORECASE)
_PART_CHAIN = re.compile(r"\A\s*(?:,|and|,\s*and|as\s+well\s+as)\s*\Z", re.IGNORECASE)
_OF_THEM = re.compile(rf"\A\s+of\s+(?:them|whom|the\s+(?:dead|victims|deceased|killed|fatalities))"
                      rf"(?:\s+(?:were|was|are|being))?\s+(?:(?:a|an)\s+)?(?P<noun>{_CHILD}|{_WOMAN})\b",
                      re.IGNORECASE)
_AMONG_AFTER = re.compile(r"\A\s+(?:were|was|are|being)?\s*(?:also\s+)?among\s+the\s+(?:dead|deceased|victims|"
                          r"killed|fatalities|casualties|those\s+killed|dead\s+and\s+wounded)\b", re.IGNORECASE)
_DEAD_INCLUDED = re.compile(r"\b(?:the\s+)?(?:dead|victims|deceased|fatalities|those\s+killed)\s+"
                            r"(?:included|include|includes|were)\s*$", re.IGNORECASE)

# Counts implied by nouns.
_PERSON = (r"(?:(?:young|elderly|old|pregnant|teenage|disabled|[\w-]+-year-old)\s+)?"
           rf"(?P<first>{_CHILD}|{_WOMAN}|{'|'.join(MAN_NOUNS)}|civilian|person|teenager|couple|"
           r"doctor|nurse|teacher|journalist|worker|driver|student|neighbou?r|passer-?by|relative|"
           r"guard|fisherman|resident|paramedic|rescuer|volunteer)")
_SINGLE = re.compile(rf"\b(?:a|an|one)\s+{_PERSON}\b", re.IGNORECASE)
# "… and her husband badly hurt": one relative, named after someone else's fate
_KIN = re.compile(r"\b(?:her|his|their)\s+(?:(?:young|elderly|old|teenage|[\w-]+-year-old)\s+)?"
                  r"(?P<first>husband|wife|son|daughter|father|mother|brother|sister|baby|child|grandmother|"
                  r"grandfather)\b", re.IGNORECASE)
_RELATIVE = re.compile(
    rf"\A(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)(?:her|his|their)\s+(?:(?P<n>{NUMBER})\s+)?"
    r"(?:(?P<young>infant|baby|newborn|little|young|toddler)\s+)?"
    r"(?P<rel>children|child|kids|babies|baby|sons|son|daughters|daughter|brothers|brother|sisters|"
    r"sister|mother|father|wife|husband|parents|grandchildren|grandchild|relatives|cousins?|nephews?|"
    r"nieces?|grandmother|grandfather)\b", re.IGNORECASE)
_FAMILY = re.compile(
    rf"\b(?:a|an|one|the|entire|whole|same)\s+(?:entire\s+|whole\s+|same\s+)?family\s+of\s+(?P<n>{NUMBER})\b"
    rf"|\b(?P<n2>{NUMBER})\s+(?:members\s+of\s+(?:a|one|the\s+same|the)\s+family|family\s+members)\b",
    re.IGNORECASE)
_NOT_PEOPLE_AFTER = re.compile(
    r"\A\s*(?:%|percent|per\s+cent|km|kilomet|kilomet|miles?|met(?:er|re)s?|years?|months?|weeks?|"
    r"days?|hours?|minutes?|times|strikes?|airstrikes?|raids?|houses?|homes?|buildings?|targets?|"
    r"vehicles?|tons?|dollars?|\$|[:/]|-year)", re.IGNORECASE)


@dataclass
class Count:
    """People counted by some words: `low`..`high`, with the children and women among them."""

    figure: Figure
    start: int
    end: int
    noun: str | None = None
    children: int | None = None
    women: int | None = None
    role: str | None = None  # "killed" | "injured" | None
    part: bool = False  # a part of a toll ("including four children")
    part_of: str | None = None  # "children" | "women" | "group" (both, as counted) for parts
    orphan_part: bool = False  # "three children were among the dead": part of an earlier toll
    parts: list["Count"] = field(default_factory=list)
    role_told_before: bool = False  # the verb came first: "killing 30 people"

    @property
    def low(self) -> int | None:
        return self.figure.low

    @property
    def high(self) -> int | None:
        return self.figure.high

    @property
    def vague(self) -> str | None:
        return self.figure.vague


def find_counts(clause: str, offset: int = 0) -> list[Count]:
    """The counts of people in a clause with their roles; parts are attached to their toll."""
    counts = _implied_counts(clause)
    ages = list(_AGES.finditer(clause)) if "age" in clause.lower() else []
    taken = [(c.start, c.end) for c in counts] + [(m.start("ages"), m.end("ages")) for m in ages]
    for fig in find_figures(clause)[:MAX_FIGURES]:
        if any(s <= fig.start < e or s < fig.end <= e for s, e in taken):
            continue
        count = _count_from_figure(clause, fig)
        if count is not None:
            counts.append(count)
    # "one of the dead was a girl": the part's words hold a smaller count, which is not another
    counts = [c for c in counts if not any(o is not c and o.start <= c.start and c.end <= o.end
                                           and o.end - o.start > c.end - c.start for o in counts)]
    counts.sort(key=lambda c: c.start)
    _children_by_age(clause, counts, ages)
    _mark_parts(clause, counts)
    _find_roles(clause, counts)
    counts = _breakdowns(clause, counts)
    counts = _group(clause, counts)
    _attach_parts(counts)
    _confirmed_floor(clause, counts)
    for c in counts:
        _shift(c, offset)
    return counts


def tolls(counts: list[Count]) -> list[Count]:
    """The killed counts that stand for a toll (not parts)."""
    return [c for c in counts if c.role == "killed" and not c.part]


# --- building counts ----------------------------------------------------------------------------

def _implied_counts(clause: str) -> list[Count]:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    out: list[Count] = []
    for m in (_FAMILY.finditer(clause) if "famil" in clause.lower() else ()):
        text = m.group("n") or m.group("n2")
        value = word_to_int(text)
        if value:
            out.append(Count(Figure(m.start(), m.end(), m.group(0), value), m.start(), m.end(), "family"))
    for m in _SINGLE.finditer(clause):
        if any(c.start <= m.start() < c.end for c in out):
            continue
        first = m.group("first").lower()
        total = 2 if first == "couple" else 1
        children = 1 if first in CHILD_NOUNS else 0
        women = 1 if first in WOMAN_NOUNS or first == "couple" else 0
        end = m.end()
        while True:
            rel = _RELATIVE.match(clause[end:])
            if not rel:
                break
            n = word_to_int(rel.group("n")) if rel.group("n") else (2 if rel.group("rel").lower() == "parents" else 1)
            if n is None:
                break
            name = rel.group("rel").lower()
            total += n
            if name in ("children", "child", "kids", "babies", "baby") or rel.group("young"):
                children += n
            if name in ("mother", "wife", "sister", "sisters", "grandmother"):
                women += n
            end += rel.end()
        words = clause[m.start():end]
        out.append(Count(Figure(m.start(), end, words, total), m.start(), end, first,
                         children or None, women or None))
    for m in _KIN.finditer(clause):
        if any(c.start <= m.start() < c.end for c in out):
            continue  # "a woman and her husband" is counted with the woman
        first = m.group("first").lower()
        out.append(Count(Figure(m.start(), m.end(), m.group(0), 1), m.start(), m.end(), first,
                         1 if first in CHILD_NOUNS else None, 1 if first in WOMAN_NOUNS else None))
    return out


def _count_from_figure(clause: str, fig: Figure) -> Count | None:
    after = clause[fig.end:]
    before = clause[max(0, fig.start - _LOOK_BACK):fig.start]
    dead_noun = re.match(rf"\A\s+(?:{'|'.join(DEAD_NOUNS)})\b", after, re.IGNORECASE)
    if (_NOT_A_COUNT_BEFORE.search(before) and not _ROLE_BEFORE.search(before) and not dead_noun) \
            or _NOT_PEOPLE_AFTER.match(after):
        return None
    if fig.low is not None and 1900 <= fig.low <= 2100 and fig.high is None and "," not in fig.text:
        return None  # a year
    of_them = _OF_THEM.match(after)
    if of_them:
        noun = of_them.group("noun").lower()
        part_of = "children" if noun in CHILD_NOUNS else "women"
        return Count(fig, fig.start, fig.end + of_them.end(), noun, part=True, part_of=part_of)
    noun_match = _NOUN_AFTER.match(after) or _OF_THE_VICTIMS.match(after)
    if noun_match:
        noun = noun_match.group("noun").lower()
        end = fig.end + noun_match.end()
    elif fig.vague and (m := re.match(r"\A\s+of\s+(?:the\s+)?(?:[\w-]+\s+)?(?P<noun>" + _PEOPLE + r")\b", after,
                                      re.I)):
        noun, end = m.group("noun").lower(), fig.end + m.end()
    elif _BARE_OK.match(after) or re.match(r"\A\s*[—–-]", after) or _ROLE_BEFORE.search(before):
        noun, end = None, fig.end
    else:
        return None
    if fig.vague and noun is None and not _ROLE_BEFORE.search(before) and not re.match(
            rf"\A\s+(?:(?:were|have|had)\s+(?:been\s+)?)?(?:killed|dead|{INJURE_WORDS})\b", after, re.I):
        return None
    children = fig.low if noun in CHILD_NOUNS else None
    women = fig.low if noun in WOMAN_NOUNS else None
    return Count(fig, fig.start, end, noun, children, women)


# --- parts, roles, groups -----------------------------------------------------------------------

def _children_by_age(clause: str, counts: list[Count], ages: list[re.Match]) -> None:
    """"Two brothers, aged 9 and 12": the count just before the ages is of children when all
    the ages are under 18."""
    for m in ages:
        values = [word_to_int(n.group(0)) for n in re.finditer(NUMBER, m.group("ages"), re.IGNORECASE)]
        ages_read = [v for v in values if v is not None]
        if not values or len(ages_read) < len(values) or max(ages_read) >= ADULT_AGE:
            continue
        before = [c for c in counts if c.end <= m.start() and re.fullmatch(r"[\s,(]*", clause[c.end:m.start()])]
        if before and before[-1].low is not None and before[-1].children is None:
            before[-1].children = before[-1].low


def _mark_parts(clause: str, counts: list[Count]) -> None:
    previous: Count | None = None
    for count in counts:
        before = clause[max(0, count.start - _LOOK_BACK):count.start]
        if not count.part and count.noun in CHILD_NOUNS + WOMAN_NOUNS:
            chained = previous is not None and previous.part and \
                _PART_CHAIN.match(clause[previous.end:count.start])
            if _PART_BEFORE.search(before) or _DEAD_INCLUDED.search(before) or chained:
                count.part = True
            elif _AMONG_AFTER.match(clause[count.end:]):
                count.part, count.orphan_part = True, True
        elif not count.part and (count.children or count.women) and _AMONG_AFTER.match(clause[count.end:]):
            # "a couple and their infant daughter were among the dead": the children and women of a toll
            count.part, count.orphan_part, count.part_of = True, True, "group"
        previous = count
    for i in range(len(counts) - 2, -1, -1):  # "four children and two women were among the dead"
        count, after = counts[i], counts[i + 1]
        if after.orphan_part and not count.part and count.noun in CHILD_NOUNS + WOMAN_NOUNS \
                and _PART_CHAIN.match(clause[count.end:after.start]):
            count.part, count.orphan_part = True, True
    for count in counts:
        if count.part and count.part_of is None:
            count.part_of = "children" if count.noun in CHILD_NOUNS else "women"


def _masked(clause: str, counts: list[Count]) -> str:
    """The clause with parts blanked out, so a toll finds its verb past "including five children"."""
    chars = list(clause)
    for c in counts:
        if c.part:
            for i in range(c.start, min(c.end, len(chars))):
                chars[i] = " "
    return "".join(chars)


def _find_roles(clause: str, counts: list[Count]) -> None:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    masked = _masked(clause, counts)
    mains = [c for c in counts if not c.part]
    for i, count in enumerate(mains):
        before = _QUAL_WORDS.sub("", clause[max(0, count.start - _LOOK_BACK):count.start])
        m = _ROLE_BEFORE.search(before)
        if count.noun in DEAD_NOUNS and not (m and m.group("injure")):
            count.role = "killed"
            continue
        if _ROSE_TO.search(before) and _NUMBER_OF_DEAD.search(masked, count.end, count.end + 300):
            count.role, count.role_told_before = "killed", True  # "It rose to 5 … the number of people killed"
            continue
        if m is None and i > 0 and mains[i - 1].role and count.noun is not None and \
                mains[i - 1].role_told_before and _PART_CHAIN.match(clause[mains[i - 1].end:count.start]):
            count.role = mains[i - 1].role  # "killing a driver and two passengers"
            continue
        if m and m.group("kill"):
            count.role, count.role_told_before = "killed", True
            continue
        if m and m.group("injure"):
            count.role, count.role_told_before = "injured", True
            continue
        if m and m.group("left"):
            left = _LEFT_ROLE.match(masked[count.end:])
            if left:
                count.role = "killed" if left.group("kill") else "injured"
                continue
        limit = mains[i + 1].start if i + 1 < len(mains) else len(clause)
        window = masked[count.end:min(limit, count.end + 90)]
        stop = _BREAK.search(window)
        if stop:
            window = window[:stop.start()]
        role = _ROLE_AFTER.search(window)
        if role and _HYPOTHETICAL.search(window[:role.start()]):
            role = None  # "could be killed": a warning, not a report
        if role:
            count.role = "killed" if role.group("kill") else "injured"
        elif count.noun is None and i > 0 and mains[i - 1].role and \
                re.search(r"\band\s*$", clause[mains[i - 1].end:count.start]) and \
                re.match(r"\A\s+(?:in|at|near)\b", clause[count.end:]):
            count.role = mains[i - 1].role  # "eight were killed in Hajin and three in al-Susah"
    for i in range(len(mains) - 2, -1, -1):  # "five children and three women were killed"
        if mains[i].role is None and _PART_CHAIN.match(clause[mains[i].end:mains[i + 1].start]):
            mains[i].role = mains[i + 1].role


_ROSE_TO = re.compile(r"\b(?:rose|risen|increased|climbed|raised|reached)\s+to\s*$", re.IGNORECASE)
_NUMBER_OF_DEAD = re.compile(r"\bthe\s+number\s+of\s+(?:[\w-]+\s+){0,3}?(?:(?:who|that)\s+(?:were|have\s+been|had\s+been)\s+"
                             r"(?:killed|documented)|killed|dead|deaths|martyrs|victims|fatalities)\b", re.IGNORECASE)
_CONFIRMED = re.compile(rf"\b(?:confirm|confirmed|verify|verified|identify|identified|document|documented)\s+"
                        rf"(?:so\s+far\s+)?(?:only\s+|just\s+)?(?P<n>{NUMBER})\b(?!\s+(?:strikes?|raids?|attacks?))",
                        re.IGNORECASE)


def _confirmed_floor(clause: str, counts: list[Count]) -> None:
    """"Up to 40 … could confirm only 18 names": the confirmed number is the toll's floor."""
    for count in counts:
        if count.role != "killed" or count.part or count.low is not None or not count.high:
            continue
        m = _CONFIRMED.search(clause, count.end)
        value = word_to_int(m.group("n")) if m else None
        if value is not None and value < count.high:
            count.figure = replace(count.figure, low=value)


def _breakdowns(clause: str, counts: list[Count]) -> list[Count]:
    """"Nine people, five children, three women and an elderly man": a list right after a count
    that adds up to it breaks the count down; its children and women are parts, the rest dropped."""
    out: list[Count] = []
    i = 0
    while i < len(counts):
        head = counts[i]
        out.append(head)
        i += 1
        if head.part or head.noun in CHILD_NOUNS + WOMAN_NOUNS + MAN_NOUNS or head.low is None or head.high:
            continue
        total, j = 0, i
        while j < len(counts) and total < head.low and (low := counts[j].low) is not None and not counts[j].part \
                and _PART_CHAIN.match(clause[counts[j - 1].end:counts[j].start]):
            total += low
            j += 1
        if j - i < 2 or total != head.low:
            continue
        for item in counts[i:j]:
            if item.noun in CHILD_NOUNS + WOMAN_NOUNS:
                item.part, item.part_of = True, "children" if item.noun in CHILD_NOUNS else "women"
                item.role = head.role
                out.append(item)
        i = j
    return out


def _group(clause: str, counts: list[Count]) -> list[Count]:
    """Join "five children and three women were killed" into one count of eight."""
    out: list[Count] = []
    for count in counts:
        prev = out[-1] if out else None
        if prev is not None and not prev.part and not count.part and prev.role == count.role == "killed" \
                and prev.low is not None and count.low is not None and prev.high is None and count.high is None \
                and _PART_CHAIN.match(clause[prev.end:count.start]) and prev.noun != count.noun:
            total = prev.low + count.low
            text = clause[prev.figure.start:count.end]
            merged = Count(replace(prev.figure, end=count.figure.end, text=text, low=total),
                           prev.start, count.end, "people",
                           _add(prev.children, count.children), _add(prev.women, count.women), "killed")
            out[-1] = merged
            continue
        out.append(count)
    return out


def _attach_parts(counts: list[Count]) -> None:
    last_main: Count | None = None
    for count in counts:
        if not count.part:
            last_main = count
            continue
        if count.orphan_part:
            continue
        target = last_main
        if target is None:  # "including five children, 17 people were killed"
            target = next((c for c in counts if not c.part and c.start > count.start), None)
        if target is not None:
            target.parts.append(count)
        else:
            count.orphan_part = True


def _add(a: int | None, b: int | None) -> int | None:
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


def _shift(count: Count, offset: int) -> None:
    """Move a count's spans from clause to text positions (parts are shifted as list members)."""
    if offset:
        count.start += offset
        count.end += offset
        count.figure = replace(count.figure, start=count.figure.start + offset,
                               end=count.figure.end + offset)
