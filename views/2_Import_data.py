"""Import data: upload an ACLED export, a UCDP GED file, the atlas's CSV/GeoJSON or a GeoPackage;
see the incidents and the rejected rows, then store them. A thin shell over `geo.ingest.importer`."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.formats import FormatError, ReadResult
from geo.formats.reader import DATASET_FORMATS
from geo.ingest.importer import place_in_provinces, read_dataset, rejects_csv, store_result
from ui.markdown import literal as md
from geo.store import StoreError
from ui.common import database_url, get_store
from geo.summary import table_frame

PREVIEW_ROWS = 200
UPLOAD_TYPES = ["csv", "geojson", "json", "gpkg"]

st.set_page_config(page_title="Import data · Strike Atlas", page_icon="🗺️", layout="wide")


def read_upload(name: str, data: bytes, fmt: str) -> tuple[str, ReadResult, int]:
    """Read the uploaded bytes as a file (detection looks at the name's extension), with a bar."""
    bar = st.progress(0.0, text="Reading the file…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"Reading: {done:,} of {total:,} rows")

    suffix = Path(name).suffix.lower()[:10]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            detected, result = read_dataset(path, fmt, progress)
        finally:
            bar.empty()
    placed = place_in_provinces(result.incidents)
    return detected, result, placed


def rejects_frame(result: ReadResult) -> pd.DataFrame:
    return pd.DataFrame({"line": [r.line for r in result.rejects],
                         "reason": [r.reason for r in result.rejects]})


st.title("Import data")
st.caption("ACLED exports, UCDP GED files, the atlas's own CSV or GeoJSON, and GeoPackage layers. "
           "Each row is checked like any incident; rows that fail are listed with their line and "
           "reason and can be downloaded. Figures are as reported by each dataset, not verified. "
           "News reports (.txt) go through the “Add a report” page.")

url = database_url()
upload = st.file_uploader("Dataset file", type=UPLOAD_TYPES, key="import_upload")
fmt = st.selectbox("Format", ["auto", *DATASET_FORMATS], key="import_format",
                   help="auto: detected from the columns (ACLED, UCDP, the atlas's CSV) or the file type")
if upload is None:
    st.info("Choose a file to see what it holds before anything is stored.")
    st.stop()

data = upload.getvalue()
key = (hashlib.sha256(data).hexdigest(), upload.name, fmt)
if st.session_state.get("import_key") != key:
    try:
        st.session_state["import_read"] = read_upload(upload.name, data, fmt)
    except FormatError as exc:
        st.error(f"This file cannot be imported: {md(str(exc))}")
        st.stop()
    st.session_state["import_key"] = key
    st.session_state.pop("import_summary", None)
detected, result, placed = st.session_state["import_read"]

st.subheader("What the file holds")
cols = st.columns(3)
cols[0].metric("Format", detected)
cols[1].metric("Incidents ready", f"{len(result.incidents):,}")
cols[2].metric("Rows rejected", f"{len(result.rejects):,}")
if placed:
    st.caption(f"{placed:,} incidents without a province were placed in one by their coordinates "
               "(installed province outlines).")
if result.incidents:
    shown = result.incidents[:PREVIEW_ROWS]
    st.dataframe(table_frame(shown), hide_index=True, width="stretch")
    if len(result.incidents) > PREVIEW_ROWS:
        st.caption(f"First {PREVIEW_ROWS} of {len(result.incidents):,} incidents.")

if result.rejects:
    st.subheader("Rejected rows")
    st.dataframe(rejects_frame(result), hide_index=True, width="stretch")
    st.download_button("Download the rejected rows (CSV)", data=rejects_csv(result.rejects),
                       file_name=f"{Path(upload.name).stem}.rejects.csv", mime="text/csv",
                       key="import_rejects_download")

summary = st.session_state.get("import_summary")
if summary is None and result.incidents:
    n = len(result.incidents)
    if st.button(f"Store {n:,} incident{'' if n == 1 else 's'}", type="primary", key="import_store"):
        bar = st.progress(0.0, text="Storing…")
        try:
            stored, skipped, _ = store_result(
                get_store(url), result, outlines=None,  # placed already, at reading
                progress=lambda stage, done, total: bar.progress(
                    min(done / total, 1.0) if total else 1.0, text=f"Storing: {done:,} of {total:,}"))
        except StoreError as exc:
            bar.empty()
            st.error(f"Nothing was stored: {md(str(exc))}")
            st.stop()
        bar.empty()
        summary = (stored, skipped, len(result.rejects))
        st.session_state["import_summary"] = summary
if summary is not None:
    stored, skipped, rejected = summary
    st.success(f"{stored:,} stored, {skipped:,} skipped (already stored), {rejected:,} rejected.")
