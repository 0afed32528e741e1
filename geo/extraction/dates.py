"""Dates in report text: the dateline, and the day an expression like "on Sunday" points to.

Relative words count back from the report's date: "on Sunday" is the most recent Sunday on or
before it, "yesterday", "last night" and "overnight" the day before, "a day after"/"a day
earlier" one day back (the event told in that clause came first), "over the weekend" the last
Saturday–Sunday, "since Monday" a running toll from that Monday to the report date
(`cumulative`), "on Friday and Saturday" a span. "The previous day" counts back from a day the same
clause names ("said on Sunday … the previous day"). Tolls over months or years ("since September 2014", "this year") are history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

_WD = "|".join(WEEKDAYS)
_MON = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?![a-z])\.?"
_SMALL = r"(?:a|an|one|two|three|four|five|six|seven|\d{1,4}(?!\d))"
_SMALL_VALUES = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7}

DATELINE_RE = re.compile(r"\A\s*date\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
_WIRE_DATE_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MON})|(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?)\s+(?P<y>(?:19|20)\d\d)\b",
    re.IGNORECASE)

# Each pattern names its kind; the first kind in PRIORITY found in a clause decides its date.
# "BEIRUT, Sept. 14 (Agency) -" after a 'date' line: the place and day the item was filed, not the event
_WIRE_HEAD_RE = re.compile(
    rf"[ \t]*[A-Z][A-Z .'’-]+,(?:[ \t]*[A-Z][a-z]+,)?[ \t]*(?:{_MON}[ \t]+\d{{1,2}}|\d{{1,2}}[ \t]+{_MON})"
    r"(?:,?[ \t]*(?:19|20)\d\d)?[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*[-—–]+[ \t]+", re.IGNORECASE)

_PATTERNS: dict[str, re.Pattern[str]] = {name: re.compile(rx, re.IGNORECASE) for name, rx in {
    "history": rf"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:{_MON}\s+)?(?:19|20)\d\d\b"
               r"|\b(?:[\w-]+-year(?:-old)?|years?-long|long-running)\s+(?:civil\s+)?(?:conflict|war)\b"
               r"|\b(?:conflict|war)\s+(?:has|had)\s+(?:so\s+far\s+)?killed\b|\bsince\s+(?:the\s+)?(?:eruption|outbreak)\b"
               r"|\bsince\s+the\s+(?:start|beginning|outset)\s+of\b|\b(?:so far\s+)?this\s+year\b"
               r"|\bsince\s+(?:the\s+)?(?:campaign|offensive|war|battle|conflict)\b"
               rf"|\bin\s+(?:{_MON}\s+)?(?:19|20)\d\d\b|\blast\s+year\b"
               r"|\banniversary\b|\b(?:years?|decades?)\s+ago\b|\byears\s+since\b"
               r"|\b(?:a|the|its)\s+(?:19|20)\d\d\s+(?:massacre|attack|strike|raid|bombing|offensive|battle|siege)",
    "since_weekday": rf"\bsince\s+(?:last\s+)?(?P<wd>{_WD})\b",
    "since_date": rf"\bsince\s+(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MON})|(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}}))\b",
    "past_days": rf"\b(?:in|over|during)\s+the\s+(?:past|last)\s+(?:(?P<n>{_SMALL})\s+)?(?P<unit>days?|weeks?|24\s+hours|48\s+hours)\b",
    "last_month": r"\blast\s+month\b|\b(?:so\s+far\s+)?this\s+month\b",
    "last_week": r"\blast\s+week\b|\b(?:so\s+far\s+)?this\s+week\b",
    "date_span": rf"\b(?:between|from)\s+(?:the\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:and|to|until|through)\s+"
                 rf"(?:the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MON})(?:,?\s+(?P<y>(?:19|20)\d\d))?"
                 rf"|\b(?:between|from)\s+(?P<m2>{_MON})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:and|to|until|through)\s+"
                 rf"(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d))?",
    "explicit": rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MON})|(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b)(?:,?\s+(?P<y>(?:19|20)\d\d))?"
                r"|\b(?P<iso>\d{4}-\d{2}-\d{2})\b",
    "weekday_span": rf"\b(?:on|between|from)\s+(?P<wd>{_WD})\s+(?:and|to|until|through)\s+(?:on\s+)?(?P<wd2>{_WD})\b",
    "weekend": r"\b(?:over|at|during)\s+the\s+weekend\b|\bthis\s+(?:past\s+)?weekend\b|\blast\s+weekend\b",
    "days_before": rf"\b(?P<n>{_SMALL})\s+days?\s+(?:after|earlier|before|ago|prior)\b"
                   r"|\bthe\s+(?:previous|preceding)\s+day\b|\bthe\s+day\s+before\b|\bthe\s+day\s+before\s+yesterday\b",
    "yesterday": r"\b(?:the\s+day\s+before\s+)?yesterday(?:'s)?\b",
    "night": r"\blast\s+night\b|\bovernight\b|\bduring\s+the\s+night\b|\blate\s+on\s+the\s+previous\s+night\b",
    "today": r"\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\bearlier\s+in\s+the\s+day\b|\btonight\b",
    "weekday": rf"\b(?:(?P<last>last)\s+)?(?P<wd>{_WD})(?:'s)?\b",
}.items()}
PRIORITY = ("history", "since_weekday", "since_date", "past_days", "last_month", "last_week",
            "date_span", "explicit", "weekday_span", "weekend", "days_before", "yesterday", "night", "today", "weekday")


# A toll told as past context, not this report's news: "last year's", "earlier this month",
# "last week", "the attack on April 4", "two weeks ago", "in late October"
PAST_CONTEXT = re.compile(
    rf"\blast\s+(?:year|month|week)(?:['’]s)?\b|\bearlier\s+(?:this|that|last)\s+(?:month|year|week)\b"
    rf"|\b(?:two|three|four|several|a\s+few|\d{{1,2}})\s+(?:weeks|months)\s+ago\b|\ba\s+(?:week|month|year)\s+ago\b"
    rf"|\b(?:attack|strike|massacre|bombing|raid|shelling|assault)s?\s+(?:(?:on|of)\s+)?(?:(?P<d1>\d{{1,2}})\s+{_MON}|{_MON}\s+\d{{1,2}})\b"
    rf"|\bin\s+(?:early|mid|late)[-\s]+{_MON}(?!\s+\d)|\b(?:in|during)\s+(?:the\s+month\s+of\s+)?{_MON}(?!\s*\d)(?!\w)"
    rf"|\bearlier\s+in\s+{_MON}\b",
    re.IGNORECASE)
_NAMED_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MON})|(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?)"
    rf"\s+(?P<y>(?:19|20)\d\d)\b|\b(?P<iso>(?:19|20)\d\d-\d\d-\d\d)\b", re.IGNORECASE)


def latest_named_date(text: str, today: dt.date) -> dt.date | None:
    """The latest full date (day, month and year) the text names, not after `today`: what a
    report without a dateline counts "on Monday" and "yesterday" from."""
    best = None
    day: dt.date | None
    for n, m in enumerate(_NAMED_DATE.finditer(text)):
        if n >= 200:
            break
        if m.group("iso"):
            try:
                day = dt.date.fromisoformat(m.group("iso"))
            except ValueError:
                continue
        else:
            day = _make_date(int(m.group("y")), m.group("m1") or m.group("m2"), m.group("d1") or m.group("d2"))
        if day is not None and day <= today and (best is None or day > best):
            best = day
    return best


@dataclass(frozen=True)
class TimeRef:
    """The day (or span) a clause's words point to, and the words themselves."""

    kind: str
    date: dt.date | None
    date_end: dt.date | None = None
    cumulative: bool = False
    words: str = ""
    start: int = 0
    end: int = 0

    @property
    def is_history(self) -> bool:
        """Background (months or years back, or a long-running total), not this report's event."""
        return self.date is None


def split_dateline(text: str) -> tuple[dt.date | None, int, str | None]:
    """(date, where the body starts, problem) from a first line 'date YYYY-MM-DD' or a wire dateline.

    `problem` describes a dateline that is present but not a real date.
    """
    match = DATELINE_RE.match(text)
    if match:
        wire = _WIRE_HEAD_RE.match(text, match.end())
        if wire and not wire.group(0)[:wire.group(0).index(",")].strip().isupper():
            wire = None
        end = wire.end() if wire else match.end()
        try:
            return dt.date.fromisoformat(match.group(1)), end, None
        except ValueError:
            return None, match.end(), f"the dateline '{match.group(1)}' is not a real date (YYYY-MM-DD)"
    first_line = text.lstrip()[:200].split("\n", 1)[0]
    wire = _WIRE_DATE_RE.search(first_line)
    if wire and re.search(r"\(\w+\)|[—–-]\s|^\s*[A-Z]{3,}", first_line):
        day = _make_date(int(wire.group("y")), wire.group("m1") or wire.group("m2"),
                         wire.group("d1") or wire.group("d2"))
        if day:
            lead = len(text) - len(text.lstrip())
            dash = re.search(r"\s[-—–]+\s", first_line[wire.end():])
            header = wire.end() + (dash.end() if dash else 0)
            return day, lead + header, None
    return None, 0, None


_ANY_TIME = re.compile(rf"\b(?:{_WD}|yesterday|today|tonight|night|overnight|since|weekend|week|month|"
                       rf"year|days?|morning|afternoon|evening|{_MON})\b|\d", re.IGNORECASE)


def find_time(clause: str, report_date: dt.date, offset: int = 0) -> TimeRef | None:
    """The time expression that dates a clause, resolved against the report date; None if none."""
    if not _ANY_TIME.search(clause):
        return None
    for kind in PRIORITY:
        for match in _PATTERNS[kind].finditer(clause):
            ref = _resolve(kind, match, report_date)
            if ref is not None:
                time = TimeRef(kind, ref[0], ref[1], ref[2], match.group(0),
                               match.start() + offset, match.end() + offset)
                return _counted_from_named_day(time, clause, report_date, offset) if kind == "days_before" else time
    return None


_FROM_TOLD_DAY = re.compile(r"\b(?:previous|preceding)\s+day\b|\bday\s+before\b|\bdays?\s+(?:earlier|before|prior)\b",
                            re.IGNORECASE)


def _counted_from_named_day(time: TimeRef, clause: str, report_date: dt.date, offset: int) -> TimeRef:
    """"Said on Sunday that … the previous day": counted back from the day the clause names, not
    from the dateline ("two days ago" still counts from the dateline)."""
    if not _FROM_TOLD_DAY.search(time.words) or "yesterday" in time.words.lower():
        return time
    if time.date is None:  # never: "days_before" always resolves to a day
        return time
    back = report_date - time.date
    for kind in ("explicit", "yesterday", "today", "weekday"):
        for match in _PATTERNS[kind].finditer(clause):
            ref = _resolve(kind, match, report_date)
            if ref is not None and ref[0] is not None:
                try:
                    day = ref[0] - back
                except OverflowError:
                    return time
                return TimeRef("days_before_named", day, None, False,
                               f"{match.group(0)} … {time.words}", min(time.start, match.start() + offset),
                               max(time.end, match.end() + offset))
    return time


def weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _resolve(kind: str, m: re.Match[str], today: dt.date) -> tuple[dt.date | None, dt.date | None, bool] | None:
    """(day, last day, cumulative) the words point to; None when they give no day."""
    try:
        return _resolve_words(kind, m, today)
    except OverflowError:  # "in the past 99999999 days", or counted back from a dateline in year 1
        return None


def _resolve_words(kind: str, m: re.Match[str], today: dt.date) -> tuple[dt.date | None, dt.date | None, bool] | None:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
    one = dt.timedelta(days=1)
    first: dt.date | None
    last: dt.date | None
    day: dt.date | None
    if kind == "history":
        return None, None, False
    if kind == "weekday_span":
        last = weekday_on_or_before(today, WEEKDAYS.index(m.group("wd2").lower()))
        first = weekday_on_or_before(last, WEEKDAYS.index(m.group("wd").lower()))
        return first, last if last != first else None, False
    if kind == "date_span":
        month, year = m.group("m1") or m.group("m2"), m.group("y") or m.group("y2")
        year = int(year) if year else today.year
        first = _make_date(year, month, m.group("d1") or m.group("d3"))
        last = _make_date(year, month, m.group("d2") or m.group("d4"))
        if first is None or last is None or last < first or (today - first).days > 60:
            return None
        if first > today + one and not (m.group("y") or m.group("y2")):
            return None
        return first, last if last != first else None, (last - first).days >= 2
    if kind in ("since_weekday", "weekday"):
        wd = WEEKDAYS.index(m.group("wd").lower())
        day = weekday_on_or_before(today, wd)
        if kind == "weekday" and m.group("last") and day == today:
            day -= 7 * one
        if kind == "since_weekday":
            return day, today if day != today else None, day != today
        return day, None, False
    if kind in ("since_date", "explicit"):
        if "iso" in m.groupdict() and m.group("iso"):
            try:
                day = dt.date.fromisoformat(m.group("iso"))
            except ValueError:
                return None
        else:
            year = int(m.group("y")) if "y" in m.groupdict() and m.group("y") else today.year
            day = _make_date(year, m.group("m1") or m.group("m2"), m.group("d1") or m.group("d2"))
            if day is None:
                return None
            if not (m.groupdict().get("y")) and day > today + one:
                day = _make_date(year - 1, m.group("m1") or m.group("m2"), m.group("d1") or m.group("d2"))
                if day is None:
                    return None
        if (today - day).days > 60 and not m.groupdict().get("y") and not m.groupdict().get("iso"):
            return None, None, False  # an old date with no year: background, not this report's event
        if kind == "since_date":
            return day, today if day < today else None, day < today
        return day, None, False
    if kind == "past_days":
        unit = m.group("unit").lower()
        if unit.startswith("24"):
            return today - one, today, False
        if unit.startswith("48"):
            return today - 2 * one, today, True
        n = _SMALL_VALUES.get((m.group("n") or "a").lower()) or int(m.group("n"))
        days = n * (7 if unit.startswith("week") else 1)
        return today - days * one, today, True
    if kind == "last_month":
        if m.group(0).lower().startswith("last"):
            end = today.replace(day=1) - one
            return end.replace(day=1), end, True
        return today.replace(day=1), today if today.day > 1 else None, today.day > 1
    if kind == "last_week":
        monday = weekday_on_or_before(today, 0)
        if m.group(0).lower().startswith("last"):
            return monday - 7 * one, monday - one, True
        return monday, today if monday != today else None, monday != today
    if kind == "weekend":
        saturday = weekday_on_or_before(today, 5)
        if m.group(0).lower().startswith("last") and today - saturday < 2 * one:
            saturday -= 7 * one
        sunday = min(saturday + one, today)
        return saturday, sunday if sunday != saturday else None, False
    if kind == "days_before":
        words = m.groupdict().get("n")
        back = _SMALL_VALUES.get(words.lower(), None) if words else 1
        if back is None:
            back = int(words) if words and words.isdigit() else 1
        if "before yesterday" in m.group(0).lower():
            back = 2
        return today - back * one, None, False
    if kind == "yesterday":
        back = 2 if "before" in m.group(0).lower() else 1
        return today - back * one, None, False
    if kind == "night":
        return today - one, None, False
    if kind == "today":
        return today, None, False
    return None


def _make_date(year: int, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(year, MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None
