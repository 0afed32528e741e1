"""Geocoder speed and accuracy: load time, names/second (uncached and cached) against a naive
rapidfuzz scan over every name, and the variant table's hit rate for both.

    .venv/bin/python benchmarks/bench_geocode.py [--queries N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from geo.names import fold  # noqa: E402
from geo.places.gazetteer import MIN_SCORE, Gazetteer  # noqa: E402
from tests.test_gazetteer import ARABIC, VARIANTS  # noqa: E402

NONSENSE = ["xyzzy", "toll", "road", "house", "regime", "hospital", "Blorfengast", "qwertyuiop"]


def spellings(gazetteer: Gazetteer, count: int, seed: int = 7) -> list[str]:
    """`count` distinct queries: Syrian names and alternate names, respelled the way reports do."""
    rng = random.Random(seed)
    base = sorted({name for place in gazetteer.places if place.country == "SY"
                   for name in [place.name, *place.alternates] if name.isascii()})
    swaps = [("a", "e"), ("i", "ee"), ("u", "ou"), ("q", "k"), ("ay", "ei"), ("s", "ss"),
             ("al ", "al-"), ("Al ", "el-"), ("h", ""), ("'", "")]
    out: set[str] = set(base)
    while len(out) < count:
        name = rng.choice(base)
        for _ in range(rng.randint(1, 3)):
            old, new = rng.choice(swaps)
            name = name.replace(old, new, 1)
        if rng.random() < 0.2:
            name = "al-" + name
        if rng.random() < 0.1:
            name = "".join(rng.choice("bcdfgklmnrstz aeiou") for _ in range(rng.randint(5, 11)))
        out.add(name)
    queries = sorted(out)[:count]
    rng.shuffle(queries)
    return queries


class NaiveGazetteer:
    """The baseline: fold the query, then rapidfuzz WRatio over every known name."""

    def __init__(self, gazetteer: Gazetteer, country: str = "SY"):
        self.keys: list[str] = []
        self.places: list[int] = []
        for idx, place in enumerate(gazetteer.places):
            for name in {place.name, *place.alternates}:
                self.keys.append(fold(name))
                self.places.append(idx)
        self.gazetteer = gazetteer

    def resolve(self, name: str) -> int | None:
        found = process.extractOne(fold(name), self.keys, scorer=fuzz.WRatio, score_cutoff=85)
        return None if found is None else self.gazetteer.places[self.places[found[2]]].geonameid


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20000)
    parser.add_argument("--naive-queries", type=int, default=300)
    args = parser.parse_args()

    started = time.perf_counter()
    gazetteer = Gazetteer.load()
    load_seconds = time.perf_counter() - started
    print(f"load: {len(gazetteer)} places ({', '.join(f'{k} {v}' for k, v in gazetteer.counts().items())})"
          f" in {load_seconds:.2f} s")

    queries = spellings(gazetteer, args.queries)
    gazetteer.clear_cache()
    started = time.perf_counter()
    found = sum(gazetteer.resolve(q) is not None for q in queries)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for q in queries:
        gazetteer.resolve(q)
    warm = time.perf_counter() - started
    print(f"resolve, uncached: {len(queries)} distinct names in {cold:.2f} s = "
          f"{rate(len(queries), cold):,.0f} names/s ({found / len(queries):.0%} located)")
    print(f"resolve, cached:   {len(queries)} names in {warm:.3f} s = {rate(len(queries), warm):,.0f} names/s")

    naive = NaiveGazetteer(gazetteer)
    sample = queries[: args.naive_queries]
    started = time.perf_counter()
    for q in sample:
        naive.resolve(q)
    naive_seconds = time.perf_counter() - started
    naive_rate = rate(len(sample), naive_seconds)
    print(f"naive rapidfuzz scan over {len(naive.keys):,} names: {len(sample)} names in "
          f"{naive_seconds:.2f} s = {naive_rate:,.0f} names/s")
    print(f"ratio: uncached {rate(len(queries), cold) / naive_rate:,.0f}x, "
          f"cached {rate(len(queries), warm) / naive_rate:,.0f}x faster than the naive scan")

    table = VARIANTS + ARABIC
    gazetteer.clear_cache()
    hits = sum(1 for q, gid in table if (m := gazetteer.resolve(q)) and m.geonameid == gid)
    naive_hits = sum(1 for q, gid in table if naive.resolve(q) == gid)
    false = sum(gazetteer.resolve(w) is not None for w in NONSENSE)
    naive_false = sum(naive.resolve(w) is not None for w in NONSENSE)
    print(f"variant table ({len(table)} spellings incl. {len(ARABIC)} Arabic): gazetteer "
          f"{hits}/{len(table)} = {hits / len(table):.0%}, naive {naive_hits}/{len(table)} = "
          f"{naive_hits / len(table):.0%}")
    print(f"nonsense/near-miss words wrongly located: gazetteer {false}/{len(NONSENSE)}, "
          f"naive {naive_false}/{len(NONSENSE)} (MIN_SCORE {MIN_SCORE})")


if __name__ == "__main__":
    main()
