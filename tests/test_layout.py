"""The shape of the code: no import circles, the floors import only downwards, geo/ never imports Streamlit."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Every geo module and the geo modules it imports, at module level or inside functions."""
    modules = {_module_name(p): p for p in (ROOT / "geo").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    found.add(target)  # a module reaching its own package's __init__ is no circle
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_another_in_a_circle():
    graph = _imports()
    graph.pop("geo", None)  # the public face imports everything, lazily, and nothing needs it
    for deps in graph.values():
        deps.discard("geo")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_data_flows_one_way():
    graph = _imports()
    store = {m for m in graph if m.startswith("geo.store")}
    for module in store:
        assert not {d for d in graph[module] if d.startswith(("geo.summary", "geo.formats", "geo.map",
                                                               "geo.selection", "geo.ingest"))}, module
    for module in (m for m in graph if m.startswith("geo.map")):
        assert not {d for d in graph[module] if d.startswith(("geo.store", "geo.selection"))}, module
    for module in ("geo.model", "geo.names", "geo.provinces", "geo.settings"):
        assert not {d for d in graph[module] if d not in ("geo.names", "geo.provinces", "geo.settings")}, module


def test_geo_never_imports_streamlit():
    for path in (ROOT / "geo").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {n for n in names if n.split(".")[0] in ("streamlit", "streamlit_folium")}, path
