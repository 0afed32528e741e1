"""User text shown through Streamlit's Markdown stays literal text."""

import re

import pytest

from ui.markdown import literal

NASTY = [
    "[click](javascript:alert(1))",
    "![pixel](http://tracker.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` ~~gone~~ $x^2$",
    "# heading\n- item\n1. first\nTitle\n===",
    ":red[coloured] :smile: AT&T &lt;b&gt;",
    "a | b\n--|--\n1 | 2",
    "C:\\path\\name",
]


@pytest.mark.parametrize("text", NASTY)
def test_every_mark_is_escaped_and_the_text_comes_back(text):
    out = literal(text)
    # CommonMark renders a backslash-escaped punctuation mark as the mark itself
    assert re.sub(r"\\(.)", r"\1", out, flags=re.S) == text
    bare = re.sub(r"\\.", "", out, flags=re.S)  # what is left unescaped
    assert not set(bare) & set("\\`*_[]()<>!#$~:&=|-+.{}"), bare


def test_plain_words_are_unchanged():
    assert literal("12 incidents in all provinces, 14 Aug 2017") == "12 incidents in all provinces, 14 Aug 2017"
