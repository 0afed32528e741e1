"""Report text → incident candidates, each with a confidence, an explanation and the spans of
the words behind every figure. Rules-based and offline.

The report is read sentence by sentence. A clause with a death toll makes an incident; its
places come from the same clause, else from the sentence just before or after that names places
hit without a toll ("Warplanes struck X and Y." / "… in the towns of A and B."), else from "the
city" (the last place named), else its province. Parts ("including five children", "three
children were among the dead") and injured counts join the incident they follow. A toll over a
span ("since Monday") is a separate cumulative record; a toll over months or years is history
and not coded. Actor and event type are read per clause, so two incidents told in one sentence
keep their own; "a war monitor" is the one monitor the report names, if it names one; a town
abroad is not the place hit when a Syrian one is named. See geo.extraction.numbers, geo.extraction.dates, geo.extraction.tolls,
geo.extraction.places and geo.extraction.attribution for each rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from geo.extraction import attribution
from geo.extraction import text as report_text
from geo.extraction.dates import PAST_CONTEXT, TimeRef, find_time, latest_named_date, split_dateline
from geo.extraction.places import (
    CAPITALS,
    PlaceMention,
    find_places,
    haversine_km,
    mentions_coreference,
    province_named,
)
from geo.extraction.text import ExtractionError, Sentence
from geo.extraction.tolls import REVISED_TO, Count, find_counts, tolls
from geo.model import Incident, ValidationError, report_hash

__all__ = ["extract", "Extraction", "Candidate", "Evidence", "NotCoded", "ExtractionError"]

SURE_SPELLING = 0.9  # a weaker spelling match far from the report's other places is not trusted
FAR_KM = 150

# ", a day after 14 people were killed": what follows is another event, kept apart even without a toll
_HARD_SPLIT = re.compile(r",\s+(?:only\s+|just\s+)?(?:a|one|two|three|\d+)\s+days?\s+(?:after|before)\b", re.IGNORECASE)
# "… has since revised the figure to 12": a new toll for the incident just told, not another incident
_REVISION = re.compile(rf"\b{REVISED_TO}\s+(?:\w+\s+){{0,2}}$", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r";\s*|,?\s+(?:while|whereas|meanwhile)\s+|,\s+and\s+(?=(?:in|at|near)\s)"
                           r"|\s+[—–]\s+", re.IGNORECASE)
_DATELINE_PLACE = re.compile(
    r"\s*(?P<p>[A-Z][A-Za-z'’.-]+(?:[ ,]+[A-Z][A-Za-z'’.-]+){0,3})\s*\([^)\n]{1,40}\)\s*[-—–]*"
    r"|\s*(?P<q>[A-Z]{3,}(?:[ ,-]+[A-Z]{2,}){0,3})[ \t]*(?:\n|\Z|[-—–])")
# "X area in Y", "the X district of Y town": X is a part of the town Y
_PART_OF = re.compile(r"\s+(?:area|district|neighbou?rhood|quarter|suburb|camp)\s+(?:in|of)\s+(?:the\s+)?"
                      r"(?:(?:town|city|village)\s+of\s+)?", re.IGNORECASE)
_ATTACK = re.compile(r"\b(?:struck|strikes?|hit|hitting|bomb\w*|shell\w*|raid\w*|target\w*|pounded|"
                     r"attack\w*|aircraft|warplanes?|jets|drones?|air\s*-?strikes?|airstrikes?|"
                     r"missiles?|rockets?|artillery|explosion|blast|killed|killing|died|dead)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """The words behind one field of a candidate: `text[start:end]` of Extraction.text."""

    field: str  # killed, killed_max, children, women, injured, place, date, source, actor
    start: int
    end: int
    words: str


@dataclass
class Candidate:
    """An incident found in a report, how sure the reading is (0..1) and why."""

    incident: Incident
    confidence: float
    explanation: str
    evidence: list[Evidence] = field(default_factory=list)
    explicit_date: bool = False  # the date comes from a date in the text ("3 March 2018")
    past_words: str | None = None  # words telling the toll as past context ("last year's")

    def to_feature(self) -> dict[str, Any]:
        """The incident's GeoJSON Feature with `confidence` and `explanation` added."""
        feature = self.incident.to_feature()
        feature["properties"]["confidence"] = self.confidence
        feature["properties"]["explanation"] = self.explanation
        return feature


@dataclass
class NotCoded:
    """A toll the report gives that is not coded as an incident, with the reason and, where the
    words allow, a pre-filled low-confidence candidate an analyst can accept in one step."""

    words: str  # the toll's words, e.g. "at least 22 children"
    start: int
    end: int
    reason: str
    candidate: Candidate | None = None


@dataclass
class Extraction:
    """What a report gave: its cleaned text (spans refer to it), the date used, the candidates,
    and every toll read but not coded (`skipped`). `needs_date`: the report has no dateline, no
    date was given and the text names none, so relative days ("on Monday") are unknown."""

    text: str
    report_date: dt.date
    incidents: list[Candidate]
    warnings: list[str]
    report_hash: str
    skipped: list[NotCoded] = field(default_factory=list)
    needs_date: bool = False

    def to_incidents(self) -> list[Incident]:
        return [c.incident for c in self.incidents]


def extract(text: str | bytes, report_date: dt.date | None = None, gazetteer: Any = None) -> Extraction:
    """Find the incidents a report describes, as a careful coder would.

    Parameters
    ----------
    text
        The report (bytes are decoded as text first).
    report_date
        When it was published, for "on Monday" and "yesterday" when the text has no dateline.
    gazetteer
        Where place names are looked up; the bundled offline one by default.

    Returns
    -------
    Extraction
        `incidents` (each with its confidence and evidence), `skipped` (every toll read but not
        coded, with the reason and a candidate), warnings, and `needs_date` when no day is known.

    Raises
    ------
    ExtractionError
        The input is not text.

    Examples
    --------
    >>> found = extract("On 3 March 2018 an air strike on Hajin killed 12 civilians.")  # doctest: +SKIP
    >>> [(i.places, i.date, i.killed) for i in found.incidents]  # doctest: +SKIP
    [(['Hajin'], '2018-03-03', 12)]
    """
    raw = report_text.decode(text)
    cleaned, warnings = report_text.clean(raw)
    digest = report_hash(raw)
    dateline, body_start, problem = split_dateline(cleaned)
    if problem:
        warnings.append(problem)
    if dateline and report_date and dateline != report_date:
        warnings.append(f"the report's dateline {dateline} is used; the date given ({report_date}) is not")
    day = dateline or report_date
    unknown_day = False
    if day is None:
        anchor = latest_named_date(cleaned[body_start:], dt.date.today())
        if anchor is not None:
            day = anchor
            warnings.append(f"no dateline and no date given: relative days ('on Monday', 'yesterday') are "
                            f"counted from the latest date the report names, {day}; give the report's "
                            "date if it is another")
        else:
            day, unknown_day = dt.date.today(), True
            warnings.append(f"no dateline (a first line 'date YYYY-MM-DD') and no date given: relative "
                            f"dates are counted from today, {day}; check them or give the report's date")
    if gazetteer is None:
        from geo.places.gazetteer import default_gazetteer
        gazetteer = default_gazetteer()
    body = cleaned[body_start:]
    if not body.strip():
        raise ExtractionError("the report is empty after its dateline: paste the text of the report")
    if report_text.arabic_share(body) > 0.5:
        warnings.append(_arabic_message(body, gazetteer))
        return Extraction(cleaned, day, [], warnings, digest)
    reader = _Reader(cleaned, day, gazetteer, warnings)
    reader.unknown_day = unknown_day
    for index, sentence in enumerate(report_text.sentences(cleaned, body_start)):
        reader.read(index, sentence)
    incidents = reader.finish(digest)
    needs_date = unknown_day and any(not c.explicit_date for c in incidents + [
        n.candidate for n in reader.skipped if n.candidate is not None])
    return Extraction(cleaned, day, incidents, warnings, digest, reader.skipped, needs_date)


# --- reading ------------------------------------------------------------------------------------

@dataclass
class _Draft:
    toll: Count
    sentence: int
    paragraph: int
    time: TimeRef | None
    places: list[PlaceMention] = field(default_factory=list)
    province_only: str | None = None
    place_note: str = ""
    children: tuple[int, Count] | None = None
    women: tuple[int, Count] | None = None
    injured: tuple[int, Count] | None = None
    source: attribution.Attribution | None = None
    actor: tuple[str, int, int] | None = None
    event_type: str | None = None
    sentences: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    penalty: float = 0.0
    country: str = "SY"
    skip_reason: str | None = None  # set when the toll is read but not coded
    past: str | None = None  # words telling the toll as past context ("last year's")

    @property
    def needs_places(self) -> bool:
        return not any(p.role in ("target", "near") for p in self.places)


class _Reader:
    """Walks the sentences, turning tolls into drafts and giving them places, dates and sources."""

    def __init__(self, text: str, day: dt.date, gazetteer: Any, warnings: list[str]):
        self.text, self.day, self.gazetteer, self.warnings = text, day, gazetteer, warnings
        self.drafts: list[_Draft] = []
        self.sentences: list[Sentence] = []
        self.sources: list[tuple[int, attribution.Attribution]] = []
        # (sentence, actor or event, span of its clause when that clause tells a toll)
        self.actors: list[tuple[int, tuple[str, int, int], tuple[int, int] | None]] = []
        self.events: list[tuple[int, str, tuple[int, int] | None]] = []
        self.pending: tuple[int, list[PlaceMention]] | None = None  # places hit, toll not yet told
        self.pending_parts: tuple[int, list[Count]] | None = None  # parts told before their toll
        self.last_targets: list[PlaceMention] = []
        self.paragraph = -1
        self.inherited: TimeRef | None = None
        self.monitor: str | None = None
        self.anchors: list[tuple[float, float]] = []  # places the gazetteer matched surely
        self.unknown_day = False  # no dateline, date or named date: relative days are guesses
        self.history: list[_Draft] = []  # tolls over months or years: listed, not coded
        self.skipped: list[NotCoded] = []

    def read(self, index: int, sentence: Sentence) -> None:
        self.sentences.append(sentence)
        if sentence.paragraph != self.paragraph:
            self.paragraph, self.inherited = sentence.paragraph, None
        source = attribution.find_source(sentence.text, sentence.start, self.monitor)
        if source is not None:
            self.sources.append((index, source))
            if source.source.split(" via ")[0] in attribution.KNOWN_SOURCES:
                self.monitor = source.source.split(" via ")[0]
        skip = attribution.source_spans(sentence.text)
        dateline = _DATELINE_PLACE.match(sentence.text)
        if dateline:  # "BEIRUT (AP) —", "Damascus (Iraqinews.com) –": where it was filed, not the place hit
            name = "p" if dateline.group("p") else "q"
            skip = skip + [(dateline.start(name), dateline.end(name))]
        attack = bool(_ATTACK.search(sentence.text))
        for start, clause in _clauses(sentence.text):
            offset = sentence.start + start
            clause_skip = [(s - start, e - start) for s, e in skip]
            self._clause(index, sentence, clause, offset, clause_skip, attack)

    def _clause(self, index: int, sentence: Sentence, clause: str, offset: int,  # noqa: C901
                skip: list[tuple[int, int]], attack: bool) -> None:
        counts = find_counts(clause, offset)
        places = find_places(clause, self.gazetteer, offset, skip)
        time = find_time(clause, self.day, offset)
        if time is not None and time.kind == "days_before" and self.inherited is not None \
                and self.inherited.date is not None and time.date is not None:
            # "a day after/earlier" counts from the day being told about, else the dateline
            time = dataclasses.replace(time, date=self.inherited.date - (self.day - time.date))
        if time is not None and not time.is_history and not time.cumulative:
            self.inherited = time
        elif time is None:
            time = self.inherited
        self.anchors += [p.match.point for p in places
                         if p.match is not None and p.role != "province" and p.match.score >= SURE_SPELLING]
        found = tolls(counts)
        if any((t.low or 0) >= RUNNING_TOTAL for t in found) and (time is None or not time.is_history):
            time = TimeRef("history", None, words=f"a toll of {max(t.low or 0 for t in found):,}")
        if found and time is not None and time.is_history:
            self.warnings.append(f"not coded: “{_short(sentence.text)}” gives a toll over a long "
                                 f"period ({time.words}), not one incident")
            for t in found:
                draft = self._new_draft(t, index, sentence, None)
                draft.places = list(places)
                draft.province_only = next((p.province for p in places if p.role == "province"), None)
                draft.skip_reason = f"a toll over a long period ({time.words}), not one incident"
                self.history.append(draft)
            return
        drafts = [self._new_draft(t, index, sentence, time) for t in found]
        past = PAST_CONTEXT.search(clause)
        for draft in drafts:
            draft.past = past.group(0) if past else None
        self._read_actor_and_event(drafts, clause, offset, index)
        self._assign_places(drafts, places, clause, offset, index)
        self._assign_parts(drafts, counts, index)
        if len(drafts) == 1 and drafts[0].needs_places and not drafts[0].province_only and self.drafts \
                and _REVISION.search(clause[:drafts[0].toll.start - offset]) \
                and index - self.drafts[-1].sentence <= 2:
            self._revise(self.drafts[-1], drafts.pop(), index)
        targets = [p for p in places if p.role in ("target", "near")]
        if targets:
            self.last_targets = [p for p in places if p.role == "target" and p.match] or self.last_targets
        if not drafts and targets and attack:
            last = self.drafts[-1] if self.drafts else None
            if last is not None and last.needs_places and index - last.sentence <= 2 \
                    and sentence.paragraph - last.paragraph <= 1:
                last.places = places
                last.place_note = "places from the sentence after the toll"
                last.penalty += 0.1
                last.sentences.add(index)
                if last.source is None:
                    last.source = attribution.find_source(clause, offset, self.monitor)
            else:
                self.pending = (index, places)
        self.drafts.extend(drafts)

    @staticmethod
    def _revise(last: _Draft, new: _Draft, index: int) -> None:
        """A corrected toll replaces the incident's earlier one, with its parts."""
        last.notes.append(f"toll revised from {last.toll.low} to {new.toll.low}")
        last.toll, last.children, last.women = new.toll, new.children, new.women
        last.injured = new.injured or last.injured
        last.sentences.add(index)

    def _read_actor_and_event(self, drafts: list[_Draft], clause: str, offset: int, index: int) -> None:
        """Who struck and how, read per clause: a clause with its own toll keeps them for its
        incidents ("shelling killed five in Tibni, while an air strike near al-Mansoura …")."""
        actor = attribution.find_actor(clause)
        event = attribution.find_event_type(clause)
        owned = (offset, offset + len(clause)) if drafts else None
        if actor is not None:
            actor = (actor[0], actor[1] + offset, actor[2] + offset)
            self.actors.append((index, actor, owned))
        if event is not None:
            self.events.append((index, event, owned))
        for draft in drafts:
            if actor is not None and actor[0] != "unidentified aircraft":
                draft.actor = actor
            draft.event_type = event

    def _new_draft(self, toll: Count, index: int, sentence: Sentence, time: TimeRef | None) -> _Draft:
        draft = _Draft(toll, index, sentence.paragraph, time)
        draft.sentences.add(index)
        return draft

    def _assign_places(self, drafts: list[_Draft], places: list[PlaceMention], clause: str,
                       offset: int, index: int) -> None:
        if not drafts:
            return
        if len(drafts) == 1:
            drafts[0].places = list(places)
        else:
            place_first = any(p.start < drafts[0].toll.start for p in places if p.role != "province")
            for p in places:
                if place_first:
                    owner = next((d for d in drafts if d.toll.start > p.start), drafts[-1])
                else:
                    owner = next((d for d in reversed(drafts) if d.toll.start < p.start), drafts[0])
                owner.places.append(p)
        for draft in drafts:
            provinces = [p for p in draft.places if p.role == "province"]
            if provinces:
                draft.province_only = provinces[0].province
            if not draft.needs_places:
                continue
            if self.pending is not None and (index - self.pending[0] <= 1 or (  # a quote may come between
                    index - self.pending[0] == 2
                    and self.sentences[self.pending[0]].paragraph == self.sentences[index].paragraph)):
                draft.places += self.pending[1]
                draft.place_note = "places from the sentence before the toll"
                draft.sentences.add(self.pending[0])
                draft.penalty += 0.05
                continue
            coref = mentions_coreference(clause)
            if coref and self.last_targets:
                draft.places += self.last_targets
                draft.place_note = f"“{coref.group(0)}” read as {', '.join(p.name for p in self.last_targets)}"
                draft.penalty += 0.1
        self.pending = None

    def _assign_parts(self, drafts: list[_Draft], counts: list[Count], index: int) -> None:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
        for count in counts:
            if count.role == "injured" and not count.part:
                owner = _nearest_before(drafts, count) or (self.drafts[-1] if not drafts and self.drafts
                                                            and index - self.drafts[-1].sentence <= 1 else None)
                if owner is not None and owner.injured is None and count.low is not None:
                    owner.injured = (count.low, count)
                    owner.sentences.add(index)
                elif owner is not None and owner.injured is None and count.low is None:
                    owner.notes.append(f"injured: '{self.text[count.start:count.end]}' — no number "
                                       "given (left empty)")
            elif count.part and count.orphan_part and count.part_of == "group" and drafts:
                owner = next((d for d in drafts if d.toll.start > count.start), None) or _nearest_before(drafts, count)
                if owner is not None:  # always: `drafts` is not empty, so _nearest_before finds one
                    _set_part(owner, count)
            elif count.part and count.orphan_part and not drafts:
                owner = self.drafts[-1] if self.drafts else None
                if owner is not None and index - owner.sentence <= 2:
                    _set_part(owner, count)
                    owner.sentences.add(index)
                else:  # "…were among the dead; … five bodies in all": the toll comes after
                    self.pending_parts = (index, self.pending_parts[1] + [count]
                                          if self.pending_parts and self.pending_parts[0] == index else [count])
        if drafts and self.pending_parts is not None:
            if index - self.pending_parts[0] <= 1:
                for part in self.pending_parts[1]:
                    _set_part(drafts[0], part)
                drafts[0].sentences.add(self.pending_parts[0])
            self.pending_parts = None
        for draft in drafts:
            for part in draft.toll.parts:
                _set_part(draft, part)
            if draft.children is None and draft.toll.children is not None:
                draft.children = (draft.toll.children, draft.toll)
            if draft.women is None and draft.toll.women is not None:
                draft.women = (draft.toll.women, draft.toll)

    # --- finishing ----------------------------------------------------------------------------

    def finish(self, digest: str) -> list[Candidate]:
        url = attribution.find_url(self.text)
        out: list[Candidate] = []
        for draft in self.drafts + self.history:
            self._check_far_matches(draft)
            self._fill_attribution(draft)
            candidate = self._candidate(draft, digest, url)
            if draft.skip_reason is None and candidate is not None:
                out.append(candidate)
                continue
            if candidate is None:  # no place, or a field that could not be coded
                candidate = self._candidate(draft, digest, url, placeless=True)
            self._skip(draft.toll, draft.skip_reason or "not coded", candidate)
        out = self._merge_mentions(out)
        out = self._drop_totals(out)
        return self._set_background(out)

    def _skip(self, toll: Count, reason: str, candidate: Candidate | None) -> None:
        if candidate is not None:
            candidate.confidence = min(candidate.confidence, NOT_CODED_CONFIDENCE)
            candidate.explanation = f"not coded: {reason}; " + candidate.explanation
        self.skipped.append(NotCoded(self.text[toll.start:toll.end], toll.start, toll.end, reason, candidate))

    def _merge_mentions(self, found: list[Candidate]) -> list[Candidate]:
        """One incident per place and day: mentions of the same place and day (a headline and
        its lead, a wire story repeated, a closing restatement) merge; the fullest mention's
        figures are kept with every mention's evidence. A toll told for the province only on a
        day a named place of that province has a toll at least as high is that incident, told
        vaguely."""
        out: list[Candidate] = []
        for cand in found:
            same = None if _ADDITIVE.search(cand.incident.quote or "") else \
                next((o for o in out if _place_day(o) == _place_day(cand)), None)
            if same is None:
                out.append(cand)
                continue
            keep, other = (cand, same) if _fullness(cand) > _fullness(same) else (same, cand)
            keep.evidence += [e for e in other.evidence if e not in keep.evidence]
            keep.explanation += f"; merged with another mention of the same place and day ('{_toll_words(other)}')"
            out[out.index(same)] = keep
        for cand in [c for c in out if _at_capital(c)]:
            inc = cand.incident
            host = next((o for o in out if o is not cand and not _at_capital(o) and o.incident.province == inc.province
                         and o.incident.killed is not None and o.incident.killed == inc.killed
                         and o.incident.cumulative == inc.cumulative
                         and (o.incident.date == inc.date or "no date words" in cand.explanation)), None)
            if host is not None:  # "Deir ez-Zor strike kills 12" over "a strike near Mayadin killed 12"
                host.evidence += [e for e in cand.evidence if e not in host.evidence]
                host.explanation += f"; the same toll told for {inc.places[0] if inc.places else inc.province} read as this incident"
                out.remove(cand)
        vague = [c for c in out if _province_only(c)]
        for cand in vague:
            inc = cand.incident
            host = next((o for o in out if o is not cand and not _province_only(o) and o.incident.date == inc.date
                         and o.incident.province == inc.province and o.incident.cumulative == inc.cumulative
                         and (o.incident.killed or 0) >= (inc.killed or 0)), None)
            if host is not None:
                host.evidence += [e for e in cand.evidence if e not in host.evidence]
                host.explanation += (f"; '{_toll_words(cand)}' in {inc.province} the same day read as this "
                                     "incident")
                out.remove(cand)
        return out

    def _drop_totals(self, found: list[Candidate]) -> list[Candidate]:
        """A toll that is the sum of two or more incidents told with it the same day is their
        total ("12 killed: two in Idlib, ten in Aleppo"), not another incident."""
        for item in self.skipped:  # a total told before its parts names no place of its own
            inc = item.candidate.incident if item.candidate is not None else None
            parts = [o.incident.killed for o in found if inc is not None and o.incident.date == inc.date
                     and o.incident.killed is not None]
            if inc is not None and inc.killed and len(parts) >= 2 and _sums_to(sorted(parts), inc.killed):
                item.reason = "the total of the incidents told with it"
        out = list(found)
        for cand in found:
            inc = cand.incident
            others = [o for o in out if o is not cand and o.incident.date == inc.date and not o.incident.cumulative
                      and o.incident.killed is not None]
            if inc.killed is None or inc.cumulative or len(others) < 2:
                continue
            if _sums_to(sorted(o.incident.killed for o in others if o.incident.killed is not None), inc.killed):
                out.remove(cand)
                start, end = _toll_span(cand)
                self.skipped.append(NotCoded(self.text[start:end], start, end,
                                             "the total of the incidents told with it", cand))
                cand.confidence = min(cand.confidence, NOT_CODED_CONFIDENCE)
        return out

    def _set_background(self, found: list[Candidate]) -> list[Candidate]:
        """A toll told as past context ("last year's", "the attack on April 4", "last week") or
        dated two days or more before the report's latest news is background: listed with its
        own date and a low confidence, not coded."""
        news = [c for c in found if not c.incident.cumulative]
        latest = max((dt.date.fromisoformat(c.incident.date) for c in news), default=None)
        out = []
        for cand in found:
            inc = cand.incident
            day = dt.date.fromisoformat(inc.date_end or inc.date)
            past = cand.past_words
            gap = (latest - day).days if latest is not None else None  # days before the latest news
            old = gap is not None and gap >= BACKGROUND_DAYS and not (
                self.unknown_day and not cand.explicit_date)  # weekdays counted from a guessed day prove nothing
            if past or old:
                why = f"told as past context ('{past}')" if past else \
                    f"dated {inc.date}, {gap} days before the report's latest news ({latest})"
                start, end = _toll_span(cand)
                cand.confidence = min(cand.confidence, NOT_CODED_CONFIDENCE)
                cand.explanation = f"background: {why}; " + cand.explanation
                self.skipped.append(NotCoded(self.text[start:end], start, end, f"background: {why}", cand))
                continue
            out.append(cand)
        return out

    def _check_far_matches(self, draft: _Draft) -> None:
        """Unlocate a loose spelling match far from every place the report names surely, or in
        another province than the one the clause names ("Ghariya … the province of Deraa")."""
        for p in draft.places:
            if p.match is None or p.role == "province" or p.match.score >= 0.97 or not draft.province_only \
                    or p.match.province in (None, draft.province_only):
                continue
            draft.notes.append(f"'{p.words}' not located: the nearest spelling, {p.match.name}, is in "
                               f"{p.match.province}, not {draft.province_only} as the report says")
            p.match, p.province = None, None
        if not self.anchors:
            return
        for p in draft.places:
            if p.match is None or p.role == "province" or p.match.score >= SURE_SPELLING:
                continue
            distance = min(haversine_km(p.match.point, a) for a in self.anchors)
            if distance > FAR_KM:
                draft.notes.append(f"'{p.words}' not located: the nearest spelling, {p.match.name} "
                                   f"({p.match.province}, match {p.match.score:.2f}), is {distance:.0f} km "
                                   "from the report's other places")
                p.match, p.province = None, None

    def _fill_attribution(self, draft: _Draft) -> None:
        para = {i for i, s in enumerate(self.sentences) if s.paragraph == draft.paragraph}
        mine = draft.sentences
        later = sorted(i for i in para if i > max(mine))
        next_toll = min((d.sentence for d in self.drafts if d.sentence > draft.sentence), default=10 ** 9)
        if draft.source is None:
            draft.source = _first(self.sources, mine) or _first(
                self.sources, [i for i in later if i < next_toll]) or _first(
                self.sources, sorted((i for i in para if i < draft.sentence), reverse=True))
            if draft.source is None and len({s.source for _, s in self.sources}) == 1:
                draft.source = self.sources[0][1]
        if draft.source is not None and attribution.is_generic_monitor(draft.source.source):
            monitors = {s.source for _, s in self.sources if s.source in attribution.MONITORS}
            if len(monitors) == 1:  # "a war monitor said …" and later "the Observatory added …"
                (name,) = monitors
                draft.notes.append(f"source: '{draft.source.source}' read as {name}, named in the report")
                draft.source = attribution.Attribution(name, draft.source.start, draft.source.end)
        # actors and events of another incident's clause are that incident's
        def free(owned: tuple[int, int] | None, i: int) -> bool:
            return owned is None or i != draft.sentence or owned[0] <= draft.toll.start < owned[1]
        actors = [(i, a) for i, a, owned in self.actors if free(owned, i)]
        events = [(i, e) for i, e, owned in self.events if free(owned, i)]
        if draft.actor is None:
            named = [(i, a) for i, a in actors if a[0] != "unidentified aircraft"]
            draft.actor = _first(actors, mine) if any(i in mine for i, _ in named) or not named \
                else _first(named, mine)
            draft.actor = draft.actor or _first(named, sorted(para)) or (named[0][1] if named else None) \
                or _first(actors, sorted(para))
        if draft.event_type is None and not (draft.time is not None and draft.time.cumulative):
            # a running toll sums several attacks: no one kind
            draft.event_type = _first(events, sorted(mine)) or _first(events, sorted(para)) \
                or (events[0][1] if events else None)

    def _candidate(self, draft: _Draft, digest: str, url: str | None, placeless: bool = False) -> Candidate | None:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
        toll = draft.toll
        evidence: list[Evidence] = []
        notes: list[str] = []
        confidence = 0.9 - draft.penalty

        def mark(name: str, start: int, end: int) -> None:
            evidence.append(Evidence(name, start, end, self.text[start:end]))

        mark("killed", toll.start, toll.end)
        if toll.vague:
            notes.append(f"killed: {toll.figure.describe()} (left empty)")
            confidence -= 0.2
        else:
            notes.append(f"killed: {toll.figure.describe()}")
        for name in ("children", "women", "injured"):
            value = getattr(draft, name)
            if value is not None:
                mark(name, value[1].start, value[1].end)
                notes.append(f"{name}: {value[0]} from '{value[1].figure.text if value[1].part else self.text[value[1].start:value[1].end]}'")
        notes += draft.notes

        places, points, province, precision = self._places(draft, notes, mark)
        if places is None and placeless:
            places, points, province, precision = [], [], None, None
            notes.append("place: none named; add it by hand")
        elif places is None:
            self.warnings.append(f"a toll ('{toll.figure.text}') in “{_short(self.sentences[draft.sentence].text)}” "
                                 "names no place: not coded — add it by hand if it is an incident")
            draft.skip_reason = draft.skip_reason or "no place is named for it"
            return None
        confidence -= min(0.2, 0.1 * sum(1 for p in points if p is None)) if points else 0.2
        if precision == 3:
            confidence -= 0.1

        date, date_end, cumulative = self.day, None, False
        if draft.time is not None and draft.time.date is not None:
            date, date_end, cumulative = draft.time.date, draft.time.date_end, draft.time.cumulative
            mark("date", draft.time.start, draft.time.end)
            notes.append(f"date: '{draft.time.words}' → {date}" + (f" to {date_end}" if date_end else "")
                         + (" (a running toll, not added to the day's incidents)" if cumulative else ""))
        else:
            notes.append(f"date: no date words, the report's date {date}")
            confidence -= 0.05
        if draft.source is not None:
            mark("source", draft.source.start, draft.source.end)
            notes.append(f"source: {draft.source.source}")
        else:
            confidence -= 0.05
        if draft.actor is not None:
            mark("actor", draft.actor[1], draft.actor[2])
        quote = " ".join(self.sentences[i].text for i in sorted(draft.sentences))
        values = {
            "date": date.isoformat(), "date_end": date_end.isoformat() if date_end else None,
            "places": places, "points": points, "province": province, "country": draft.country,
            "geo_precision": precision, "killed": toll.low, "killed_max": toll.high,
            "children": draft.children[0] if draft.children else None,
            "women": draft.women[0] if draft.women else None,
            "injured": draft.injured[0] if draft.injured else None,
            "actor": draft.actor[0] if draft.actor else None, "event_type": draft.event_type,
            "source": draft.source.source if draft.source else None, "source_url": url,
            "quote": quote, "cumulative": cumulative, "report_hash": digest,
        }
        incident = _build(values, notes, self.warnings if not placeless else [])
        if incident is None:
            draft.skip_reason = draft.skip_reason or "its figures could not be coded (see the warnings)"
            return None
        explicit = draft.time is not None and draft.time.kind in ("explicit", "date_span", "since_date")
        # Calibrated on the real development set (tests/real, batch A): readings that were wrong
        # there more often than not lose confidence, so a candidate at 0.8 or more is a sure one.
        sure = 1.0
        if toll.figure.qualifier == "more than" or toll.vague:
            sure -= 0.15  # "more than 100" is a floor; the report's own count often follows
        if _CHILD_WORDS.search(quote) and draft.children is None:
            sure -= 0.2  # children are told of but not counted: the toll's parts are unread
        if toll.noun in ("children", "child", "women", "woman") and _KIN_WORDS.search(quote):
            sure -= 0.15  # "killed with his wife and his 2 children": the family may be the toll
        if len(self.drafts) > 1:
            sure -= 0.1  # several tolls in one report: which belongs where is the usual error
        if self.unknown_day and (draft.time is None or draft.time.kind not in ("explicit", "date_span")):
            sure -= 0.05
        confidence = confidence * sure
        return Candidate(incident, round(max(0.05, min(0.99, confidence)), 2), "; ".join(notes), evidence,
                         explicit, draft.past)

    def _parts_of_towns(self, targets: list[PlaceMention], notes: list[str]) -> list[PlaceMention]:
        """"Bu Badran area in al-Susa town": an unknown district placed at its town (geo_precision
        2, the district's name kept), not a second place."""
        out = list(targets)
        for part in targets:
            if part.match is not None:
                continue
            m = _PART_OF.match(self.text, part.end)
            town = next((t for t in targets if m and t.match is not None and t.start == m.end()), None)
            if town is None:
                continue
            located = PlaceMention(part.words, part.start, part.end, "target",
                                   dataclasses.replace(town.match, name=part.words, geo_precision=2), town.province, True)
            out = [located if t is part else t for t in out]
            notes.append(f"'{part.words}' is a part of {town.name} ('{town.words}'): placed there, geo_precision 2")
        return out

    def _places(self, draft: _Draft, notes: list[str], mark) -> tuple:  # noqa: C901  (complexity debt: docs/architecture.md, "Checks")
        abroad = [p for p in draft.places if p.abroad and p.role in ("target", "near")]
        if abroad and any(p.role in ("target", "near") and not p.abroad for p in draft.places):
            notes.append("not the place hit: " + ", ".join(
                f"'{p.words}' ({p.match.name}, {p.match.country})" for p in abroad))
            draft.places = [p for p in draft.places if p not in abroad]
        targets = [p for p in draft.places if p.role == "target"]
        near = [p for p in draft.places if p.role in ("near", "ref")]
        targets = self._parts_of_towns(targets, notes)
        located_targets = [p for p in targets if p.match is not None]
        approx = None  # a landmark an unknown village is told relative to: it is placed there
        if located_targets:
            chosen = targets
            precision = 2 if any(p.match.geo_precision == 2 for p in located_targets) else 1
        elif any(p.match is not None and p.role == "near" for p in near):
            # "in X, near Y" with X unknown: Y locates it (a "south of Y" landmark does not)
            chosen = targets + [p for p in near if p.match is not None and p.role == "near"]
            precision = 2
        elif targets:
            chosen, precision = targets, 1
            approx = next((p for p in near if p.role == "ref" and p.match is not None and not p.abroad
                           and province_named(p) != p.name), None) or next(
                (p for p in near if p.role == "ref" and p.match is not None and not p.abroad), None)
            if approx is not None:
                precision = 2
        elif draft.province_only:
            named = [p for p in draft.places if p.role in ("target", "near") and p.match is None]
            notes.append(f"place: only the province ({draft.province_only}) is named"
                         + (f" beside {', '.join(p.words for p in named)}, which the gazetteer does not know"
                            if named else ""))
            for p in named:
                mark("place", p.start, p.end)
            return [p.words for p in named], [None] * len(named), draft.province_only, 3
        else:
            return None, None, None, None
        names, points, seen = [], [], set()
        for p in chosen:
            if p.name in seen:
                continue
            seen.add(p.name)
            names.append(p.name)
            points.append(p.point if p.point is not None or approx is None else approx.point)
            mark("place", p.start, p.end)
        if approx is not None:
            notes.append(f"placed at {approx.name} ('{approx.words}'), the town it is told relative to "
                         f"(geo_precision 2): {', '.join(p.words for p in chosen)} is not in the gazetteer")
        located = [p for p in chosen if p.match is not None]
        missing = [p.words for p in chosen if p.match is None]
        desc = ", ".join(f"{p.name} ('{p.words}'{'' if p.match.score >= 0.95 else f', spelling match {p.match.score:.2f}'})"
                         for p in located)
        notes.append(f"places: {desc or 'none located'}" + (f" ({draft.place_note})" if draft.place_note else ""))
        if missing:
            notes.append(f"not located (kept by name): {', '.join(missing)}")
        if precision == 2:
            notes.append("geo_precision 2: located by the place it is near")
        landmark = next((p for p in draft.places if p.role == "ref" and p.match is not None and not p.abroad), None)
        province = located[0].province if located else draft.province_only or (landmark.province if landmark else None)
        if not located and not draft.province_only and landmark is not None and province:
            notes.append(f"province: {province}, from the landmark {landmark.name} ('{landmark.words}')")
        draft.country = located[0].match.country if located else "SY"
        return names, points, province, precision


# --- helpers --------------------------------------------------------------------------------------

_CHILD_WORDS = re.compile(r"\b(?:children|child|kids|girls?|boys?|sons|daughters?|infants?|babies|women|woman)\b",
                          re.IGNORECASE)
_KIN_WORDS = re.compile(r"\b(?:family|families|wife|husband|father|mother|parents|man|men|member)\b", re.IGNORECASE)
RUNNING_TOTAL = 1000  # a toll this high is a running total (a war, a month), never one strike
NOT_CODED_CONFIDENCE = 0.3  # a toll listed but not coded: a candidate for the analyst, off by default
BACKGROUND_DAYS = 2  # a toll dated this many days before the report's latest news is background


# "a second raid … killed three more": another event at the same place and day, not a mention
_ADDITIVE = re.compile(r"\b(?:second|third|another|separate|further|additional|more|other)\s+"
                       r"(?:\w+\s+){0,2}?(?:raid|strike|attack|air\s*strike|airstrike|bombing|shell|people|civilians)"
                       r"|\b(?:\w+\s+)more\b(?!\s+than)", re.IGNORECASE)


def _place_day(c: Candidate) -> tuple:
    inc = c.incident
    where = tuple(sorted(f"{p[0]:.2f},{p[1]:.2f}" if p is not None else n.lower()
                         for n, p in zip(inc.places, inc.points))) or ("province", inc.province or "")
    return where, inc.date, inc.date_end, inc.cumulative


def _at_capital(c: Candidate) -> bool:
    """Told only for a province or its capital: what a headline names for a village's strike."""
    inc = c.incident
    return _province_only(c) or (len(inc.places) == 1 and inc.province is not None
                                 and CAPITALS.get(inc.places[0].lower()) == inc.province)


def _province_only(c: Candidate) -> bool:
    return not c.incident.places and c.incident.province is not None


def _fullness(c: Candidate) -> tuple:
    inc = c.incident
    filled = sum(v is not None for v in (inc.killed, inc.killed_max, inc.children, inc.women, inc.injured))
    return filled, inc.killed or 0


def _toll_span(c: Candidate) -> tuple[int, int]:
    ev = next((e for e in c.evidence if e.field == "killed"), None)
    return (ev.start, ev.end) if ev else (0, 0)


def _toll_words(c: Candidate) -> str:
    ev = next((e for e in c.evidence if e.field == "killed"), None)
    return ev.words if ev else str(c.incident.killed)


def _sums_to(values: list[int], total: int) -> bool:
    """Whether two or more of `values` add up to `total` (small lists: a report's tolls)."""
    values = values[:12]
    reachable = {0: 0}  # sum → how many values used (most)
    for v in values:
        for s, n in list(reachable.items()):
            if s + v <= total:
                reachable[s + v] = max(reachable.get(s + v, 0), n + 1)
    return reachable.get(total, 0) >= 2

def _clauses(sentence: str) -> list[tuple[int, str]]:
    """Split a sentence at ';', 'while', ', and in' — only where both sides tell a toll — and
    always before ', a day after'."""
    hard = _HARD_SPLIT.search(sentence)
    if hard:
        head = _clauses(sentence[:hard.start()])
        return head + [(hard.start() + 1 + s, c) for s, c in _clauses(sentence[hard.start() + 1:])]
    pieces, pos = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        pieces.append((pos, sentence[pos:m.start()]))
        pos = m.end()
    pieces.append((pos, sentence[pos:]))
    if len(pieces) == 1:
        return pieces
    merged: list[tuple[int, int]] = []
    for start, piece in pieces:
        end = start + len(piece)
        if merged and not tolls(find_counts(piece)):
            merged[-1] = (merged[-1][0], end)
        elif merged and not tolls(find_counts(sentence[merged[-1][0]:merged[-1][1]])):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [(s, sentence[s:e]) for s, e in merged]


def _set_part(draft: _Draft, part: Count) -> None:
    value = part.low
    if value is None:
        return
    if part.part_of == "group":
        if part.children and draft.children is None:
            draft.children = (part.children, part)
        if part.women and draft.women is None:
            draft.women = (part.women, part)
    elif part.part_of == "children" and draft.children is None:
        draft.children = (value, part)
    elif part.part_of == "women" and draft.women is None:
        draft.women = (value, part)


def _nearest_before(drafts: list[_Draft], count: Count) -> _Draft | None:
    before = [d for d in drafts if d.toll.start < count.start]
    return before[-1] if before else (drafts[0] if drafts else None)


def _first(items: list[tuple[int, Any]], order) -> Any:
    for i in order:
        for j, value in items:
            if j == i:
                return value
    return None


def _build(values: dict[str, Any], notes: list[str], warnings: list[str]) -> Incident | None:
    """Incident.from_dict, dropping a part that contradicts the toll rather than the incident."""
    for _ in range(3):
        try:
            return Incident.from_dict(values)
        except ValidationError as exc:
            if exc.field in ("children", "women", "injured", "killed_max") and values.get(exc.field) is not None:
                notes.append(f"{exc.field} dropped: {exc.message}")
                values[exc.field] = None
                continue
            warnings.append(f"an incident could not be coded: {exc}")
            return None
    return None


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _arabic_message(body: str, gazetteer: Any) -> str:
    places = find_places(body, gazetteer)
    named = ", ".join(dict.fromkeys(f"{p.words} = {p.name}" for p in places))
    message = ("the report is in Arabic script: tolls and dates are read from English text only, "
               "so no incident was coded; translate it or code it by hand")
    return message + (f". Places recognised: {named}" if named else "")
