"""Add a report: paste or upload a news report, review the incidents found (the words behind each
figure highlighted), correct them, pick places from the gazetteer, decide on duplicates, save.
A thin shell over `geo.extraction`, `geo.ingest.duplicates` and `geo.ingest.reports`."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from geo.extraction import Extraction, ExtractionError, extract
from geo.extraction.text import decode
from geo.ingest.duplicates import find_duplicates
from geo.ingest.reports import EDITABLE, review_row, reviewed_incident, save_reviewed
from geo.model import ValidationError
from geo.store import StoreError
from ui.common import database_url, get_store
from ui.markdown import literal as md

st.set_page_config(page_title="Add a report · Strike Atlas", page_icon="🗺️", layout="wide")

COLOURS = {"killed": "#f7b2b2", "killed_max": "#f7b2b2", "children": "#ffd59e", "women": "#e2c6f5",
           "injured": "#b9e3f7", "place": "#c4ebc4", "date": "#f0f0a8", "source": "#dddddd",
           "actor": "#f5d0e6"}


@st.cache_resource(show_spinner="Loading the gazetteer…")
def get_gazetteer():
    from geo.places.gazetteer import default_gazetteer
    return default_gazetteer()


def highlighted(extraction: Extraction) -> str:
    """The report as HTML: the text escaped first, then the evidence spans wrapped in <mark>."""
    spans = sorted({(ev.start, ev.end, ev.field) for c in extraction.incidents for ev in c.evidence})
    out, pos = [], 0
    for start, end, name in spans:
        if start < pos:
            continue  # overlapping words are marked once
        out.append(html.escape(extraction.text[pos:start]))
        colour = COLOURS.get(name, "#eeeeee")
        out.append(f'<mark style="background:{colour}" title="{name}">'
                   f'{html.escape(extraction.text[start:end])}</mark>')
        pos = end
    out.append(html.escape(extraction.text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    legend = " ".join(f'<mark style="background:{c}">{n}</mark>' for n, c in COLOURS.items() if n != "killed_max")
    return f'<div style="line-height:1.7">{body}</div><div style="font-size:0.8em;margin-top:0.5em">{legend}</div>'


def unsure_fields(candidate) -> list[str]:
    """The fields a reviewer should check, read from how they were found."""
    inc, why = candidate.incident, candidate.explanation
    unsure = []
    if not inc.places and not inc.province or any(p is None for p in inc.points) or "spelling match" in why \
            or (inc.geo_precision or 1) > 1:
        unsure.append("place")
    if "no date words" in why or "not coded" in why or "background" in why:
        unsure.append("date")
    if inc.killed is None or "floor" in why or "approximate" in why:
        unsure.append("killed")
    if inc.source is None:
        unsure.append("source")
    return unsure


def not_coded(extraction: Extraction, key: str, added: list[int]) -> None:
    """Every toll read but not coded, with its reason; one click makes it an incident to review."""
    if not extraction.skipped:
        return
    st.markdown(f"**Tolls read but not coded ({len(extraction.skipped)})** — check them; add any that is an "
                "incident of this report:")
    for i, item in enumerate(extraction.skipped):
        left, right = st.columns([5, 1])
        left.markdown(md(f"“{item.words}”: {item.reason}"))
        if item.candidate is None or i in added:
            right.caption("added" if i in added else "no place or date to pre-fill")
        elif right.button("Add as incident", key=f"{key}_add_{i}"):
            added.append(i)
            st.rerun()


def reports_given(text: str, uploads) -> list[tuple[str, str]]:
    reports = [("pasted text", text)] if text.strip() else []
    for upload in uploads or []:
        try:
            reports.append((upload.name, decode(upload.getvalue(), upload.name)))
        except ExtractionError as exc:
            st.error(md(str(exc)))
    return reports


def place_search(gazetteer, key: str, count: int):
    """Text input → gazetteer candidates → a choice, with the candidates on a small map."""
    st.markdown("**Correct a place** — search the gazetteer and apply a place to an incident")
    query = st.text_input("Place name", key=f"{key}_query", placeholder="e.g. Mayadin, Abu Kamal, الرقة")
    if not query.strip():
        return
    found = gazetteer.candidates(query.strip(), limit=8)
    if not found:
        st.info(md(f"No place in the gazetteer is spelled like “{query.strip()}”."))
        return
    labels = [f"{m.name} ({m.province or m.country}, match {m.score:.2f})" for m in found]
    choice = st.selectbox("Candidates", range(len(found)), format_func=lambda i: labels[i], key=f"{key}_pick")
    st.map(pd.DataFrame({"lat": [m.latitude for m in found], "lon": [m.longitude for m in found]}),
           zoom=6, height=260)
    row = st.selectbox("Incident", range(count), format_func=lambda i: f"incident {i + 1}", key=f"{key}_row")
    if st.button("Use this place", key=f"{key}_apply"):
        st.session_state.setdefault(f"{key}_places", {})[row] = found[choice]
        st.rerun()


st.title("Add a report")
st.caption("Paste a news report or upload .txt files. The incidents found are shown with the words "
           "behind each figure highlighted; correct anything before saving. Figures are as reported, "
           "not verified. A first line 'date YYYY-MM-DD' dates the report; otherwise give its date below.")

text = st.text_area("Report text", key="report_text", height=180)
uploads = st.file_uploader("…or report files (.txt)", type=["txt"], accept_multiple_files=True, key="report_files")
report_date = st.date_input("Report date (when the text has no dateline)", value=None, key="report_date",
                            min_value=dt.date(1990, 1, 1), max_value=dt.date.today())

reports = reports_given(text, uploads)
if not reports:
    st.info("Paste a report or upload a .txt file to see the incidents it describes.")
    st.stop()

try:
    store = get_store(database_url())
except StoreError as exc:
    st.error(md(f"The incident store cannot be opened: {exc}"))
    st.stop()
gazetteer = get_gazetteer()

for number, (label, report) in enumerate(reports):
    key = f"r{number}"
    st.divider()
    st.subheader(f"Report: {md(label)}")
    try:
        extraction = extract(report, report_date, gazetteer)
    except ExtractionError as exc:
        st.error(md(f"{label}: {exc}"))
        continue
    for warning in extraction.warnings:
        st.warning(md(warning))
    st.markdown(highlighted(extraction), unsafe_allow_html=True)  # escaped above, only <mark> added
    if store.has_report(extraction.report_hash):
        st.info("This report is already stored (same text); saving it again would add nothing.")
        continue
    if extraction.needs_date:
        st.warning("This report has no dateline and names no date, so “on Monday” or “yesterday” cannot be "
                   "dated: give the report's date above (or a first line 'date YYYY-MM-DD').")
        continue
    added = st.session_state.setdefault(f"{key}_added", [])
    not_coded(extraction, key, added)
    candidates = extraction.incidents + [extraction.skipped[i].candidate for i in added
                                         if i < len(extraction.skipped) and extraction.skipped[i].candidate]
    if not candidates:
        st.info("No incident found in this report." + (" The tolls read but not coded are listed above: "
                                                        "add any that is an incident." if extraction.skipped else ""))
        continue

    candidates = sorted(candidates, key=lambda c: -c.confidence)  # the surest first
    rows = pd.DataFrame([{"save": True, **review_row(c.incident), "confidence": c.confidence,
                          "unsure": ", ".join(unsure_fields(c)), "explanation": c.explanation}
                         for c in candidates])
    edited = st.data_editor(
        rows, key=f"{key}_table", num_rows="fixed", hide_index=False, width="stretch",
        disabled=["confidence", "unsure", "explanation"],
        column_config={"save": st.column_config.CheckboxColumn("save"),
                       "places": st.column_config.TextColumn("places", help="separate places with ';'"),
                       "explanation": st.column_config.TextColumn("explanation", width="large")})
    chosen_places = st.session_state.get(f"{key}_places", {})
    for row, match in chosen_places.items():
        st.caption(md(f"incident {row + 1}: place set to {match.name} ({match.province})"))
    place_search(gazetteer, key, len(candidates))

    reviewed, problems = [], []
    for i, candidate in enumerate(candidates):
        row = edited.iloc[i].to_dict()
        if not row.get("save"):
            continue
        try:
            reviewed.append(reviewed_incident(candidate.incident, {k: row.get(k) for k in EDITABLE},
                                              gazetteer, chosen_places.get(i)))
        except ValidationError as exc:
            problems.append(f"incident {i + 1}: {exc}")
    for problem in problems:
        st.error(md(problem))

    choices: dict[str, str] = {}
    for i, incident in enumerate(reviewed):
        matches = find_duplicates(store, incident)
        if not matches:
            continue
        match = matches[0]
        st.markdown(md(f"Incident “{', '.join(incident.places) or incident.province}” on {incident.date} "
                       f"may be one already stored: {', '.join(match.places) or match.province}, {match.date}, "
                       f"killed {match.killed if match.killed is not None else '?'}, "
                       f"source {match.source or 'unknown'} ({match.id})."))
        choice = st.radio("What to do", ["merge", "keep apart"], horizontal=True, key=f"{key}_dup_{i}")
        choices[incident.id] = "merge" if choice == "merge" else "keep"

    if st.button("Save", key=f"{key}_save", type="primary", disabled=bool(problems)):
        try:
            summary = save_reviewed(store, report, reviewed, choices)
        except StoreError as exc:
            st.error(md(f"Not saved: {exc}"))
        else:
            st.success(md(summary.describe()))
