"""Strike Atlas: reported airstrikes as incidents on a map.

The library behind the dashboard (`app.py`) and the CLI (`python -m geo`). Nothing here imports
Streamlit.
"""

import os

__version__ = "0.1.0"
CONTACT_ENV = "STRIKE_ATLAS_CONTACT"


def user_agent(purpose: str) -> str:
    """The User-Agent of every request to an online service: the tool, its version and what it is
    doing, plus the contact (an email or URL) in STRIKE_ATLAS_CONTACT, which Nominatim asks for."""
    contact = os.environ.get(CONTACT_ENV, "").strip()
    return f"strike-atlas/{__version__} ({purpose}{'; ' + contact if contact else ''})"
