"""What every page shares: one store per database URL, opened once per server process.

STRIKE_ATLAS_DB is read in one place (geo.settings.database_url: blank counts as unset), so the
three pages always open the same store.
"""

from __future__ import annotations

import streamlit as st

from geo import open_store
from geo.settings import DB_ENV, database_url
from geo.store import Store, StoreError
from ui.markdown import literal as md

__all__ = ["DB_ENV", "StoreError", "database_url", "get_store", "md", "store_or_stop"]


@st.cache_resource(show_spinner="Opening the incident store…")
def get_store(url: str | None) -> Store:
    """The store at `url` (None: the default), shared by every page and session."""
    return open_store(url)


def store_or_stop(title: str) -> tuple[str | None, Store]:
    """The configured store's URL and the store; when it cannot be opened, the page says why and
    what to do, then stops."""
    url = database_url()
    try:
        return url, get_store(url)
    except StoreError as exc:
        st.title(title)
        st.error(f"The incident store cannot be opened: {md(str(exc))}  \nCheck `{DB_ENV}` "
                 "(or remove the damaged file so a fresh one is created), then reload the page.")
        st.stop()
        raise  # st.stop() raises; this line is for type checkers
