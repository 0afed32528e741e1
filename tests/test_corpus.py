"""Extraction scored against hand-coded reports: our corpus (tests/corpus/) and, when present,
the shared examples (../shared/examples/, read in place, never copied).

Prints precision and recall per field and the share of incidents exactly right (places, toll,
children, date); run with `-s` or look at the printed table in CI logs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from geo.extraction import extract
from geo.extraction.places import haversine_km

CORPUS = Path(__file__).parent / "corpus"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
FIELDS = ("places", "killed", "killed_max", "children", "women", "injured", "date")
EXTRA_FIELDS = ("geo_precision", "province", "source", "actor", "event_type", "cumulative")
SAME_PLACE_KM = 3.0


@dataclass
class Coded:
    """One incident in comparable form; `places` are names or (lon, lat) points."""

    places: list
    values: dict
    dates: set[str]
    date_end: str | None = None
    by_point: bool = False


@dataclass
class Score:
    tp: dict = field(default_factory=lambda: {f: 0 for f in FIELDS + EXTRA_FIELDS})
    got: dict = field(default_factory=lambda: {f: 0 for f in FIELDS + EXTRA_FIELDS})
    want: dict = field(default_factory=lambda: {f: 0 for f in FIELDS + EXTRA_FIELDS})
    exact: int = 0
    expected: int = 0
    invented: int = 0  # extracted incidents matching no expected one
    from_empty: int = 0  # incidents extracted from texts that report none
    misses: list = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in self.tp:
            self.tp[name] += other.tp[name]
            self.got[name] += other.got[name]
            self.want[name] += other.want[name]
        self.exact += other.exact
        self.expected += other.expected
        self.invented += other.invented
        self.from_empty += other.from_empty
        self.misses += other.misses

    @property
    def exact_share(self) -> float:
        total = self.expected + self.invented
        return self.exact / total if total else 1.0


def corpus_expected(item: dict) -> Coded:
    values = {f: item.get(f) for f in FIELDS[1:] + EXTRA_FIELDS if f != "date"}
    return Coded([p.lower() for p in item["places"]], values, {item["date"]}, item.get("date_end"))


def example_expected(item: dict) -> Coded:
    values = {f: item.get(f) for f in FIELDS[1:] + EXTRA_FIELDS if f != "date"}
    points = [_known_alternative(p) or (p["lon"], p["lat"]) for p in item["places"]]
    if not isinstance(values.get("geo_precision"), int):
        values["geo_precision"] = None  # the examples describe alternatives in words
    return Coded(points, values, set(item["dates"]), None, by_point=True)


def _known_alternative(place: dict) -> tuple[float, float] | None:
    """The examples' own alternative: "X (if the gazetteer knows it) or Y" is X where the
    gazetteer as shipped locates X."""
    m = re.match(r"(.+?) \(if the gazetteer knows it\) or ", place.get("name", ""))
    if m is None:
        return None
    from geo.places.gazetteer import default_gazetteer
    match = default_gazetteer().resolve(m.group(1))
    return match.point if match is not None else None


def extracted(candidate, by_point: bool) -> Coded:
    inc = candidate.incident
    values = {f: getattr(inc, f) for f in FIELDS[1:] + EXTRA_FIELDS if f != "date"}
    places = [pt for pt in inc.points if pt is not None] if by_point else [p.lower() for p in inc.places]
    return Coded(places, values, {inc.date}, inc.date_end, by_point)


def place_hits(want: Coded, got: Coded) -> int:
    if want.by_point:
        return sum(1 for w in want.places if any(haversine_km(w, g) <= SAME_PLACE_KM for g in got.places))
    return len(set(want.places) & set(got.places))


def places_equal(want: Coded, got: Coded) -> bool:
    if want.by_point:
        return place_hits(want, got) == len(want.places) and \
            all(any(haversine_km(w, g) <= SAME_PLACE_KM for w in want.places) for g in got.places)
    return set(want.places) == set(got.places)


def date_ok(want: Coded, got: Coded) -> bool:
    (day,) = got.dates
    return day in want.dates and (want.by_point or want.date_end == got.date_end)


def score_report(name: str, wants: list[Coded], gots: list[Coded]) -> Score:
    score = Score(expected=len(wants))
    if not wants:
        score.from_empty = score.invented = len(gots)
        if gots:
            score.misses.append(f"{name}: {len(gots)} incident(s) from a text that reports none")
    pairs, free = [], list(range(len(gots)))
    for w in wants:  # greedy pairing on shared places, then date and toll
        best = max(free, default=None, key=lambda g: (place_hits(w, gots[g]), date_ok(w, gots[g]),
                                                      w.values["killed"] == gots[g].values["killed"]))
        if best is not None and (place_hits(w, gots[best]) or date_ok(w, gots[best])):
            pairs.append((w, gots[best]))
            free.remove(best)
        else:
            pairs.append((w, None))
            score.misses.append(f"{name}: missed {w.places} killed={w.values['killed']}")
    if wants:
        score.invented = len(free)
        score.misses += [f"{name}: extra {gots[g].places} killed={gots[g].values['killed']}" for g in free]
    for g in free:
        _count_got(score, gots[g])
    for w, g in pairs:
        score.want["places"] += len(w.places)
        score.want["date"] += 1
        for f in FIELDS[1:] + EXTRA_FIELDS:
            if f != "date" and w.values.get(f) not in (None, False):
                score.want[f] += 1
        if g is None:
            continue
        _count_got(score, g)
        score.tp["places"] += min(place_hits(w, g), len(g.places))
        score.tp["date"] += date_ok(w, g)
        for f in FIELDS[1:] + EXTRA_FIELDS:
            if f != "date" and w.values.get(f) not in (None, False) and w.values.get(f) == g.values.get(f):
                score.tp[f] += 1
        exact = places_equal(w, g) and date_ok(w, g) and all(
            w.values.get(f) == g.values.get(f) for f in ("killed", "killed_max", "children"))
        score.exact += exact
        if not exact:
            diffs = [f for f in ("killed", "killed_max", "children") if w.values.get(f) != g.values.get(f)]
            diffs += [] if places_equal(w, g) else [f"places {w.places} vs {g.places}"]
            diffs += [] if date_ok(w, g) else [f"date {sorted(w.dates)}/{w.date_end} vs {g.dates}/{g.date_end}"]
            score.misses.append(f"{name}: not exact: {diffs}")
    return score


def _count_got(score: Score, g: Coded) -> None:
    score.got["places"] += len(g.places)
    score.got["date"] += 1
    for f in FIELDS[1:] + EXTRA_FIELDS:
        if f != "date" and g.values.get(f) not in (None, False):
            score.got[f] += 1


def score_folder(folder: Path, expected_of) -> Score:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    total = Score()
    for name in sorted(k for k in expected if not k.startswith("_")):
        text = (folder / name).read_text(encoding="utf-8")
        by_point = expected_of is example_expected
        result = extract(text, report_date=dt.date(2000, 1, 1))  # every text has its dateline
        gots = [extracted(c, by_point) for c in result.incidents]
        total.add(score_report(name, [expected_of(e) for e in expected[name]], gots))
    return total


def table(title: str, score: Score) -> str:
    lines = [f"\n{title}: {score.expected} incidents expected, {score.exact} exactly right "
             f"({100 * score.exact_share:.1f} %), {score.invented} extra, "
             f"{score.from_empty} from no-incident texts",
             f"  {'field':<14}{'precision':>10}{'recall':>9}   (found/coded)"]
    for f in FIELDS + EXTRA_FIELDS:
        p = score.tp[f] / score.got[f] if score.got[f] else 1.0
        r = score.tp[f] / score.want[f] if score.want[f] else 1.0
        extra = "  (info)" if f in EXTRA_FIELDS else ""
        lines.append(f"  {f:<14}{100 * p:>9.1f}%{100 * r:>8.1f}%   ({score.tp[f]}/{score.got[f]}, "
                     f"{score.tp[f]}/{score.want[f]}){extra}")
    lines += [f"  - {m}" for m in score.misses]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    out = {"corpus (tests/corpus)": score_folder(CORPUS, corpus_expected)}
    if (EXAMPLES / "expected.json").exists():
        out["shared examples"] = score_folder(EXAMPLES, example_expected)
    return out


def test_corpus_has_enough_reports():
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    reports = [k for k in expected if not k.startswith("_")]
    assert len(reports) >= 30
    assert sum(1 for k in reports if not expected[k]) >= 5
    assert all((CORPUS / k).exists() for k in reports)


def test_scores_are_printed_and_meet_targets(scores, capsys):
    combined = Score()
    for s in scores.values():
        combined.add(s)
    with capsys.disabled():
        for title, s in scores.items():
            print(table(title, s))
        if len(scores) > 1:
            print(table("all", combined))
    for title, s in scores.items():
        assert s.from_empty == 0, f"{title}: incidents invented from no-incident texts"
        assert s.exact_share >= 0.95, f"{title}: only {100 * s.exact_share:.1f} % exactly right"


def test_scorer_counts_a_wrong_toll_as_not_exact():
    want = corpus_expected({"places": ["Hajin"], "killed": 9, "date": "2017-06-11", "children": 4})
    got = Coded(["hajin"], {"killed": 8, "killed_max": None, "children": 4}, {"2017-06-11"})
    score = score_report("t", [want], [got])
    assert score.exact == 0 and score.tp["killed"] == 0 and score.tp["children"] == 1
    assert score_report("t", [], [got]).from_empty == 1
