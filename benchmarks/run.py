"""Every benchmark in one command, printed as one table (figures, never test assertions).

    python -m benchmarks.run                      # 10k, 100k and 1M synthetic incidents
    python -m benchmarks.run --sizes 10000,100000 # shorter
    python -m benchmarks.run --only store,map

A benchmark module `benchmarks/bench_<name>.py` offers `main(...)`; it gets `sizes` when its
signature takes it, else `--sizes` (and `--browser`) on sys.argv when it parses those flags. When it
returns rows (dicts with bench, size, what, value, naive, ratio, target,
note) they join the table; otherwise it printed its own figures.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import platform
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCHMARKS = ("store", "app", "import", "export", "map", "zoom", "geocode", "extract", "linking")


def run(names: tuple[str, ...], sizes: list[int] | None) -> list[dict]:
    rows: list[dict] = []
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
        except Exception as exc:  # a benchmark that cannot even be imported is a failed row, not the end
            if isinstance(exc, ModuleNotFoundError) and exc.name == f"benchmarks.bench_{name}":
                print(f"[{name}] no benchmarks/bench_{name}.py yet: skipped", file=sys.stderr)
                continue
            rows.append(_failed(name, exc))
            continue
        main = getattr(module, "main", None)
        if main is None:
            print(f"[{name}] bench_{name}.py has no main(): skipped", file=sys.stderr)
            continue
        kwargs = {"sizes": sizes} if sizes and "sizes" in inspect.signature(main).parameters else {}
        print(f"[{name}] running…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        saved_argv = sys.argv
        sys.argv = [module.__file__, *_command_line(module, sizes, kwargs)]
        try:
            result = main(**kwargs)
        except BaseException as exc:  # one broken benchmark must not hide the others' figures
            if isinstance(exc, KeyboardInterrupt):
                raise
            traceback.print_exc()
            rows.append(_failed(name, exc))
            continue
        finally:
            sys.argv = saved_argv
        print(f"[{name}] done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if isinstance(result, list):
            rows += [r for r in result if isinstance(r, dict)]
    return rows


def _command_line(module, sizes: list[int] | None, kwargs: dict) -> list[str]:
    """Flags for a benchmark whose main() reads sys.argv: the sizes, and the browser measurement."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return []
    args = []
    if sizes and not kwargs and '"--sizes"' in source:
        args += ["--sizes", ",".join(str(n) for n in sizes)]
    if '"--browser"' in source:
        args.append("--browser")
    return args


def print_table(rows: list[dict], out=None) -> None:
    """Rows as an aligned text table: what, size, value, naive baseline, ratio, target, note."""
    out = out or sys.stdout
    header = ("bench", "size", "what", "value", "naive", "ratio", "target", "note")
    lines = [header] + [(str(r.get("bench", "")), _size(r.get("size")), str(r.get("what", "")),
                         _num(r.get("value")), _num(r.get("naive")),
                         f"{r['ratio']:.1f}×" if r.get("ratio") else "",
                         str(r.get("target") or ""), str(r.get("note") or "")) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    for n, line in enumerate(lines):
        cells = [cell.rjust(w) if i in (1, 3, 4, 5) else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(line, widths))]
        print("  ".join(cells) + "  " + line[-1], file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths) + "  ----", file=out)
    print("Data: synthetic incidents (benchmarks/synthetic.py), never real reports. "
          f"Machine: {platform.machine()}, Python {platform.python_version()}.", file=out)


def _failed(name: str, exc: BaseException) -> dict:
    return {"bench": name, "what": "FAILED", "note": f"{type(exc).__name__}: {exc}"[:200]}


def _size(size) -> str:
    if not size:
        return ""
    if not isinstance(size, int):  # a benchmark may label its size ("5 KB report")
        return str(size)
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else \
        f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _num(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Strike Atlas benchmarks and print one table.")
    parser.add_argument("--sizes", help="comma-separated incident counts (default 10000,100000,1000000)")
    parser.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(BENCHMARKS))
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")] if args.sizes else None
    names = tuple(n.strip() for n in args.only.split(",")) if args.only else BENCHMARKS
    print_table(run(names, sizes))


if __name__ == "__main__":
    main()
