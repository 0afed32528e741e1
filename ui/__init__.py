"""What the dashboard's pages share (Streamlit lives here and in the pages, never in ``geo``)."""
