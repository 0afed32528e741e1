"""Leaflet's files, taken from the installed `django-js-lib-leaflet` package so the map needs no CDN.

The dashboard copies them into its static folder (served at /app/static/…); the standalone HTML
export inlines them.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import js_lib_leaflet

LEAFLET_DIR = Path(js_lib_leaflet.__file__).resolve().parent / "static" / "js_lib_leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
STATIC = Path(__file__).resolve().parent / "static"


def install_static_assets(static_dir: Path) -> dict[str, str]:
    """Copy Leaflet into `static_dir/leaflet/`; return {file name: path relative to static_dir}.

    Copies only when a file is missing or differs in size, so calling it at every start is cheap.
    """
    target = Path(static_dir) / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    installed: dict[str, str] = {}
    sources = [LEAFLET_DIR / name for name in LEAFLET_FILES]
    sources += sorted((LEAFLET_DIR / "images").glob("*.png"))
    for source in sources:
        relative = source.relative_to(LEAFLET_DIR)
        dest = target / relative
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)
        installed[relative.as_posix()] = (Path("leaflet") / relative).as_posix()
    return installed


@cache
def leaflet_js() -> str:
    """leaflet.js as text to inline (without its source-map comment, which would fetch a file)."""
    return _strip_source_map((LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8"))


@cache
def leaflet_css() -> str:
    """leaflet.css as text to inline."""
    return _strip_source_map((LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8"))


@cache
def runtime_js() -> str:
    """The project's own canvas renderer for the incident layer (geo/map/static/strike_atlas.js)."""
    return (STATIC / "strike_atlas.js").read_text(encoding="utf-8")


def inline_script(text: str) -> str:
    """JavaScript made safe to sit inside <script>…</script> (no closing tag, no comment opener)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _strip_source_map(text: str) -> str:
    return re.sub(r"\n?(//|/\*)# sourceMappingURL=[^\n]*", "", text)
