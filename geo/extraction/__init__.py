"""Report text → incidents: the rules an analyst follows when coding a news item.

``extract`` is the entry point; the modules beside it are its parts: ``text`` (decoding,
sentences), ``numbers`` and ``tolls`` (counts and who they count), ``dates`` (when),
``places`` (where), ``attribution`` (who says so) and ``reader`` (putting them together).
"""

from geo.extraction.reader import Extraction, extract
from geo.extraction.text import ExtractionError

__all__ = ["Extraction", "ExtractionError", "extract"]
