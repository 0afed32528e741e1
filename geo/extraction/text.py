"""A report's text made readable for extraction: decoded, HTML stripped, capped, split into
paragraphs and sentences with their positions. Bad input raises ExtractionError with a sentence
the user can act on."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_CHARS = 200_000  # longer reports are cut here (a 10 MB paste stays fast)


class ExtractionError(ValueError):
    """A report that cannot be read: empty, binary, or not text; the message says what to do."""


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, where it starts in the report, and its paragraph's number."""

    text: str
    start: int
    paragraph: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def decode(data: bytes | str, name: str = "the report") -> str:
    """Text from bytes (UTF-8, else Windows-1252), refusing binary files."""
    if isinstance(data, str):
        return data
    if _looks_binary(data[:4096]):
        raise ExtractionError(f"{name} looks like binary data (a PDF, image or archive?), not text; "
                              "save the report as plain text (.txt) and try again")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractionError(f"{name} is not UTF-8 text; save it as UTF-8 and try again")


def clean(text: str) -> tuple[str, list[str]]:
    """(plain text, warnings): HTML tags and entities removed, whitespace tidied, length capped."""
    if not isinstance(text, str):
        raise ExtractionError(f"the report must be text, got {type(text).__name__}")
    warnings: list[str] = []
    if len(text) > 20 * MAX_CHARS:  # no need to strip tags from what will be cut anyway
        text = text[:20 * MAX_CHARS]
    if "\x00" in text[:100_000] or _control_ratio(text[:20_000]) > 0.05:
        raise ExtractionError("the report looks like binary data, not text; paste the words of "
                              "the report or save it as plain text (.txt)")
    text = text.lstrip("\ufeff")
    if _looks_html(text):
        text = strip_html(text)
        warnings.append("the report was HTML: tags were removed and only the text is read")
    elif "&" in text and re.search(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", text, re.IGNORECASE):
        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", _unwrap(text)).strip()
    if len(text) > MAX_CHARS:
        cut = max(text.rfind("\n", 0, MAX_CHARS), text.rfind(". ", 0, MAX_CHARS) + 1)
        cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
        warnings.append(f"the report is {len(text):,} characters long; only the first {cut:,} "
                        "were read — split it into separate reports to read the rest")
        text = text[:cut].rstrip()
    if not text.strip():
        raise ExtractionError("the report is empty: paste or upload the text of a report")
    return text, warnings


def strip_html(text: str) -> str:
    """The text of an HTML page: scripts, styles and comments dropped, blocks become paragraphs."""
    text = re.sub(r"(?is)<(script|style|head|noscript|svg|template)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</?(?:p|div|h[1-6]|li|ul|ol|tr|table|article|section|blockquote|header|"
                  r"footer|title|dd|dt|figcaption)\b[^>]*>", "\n\n", text)
    text = re.sub(r"<[^>]{0,2000}>", " ", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*\n\s*", "\n\n", text)


def arabic_share(text: str) -> float:
    """Share of letters in Arabic script."""
    arabic = len(re.findall(r"[\u0600-\u06ff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return arabic / (arabic + latin) if arabic + latin else 0.0


_ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|No|vs|approx|Jan|Feb|Mar|"
                            r"Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|U\.K|e\.g|i\.e|a\.m|p\.m|"
                            r"Inc|Ltd|Co)|\b[A-Z])\.$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\u0600-\u06ff])|\n+")


def sentences(text: str, start: int = 0) -> list[Sentence]:
    """The sentences of text[start:], with positions in `text` and paragraph numbers."""
    out: list[Sentence] = []
    paragraph = 0
    for base, body in _paragraphs(text, start):
        pos = 0
        for boundary in _BOUNDARY.finditer(body):
            piece = body[pos:boundary.start()]
            if boundary.group(0).strip() == "" and "\n" not in boundary.group(0) \
                    and _ABBREVIATIONS.search(piece):
                continue  # "U.S. jets", "Aug. 17"
            _add(out, body, base, pos, boundary.start(), paragraph)
            pos = boundary.end()
        _add(out, body, base, pos, len(body), paragraph)
        paragraph += 1
    return out


def _paragraphs(text: str, start: int):
    """(position, text) of each paragraph of text[start:]: split at blank lines, in one pass."""
    pos = start
    for gap in _BLANK_LINE.finditer(text, start):
        if text[pos:gap.start()].strip():
            yield pos, text[pos:gap.start()]
        pos = gap.end()
    if text[pos:].strip():
        yield pos, text[pos:]


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def _add(out: list[Sentence], body: str, base: int, start: int, end: int, paragraph: int) -> None:
    piece = body[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(stripped, base + start + lead, paragraph))


def _unwrap(text: str) -> str:
    """Join hard-wrapped lines: a line break after a long line that does not end a sentence."""
    return re.sub(r"(?m)^([^\n]{50,}[^.!?:\"”’)\n ])[ \t]*\n(?=[ \t]*\S)", r"\1 ", text)


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    if data[:5] in (b"%PDF-", b"PK\x03\x04") or data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        return True
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return bool(data) and controls / len(data) > 0.05


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f") / len(text)


def _looks_html(text: str) -> bool:
    head = text[:50_000]
    return bool(re.search(r"<(?:html|body|p|div|br|span|a\s|article|h[1-6]|script|style|table|li)\b", head,
                          re.IGNORECASE)) and len(re.findall(r"<[a-zA-Z/][^>]*>", head)) >= 2
