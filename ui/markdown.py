"""User and data text made literal for Markdown (Streamlit's st.markdown, st.error, captions…)."""

from __future__ import annotations

import re

# CommonMark renders any backslash-escaped ASCII punctuation as itself. These are the marks that
# mean something to Streamlit's Markdown: emphasis, links, images, headings, lists, tables, raw
# HTML, entities (&lt;), LaTeX ($), strikethrough (~), setext headings (=), :emoji: and :red[…].
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&=])")


def literal(text: str) -> str:
    """`text` as Markdown that shows exactly those characters: no link, image, emphasis or HTML."""
    return _SPECIAL.sub(r"\\\1", str(text))
