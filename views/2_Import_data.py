"""Import data: upload an ACLED export, a UCDP GED file, the atlas's CSV/GeoJSON or a GeoPackage;
see the incidents and the rejected rows, then store them. A thin shell over `geo.ingest.importer`.

The file is read through twice, never held as incidents: once for the preview (counts, the first
rows, the rejects, how many are stored already), once streamed into the store with a progress bar."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.formats import FormatError
from geo.formats.reader import DATASET_FORMATS
from geo.ingest.importer import Preview, import_file, preview, rejects_csv
from geo.store import StoreError
from geo.summary import table_frame
from ui.common import database_url, get_store
from ui.markdown import literal as md

PREVIEW_ROWS = 200
UPLOAD_TYPES = ["csv", "geojson", "json", "gpkg"]

st.set_page_config(page_title="Import data · Strike Atlas", page_icon="🗺️", layout="wide")


def _as_file(folder: str, name: str, data: bytes) -> Path:
    """The upload as a file (detection looks at the name's extension)."""
    path = Path(folder) / f"upload{Path(name).suffix.lower()[:10]}"
    path.write_bytes(data)
    return path


def _bar(label: str):
    bar = st.progress(0.0, text=f"{label}…")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{label}: {done:,} of {total:,} rows")
    return bar, progress


def read_upload(name: str, data: bytes, fmt: str, store) -> Preview:
    """Read the uploaded file through once, with a bar: what it holds and what is stored already."""
    bar, progress = _bar("Reading")
    with tempfile.TemporaryDirectory() as folder:
        try:
            return preview(_as_file(folder, name, data), fmt, store, PREVIEW_ROWS, progress)
        finally:
            bar.empty()


def rejects_frame(result: Preview) -> pd.DataFrame:
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
        st.session_state["import_read"] = read_upload(upload.name, data, fmt, get_store(url))
    except FormatError as exc:
        st.error(f"This file cannot be imported: {md(str(exc))}")
        st.stop()
    except StoreError as exc:
        st.error(f"The incident store cannot be read: {md(str(exc))}")
        st.stop()
    st.session_state["import_key"] = key
    st.session_state.pop("import_summary", None)
result: Preview = st.session_state["import_read"]

st.subheader("What the file holds")
cols = st.columns(3)
cols[0].metric("Format", result.format)
cols[1].metric("Incidents ready", f"{result.incidents:,}")
cols[2].metric("Rows rejected", f"{len(result.rejects):,}")
if result.placed:
    st.caption(f"{result.placed:,} incidents without a province were placed in one by their coordinates "
               "(installed province outlines).")
if result.first:
    st.dataframe(table_frame(result.first), hide_index=True, width="stretch")
    if result.incidents > len(result.first):
        st.caption(f"First {len(result.first)} of {result.incidents:,} incidents.")

if result.rejects:
    st.subheader("Rejected rows")
    st.dataframe(rejects_frame(result), hide_index=True, width="stretch")
    st.download_button("Download the rejected rows (CSV)", data=rejects_csv(result.rejects),
                       file_name=f"{Path(upload.name).stem}.rejects.csv", mime="text/csv",
                       key="import_rejects_download")

summary = st.session_state.get("import_summary")
if summary is None and result.incidents:
    n = result.new
    if n <= 0:
        st.info(f"Nothing new: all {result.incidents:,} incidents in this file are stored already.")
        label = "Store anyway (nothing new)"
    else:
        label = f"Store {n:,} new incident{'' if n == 1 else 's'}"
        if result.known:
            st.caption(f"{result.known:,} of the file's incidents are stored already and will be skipped.")
    if st.button(label, type="primary", key="import_store"):
        bar, progress = _bar("Storing")
        try:
            from geo.store.integrity import check_integrity
            store = get_store(url)
            check_integrity(store)
            with tempfile.TemporaryDirectory() as folder:
                done = import_file(store, _as_file(folder, upload.name, data), result.format,
                                   progress=progress, write_rejects_file=False)
        except StoreError as exc:
            bar.empty()
            st.error(f"Nothing was stored: {md(str(exc))}")
            st.stop()
        bar.empty()
        if done.error:
            st.error(f"Nothing was stored: {md(done.error)}")
            st.stop()
        summary = (done.stored, done.skipped, done.rejected)
        st.session_state["import_summary"] = summary
if summary is not None:
    stored, skipped, rejected = summary
    st.success(f"{stored:,} stored, {skipped:,} skipped (already stored), {rejected:,} rejected.")
