"""The map: the compact incident layer (``layer``), the folium map around it (``view``) and the
offline assets it is drawn with (``assets``, ``static/``). Nothing here reads a store."""
