"""A fuzz corpus made by code: valid files of every format (synthetic rows from
tests/fixtures_formats.py), then mutated with a seeded generator: cut short, bytes flipped, NUL
and CR dropped in, cells swapped for hostile values, JSON reshaped. Deterministic: the same seed
gives the same files, so a failure can be replayed by its name.

    .venv/bin/python -m tests.fuzz.corpus OUTDIR   # write the files, to look at them
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from pathlib import Path
from typing import Iterator

from tests.fixtures_formats import ACLED_COLUMNS, UCDP_COLUMNS, acled_row, ucdp_row

HOSTILE = ["", "\x00", "1e20", "-1", "12345678901234567890123", "2147483648", "NaN", "inf", "=cmd|' /C calc'!A0",
           "ok\r@SUM(1+1)", "2017-W01-1", "20170817xx", "0001-01-01", "9999-12-31", "\ud800", "x" * 140_000,
           "[", "[[[]]]", "{}", "Syria", "SY", "Atlantis", "١٢", "1_000", "0x10", " 3 ", "P" * 80, "\u202e"]
JSON_HOSTILE = [None, 5, "text", [], {}, [1, 2], {"type": "Point"}, {"type": "Point", "coordinates": "x"},
                {"type": "MultiPoint", "coordinates": [[1]]}, {"type": "Polygon", "coordinates": [[[0, 0]]]},
                1e308, -1, 10 ** 30, True, "\ud800", "a\x00b", [[[[[[1]]]]]]]


def _csv_text(columns, rows) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _ours(rng: random.Random, n: int) -> list[dict]:
    return [{"id": f"ours-{i}", "date": f"2017-08-{1 + i % 28:02d}", "places": "Raqqa; Tabqa",
             "points": "39.01 35.95; ", "province": "Raqqa", "country": "SY", "killed": str(i % 9),
             "notes": f"synthetic note {i}"} for i in range(n)]


def seeds(rng: random.Random) -> list[tuple[str, bytes]]:
    """Valid files, one per format (the GeoPackage is added by the test, it needs a writer)."""
    acled = _csv_text(ACLED_COLUMNS, [acled_row(i) for i in range(12)])
    ucdp = _csv_text(UCDP_COLUMNS, [ucdp_row(i) for i in range(12)])
    ours = _csv_text(["id", "date", "places", "points", "province", "country", "killed", "notes"],
                     _ours(rng, 12))
    features = [{"type": "Feature", "id": f"gj-{i}",
                 "geometry": {"type": "Point", "coordinates": [40.1 + i / 100, 35.3]},
                 "properties": {"date": "2017-08-17", "places": ["A"], "killed": i}} for i in range(12)]
    gj = json.dumps({"type": "FeatureCollection", "features": features})
    return [("acled.csv", acled.encode()), ("ucdp.csv", ucdp.encode()), ("ours.csv", ours.encode()),
            ("feat.geojson", gj.encode())]


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    kind = rng.randrange(6)
    data = bytearray(data)
    if kind == 0:  # cut short
        return bytes(data[:rng.randrange(1, len(data))])
    if kind == 1:  # flip bytes
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 2:  # NUL or CR dropped in
        for _ in range(rng.randrange(1, 6)):
            data.insert(rng.randrange(len(data)), rng.choice([0, 13, 10, 34, 44]))
        return bytes(data)
    if kind == 3:  # line endings changed
        return bytes(data).replace(b"\n", rng.choice([b"\r", b"\r\n", b"\n\n", b"\r\r\n"]))
    if kind == 4:  # a slice repeated
        start = rng.randrange(len(data))
        return bytes(data[:start] + data[start:start + 200] * rng.randrange(2, 5) + data[start:])
    return b"\xef\xbb\xbf" + bytes(data) if rng.random() < 0.5 else bytes(data) + b"\xff\xfe"


def _mutate_cells(rng: random.Random, text: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    for _ in range(rng.randrange(1, 8)):
        row = rng.choice(body)
        row[rng.randrange(len(row))] = rng.choice(HOSTILE)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *body])
    return buffer.getvalue()


def _mutate_json(rng: random.Random, text: str) -> str:
    data = json.loads(text)
    for _ in range(rng.randrange(1, 6)):
        where = rng.randrange(5)
        feature = rng.choice(data["features"])
        value = rng.choice(JSON_HOSTILE + HOSTILE)
        if where == 0:
            feature["geometry"] = value
        elif where == 1 and isinstance(feature, dict):
            feature["properties"][rng.choice(["killed", "date", "country", "places", "id",
                                              "not_located", "province", "notes"])] = value
        elif where == 2:
            data["features"][rng.randrange(len(data["features"]))] = value
        elif where == 3:
            feature["properties"] = value
        else:
            data[rng.choice(["features", "type"])] = value if rng.random() < 0.2 else data.get("features")
    depth = rng.choice([0, 0, 0, 50, 2000])
    body = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    if depth:
        body = body[:-1] + ',"deep":' + "[" * depth + "]" * depth + "}"
    return body


def corpus(count: int = 120, seed: int = 13) -> Iterator[tuple[str, bytes]]:
    """`count` hostile files as (name, bytes); names say how each was made."""
    rng = random.Random(seed)
    bases = seeds(rng)
    for n in range(count):
        name, data = bases[n % len(bases)]
        how = rng.choice(["bytes", "cells", "cells", "bytes"])
        if how == "cells":
            text = data.decode()
            data = (_mutate_json(rng, text) if name.endswith(".geojson") else _mutate_cells(rng, text)
                    ).encode("utf-8", "surrogatepass")
        else:
            data = _mutate_bytes(rng, data)
        yield f"{n:03d}-{how}-{name}", data


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in corpus():
        (out / name).write_bytes(data)
