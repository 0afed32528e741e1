"""Linking: precision and recall on the labelled set (benchmarks/linking_set.py), and the time to
link 1M synthetic records, blocked by place cell and day, against a naive baseline comparing each
record with every event of the same day window.

    .venv/bin/python benchmarks/bench_linking.py [--sizes 100000,1000000]

Pairwise scores: a pair of records is "linked" when they end in one event; precision = linked pairs
that are one strike / linked pairs, recall = pairs of one strike that are linked / such pairs.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.linking_set import as_record, labelled_set  # noqa: E402
from geo import events  # noqa: E402
from geo.model import Incident  # noqa: E402

TARGET = 0.95
TARGET_SECONDS = 60.0


def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}


def score(items: list[tuple[dict, str]]) -> dict:
    """Precision, recall and the wrong pairs of linking `items` (record, strike)."""
    linked = events.link([r for r, _ in items])
    truth: dict[str, list[str]] = {}
    found: dict[str, list[str]] = {}
    for record, strike in items:
        truth.setdefault(strike, []).append(record["id"])
        found.setdefault(linked.event_of[record["id"]], []).append(record["id"])
    want, got = pairs(truth), pairs(found)
    right = want & got
    return {"precision": len(right) / len(got) if got else 1.0, "recall": len(right) / len(want) if want else 1.0,
            "pairs": len(want), "linked": len(got), "false": sorted(got - want)[:10],
            "missed": sorted(want - got)[:10], "records": len(items), "strikes": len(truth),
            "events": len(found)}


def synthetic_million(count: int, seed: int = 3) -> list[dict]:
    """`count` synthetic records (labelled synthetic): strikes over 3 years on points spread over
    Syria's box, a third told twice (ACLED and UCDP ids)."""
    rng = random.Random(seed)
    out = []
    n = 0
    while len(out) < count:
        lon, lat = rng.uniform(35.7, 42.0), rng.uniform(32.3, 37.3)
        day = f"{2015 + n % 3}-{1 + n % 12:02d}-{1 + (n // 36) % 28:02d}"
        base = dict(date=day, places=[f"synthetic place {n % 5000}"], killed=rng.randint(0, 20),
                    event_type="airstrike", source="synthetic (benchmark)")
        out.append(as_record(Incident.from_dict({**base, "id": f"acled:S{n}", "points": [(lon, lat)]})))
        if n % 3 == 0 and len(out) < count:
            out.append(as_record(Incident.from_dict({**base, "id": f"ucdp:S{n}",
                                                     "points": [(lon + 0.01, lat + 0.01)]})))
        n += 1
    return out


def naive_link(records: list[dict]) -> int:
    """Each record against every event of its day (no place cells): the baseline."""
    by_day: dict[int, list[events.Mark]] = {}
    joined = 0
    for record in sorted(records, key=lambda r: r["date"]):
        mark = events.Mark.of_record(record)
        candidates = [e for d in (mark.day - 1, mark.day, mark.day + 1) for e in by_day.get(d, ())]
        if any(events.link_reason(mark, e) for e in candidates):
            joined += 1
            continue
        by_day.setdefault(mark.day, []).append(mark)
    return joined


def store_import(size: int) -> tuple[float, float]:
    """Seconds to add `size` synthetic incidents (benchmarks/synthetic.py) to a new SQLite store in
    one add, with linking and with linking switched off (the cost linking adds)."""
    import tempfile

    from benchmarks import synthetic
    from geo import open_store
    from geo.store import linking
    from geo.store import store as store_module
    incidents = list(synthetic.incidents(size))
    times = []
    for link in (True, False):
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(f"sqlite:///{folder}/bench.sqlite")
            store.delete([i.id for i in store.query()])
            real = store_module.linking.link_unlinked
            if not link:
                store_module.linking.link_unlinked = lambda conn, recompute=(): linking.LinkResult()
            try:
                started = time.perf_counter()
                store.add(incidents)
                times.append(time.perf_counter() - started)
            finally:
                store_module.linking.link_unlinked = real
            store.close()
    return times[0], times[1]


def main(sizes: list[int] | None = None) -> list[dict]:
    from geo.places.gazetteer import default_gazetteer
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=None)
    args, _ = parser.parse_known_args()
    sizes = sizes or ([int(s) for s in args.sizes.split(",")] if args.sizes else [100_000, 1_000_000])
    rows = []
    items = labelled_set(default_gazetteer())
    parts = {"all": items,
             "coded+issue": [i for i in items if not i[1].startswith("syn:")],
             "synthetic": [i for i in items if i[1].startswith("syn:")]}
    for name, part in parts.items():
        s = score(part)
        print(f"linking set {name}: {s['records']} records, {s['strikes']} strikes -> {s['events']} events; "
              f"precision {s['precision']:.3f}, recall {s['recall']:.3f} ({s['pairs']} pairs)")
        if s["false"]:
            print("  linked, not one strike:", s["false"])
        if s["missed"]:
            print("  one strike, not linked:", s["missed"])
        for what in ("precision", "recall"):
            rows.append({"bench": "linking", "size": s["records"], "what": f"{what}, {name}",
                         "value": round(s[what], 3), "target": f">= {TARGET}"})
    for size in sizes:
        records = synthetic_million(size)
        started, cpu = time.perf_counter(), time.process_time()
        linked = events.link(records)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"link {size:,} records: {seconds:.1f} s ({size / seconds:,.0f} records/s; CPU {cpu:.1f} s), "
              f"{len(linked.events):,} events")
        naive = None
        if size <= 100_000:
            started = time.perf_counter()
            naive_link(records)
            naive = time.perf_counter() - started
            print(f"  naive (every event of the day window): {naive:.1f} s")
        rows.append({"bench": "linking", "size": size, "what": "link records, s", "value": round(seconds, 1),
                     "naive": round(naive, 1) if naive else None, "target": f"< {TARGET_SECONDS:.0f} at 1M"})
        if size <= 100_000:
            linked_s, plain_s = store_import(size)
            print(f"store import of {size:,} (SQLite, one add): {size / linked_s:,.0f} rows/s with linking, "
                  f"{size / plain_s:,.0f} rows/s without")
            rows.append({"bench": "linking", "size": size, "what": "SQLite import with linking, rows/s",
                         "value": round(size / linked_s), "naive": round(size / plain_s),
                         "note": "naive = the same add without linking"})
    return rows


if __name__ == "__main__":
    main()
