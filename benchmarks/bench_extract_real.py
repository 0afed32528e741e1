"""Extraction scored on REAL reports: the texts are not in git, only their coding is
(tests/real/coding.json: url, outlet, report date and the incidents an analyst would code).

    .venv/bin/python benchmarks/bench_extract_real.py [--batch A|B|all] [--misses] [--json]

How to get the texts: for each report in tests/real/coding.json, search its `url` in the stored
public web pages (the `pages` corpus of the project's search tool, or the live page), and save the
article's body text, as the page gives it, to tests/real/texts/<id>.txt (UTF-8). Reports whose
text is absent are skipped; with none present the script says so and exits 0.

Scores, per batch (A = development, B = held out; see tests/real/SCORES.md):
- exactly right: a coded incident matched by an extracted one with the place within 10 km (or the
  same name where the gazetteer has no coordinates, or the same province for province-only
  incidents), the same date (where the coding fixes one), the same minimum toll, the same upper
  bound where a range is coded, and the same children where given;
- invented: extracted incidents that match nothing coded (an `optional` reading is neutral);
- dropped silently: coded incidents with no extracted incident and no not-coded entry naming
  their toll;
- calibration: candidates per confidence band and the share of them exactly right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.extraction import extract  # noqa: E402
from geo.extraction.places import haversine_km  # noqa: E402

REAL = ROOT / "tests" / "real"
TEXTS = REAL / "texts"
NEAR_KM = 10.0
BANDS = ((0.9, 1.01), (0.8, 0.9), (0.6, 0.8), (0.4, 0.6), (0.0, 0.4))


def norm(name: str) -> str:
    """A place name reduced for comparing spellings: no accents, article or punctuation."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"^(?:al|el|as|ash|ar|az|ad|at)[-\s]+", "", s)
    return re.sub(r"[^a-z]", "", s)


def same_name(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    return bool(x and y) and (x == y or (min(len(x), len(y)) >= 5 and (x in y or y in x)))


def place_ok(coded: dict, inc) -> bool:
    points = [p for p in (inc.points or []) if p is not None]
    if not coded["places"]:  # province only
        return not points and inc.province == coded["province"]
    if coded["point"] is not None and points:
        lat, lon = coded["point"]
        return any(haversine_km((lon, lat), p) <= NEAR_KM for p in points)
    return any(same_name(c, e) for c in coded["places"] for e in inc.places)


def fields_ok(coded: dict, inc) -> dict[str, bool]:
    return {
        "place": place_ok(coded, inc),
        "date": coded["date"] is None or inc.date == coded["date"],
        "killed": inc.killed == coded["killed"],
        "killed_max": coded["killed_max"] is None or inc.killed_max == coded["killed_max"],
        "children": coded["children"] is None or inc.children == coded["children"],
    }


def pair(coded: list[dict], found: list) -> list[tuple[int, int, dict]]:
    """One-to-one pairs (coded index, found index, field checks), best agreement first."""
    scored = []
    for i, c in enumerate(coded):
        for j, cand in enumerate(found):
            ok = fields_ok(c, cand.incident)
            if not (ok["place"] or (ok["killed"] and c["killed"] is not None)):
                continue
            score = 4 * ok["place"] + 2 * ok["killed"] + ok["date"] + ok["children"] + ok["killed_max"]
            scored.append((score, i, j, ok))
    used_c, used_f, out = set(), set(), []
    for _score, i, j, ok in sorted(scored, key=lambda t: -t[0]):
        if i in used_c or j in used_f:
            continue
        used_c.add(i)
        used_f.add(j)
        out.append((i, j, ok))
    return out


def not_coded_figures(extraction) -> list[str]:
    """The words of every toll the extraction read and did not code (its not-coded list)."""
    skipped = getattr(extraction, "skipped", None)
    if skipped is not None:
        return [s.words for s in skipped]
    return [w for w in extraction.warnings if w.startswith(("not coded", "a toll"))]


def mentions_toll(words: list[str], killed: int | None) -> bool:
    if killed is None:
        return any(words)
    return any(re.search(rf"(?<!\d){killed}(?!\d)", w) or _word_number(w, killed) for w in words)


_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


def _word_number(text: str, n: int) -> bool:
    return n < len(_WORDS) and re.search(rf"\b{_WORDS[n]}\b", text, re.IGNORECASE) is not None


def run(batch: str, show_misses: bool) -> dict:
    coding = json.loads((REAL / "coding.json").read_text(encoding="utf-8"))["reports"]
    reports = [r for r in coding if batch == "all" or r["batch"] == batch]
    present = [r for r in reports if (TEXTS / f"{r['id']}.txt").exists()]
    totals = {"reports": len(present), "absent": len(reports) - len(present), "coded": 0, "exact": 0,
              "placed": 0, "invented": 0, "dropped_silently": 0, "missed_listed": 0, "ms": []}
    bands = {b: [0, 0] for b in BANDS}
    misses: list[str] = []
    for r in present:
        text = (TEXTS / f"{r['id']}.txt").read_text(encoding="utf-8")
        day = dt.date.fromisoformat(r["report_date"]) if r["report_date"] else None
        t0 = time.perf_counter()
        ex = extract(text, day)
        totals["ms"].append((time.perf_counter() - t0) * 1000)
        found = ex.incidents
        pairs = pair(r["incidents"], found)
        right_found = set()
        totals["coded"] += len(r["incidents"])
        paired_c = {i for i, _, _ in pairs}
        paired_f = {j for _, j, _ in pairs}
        for i, j, ok in pairs:
            totals["placed"] += ok["place"]
            if all(ok.values()):
                totals["exact"] += 1
                right_found.add(j)
            else:
                inc = found[j].incident
                bad = ", ".join(k for k, v in ok.items() if not v)
                misses.append(f"{r['id']}: wrong {bad}: got {inc.places} {inc.date} killed {inc.killed}"
                              f"-{inc.killed_max} children {inc.children}; coded {r['incidents'][i]['places']} "
                              f"{r['incidents'][i]['date']} killed {r['incidents'][i]['killed']} "
                              f"children {r['incidents'][i]['children']}")
        listed = not_coded_figures(ex)
        for i, c in enumerate(r["incidents"]):
            if i in paired_c:
                continue
            if mentions_toll(listed, c["killed"]):
                totals["missed_listed"] += 1
                misses.append(f"{r['id']}: missed (listed as not coded) {c['places']} killed {c['killed']}")
            else:
                totals["dropped_silently"] += 1
                misses.append(f"{r['id']}: DROPPED SILENTLY {c['places']} killed {c['killed']}")
        rest = [j for j in range(len(found)) if j not in paired_f]
        optional_pairs = pair(r.get("optional", []), [found[j] for j in rest])
        neutral = {rest[j] for _, j, _ in optional_pairs}
        for j in rest:
            if j in neutral:
                continue
            totals["invented"] += 1
            inc = found[j].incident
            misses.append(f"{r['id']}: invented {inc.places} {inc.date} killed {inc.killed} "
                          f"(confidence {found[j].confidence})")
        for j, cand in enumerate(found):
            if j in neutral:
                continue
            band = next(b for b in BANDS if b[0] <= cand.confidence < b[1])
            bands[band][0] += 1
            bands[band][1] += j in right_found
    totals["bands"] = bands
    totals["misses"] = misses
    return totals


def report(batch: str, t: dict, show_misses: bool) -> None:
    if not t["reports"]:
        print(f"batch {batch}: no texts present in {TEXTS} ({t['absent']} coded): see this script's "
              "docstring for how to fetch them; skipped.")
        return
    coded, exact, inv = t["coded"], t["exact"], t["invented"]
    print(f"batch {batch}: {t['reports']} reports ({t['absent']} texts absent), {coded} incidents coded")
    print(f"  exactly right      {exact}/{coded} = {100 * exact / max(coded, 1):.1f} %"
          f"  ({100 * exact / max(coded + inv, 1):.1f} % counting invented ones)")
    print(f"  placed right       {t['placed']}/{coded}")
    print(f"  invented           {inv} ({inv / t['reports']:.2f} per report)")
    print(f"  missed, listed     {t['missed_listed']}   dropped silently {t['dropped_silently']}")
    ms = sorted(t["ms"])
    print(f"  time per report    median {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms")
    print("  calibration (confidence band: candidates, exactly right)")
    for (lo, hi), (n, right) in t["bands"].items():
        share = f"{100 * right / n:.0f} %" if n else "—"
        print(f"    {lo:.1f}–{min(hi, 1.0):.1f}: {n:3d}, {right:3d} right ({share})")
    high = [(n, r) for (lo, _), (n, r) in t["bands"].items() if lo >= 0.8]
    n8, r8 = sum(n for n, _ in high), sum(r for _, r in high)
    print(f"    ≥ 0.8: {r8}/{n8} right" + (f" ({100 * r8 / n8:.0f} %)" if n8 else ""))
    if show_misses:
        for line in t["misses"]:
            print("   ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", default="all", choices=["A", "B", "all", "each"])
    parser.add_argument("--misses", action="store_true", help="list every miss and invented incident")
    parser.add_argument("--json", action="store_true", help="print the totals as JSON")
    args = parser.parse_args(argv)
    from geo.places.gazetteer import default_gazetteer
    default_gazetteer()  # load once, outside the timings
    batches = ["A", "B"] if args.batch == "each" else [args.batch]
    for b in batches:
        t = run(b, args.misses)
        if args.json:
            print(json.dumps({k: v for k, v in t.items() if k not in ("bands", "misses")}
                             | {"bands": {f"{lo}-{hi}": v for (lo, hi), v in t["bands"].items()}}))
        else:
            report(b, t, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
