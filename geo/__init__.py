"""Strike Atlas: reported airstrikes as incidents on a map.

The library behind the dashboard (`app.py`) and the CLI (`python -m geo`). Nothing here imports
Streamlit.
"""

__version__ = "0.1.0"
