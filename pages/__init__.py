"""Screens (one module each) and the widgets they share (underscore modules). UI only: no SQL here."""
from __future__ import annotations

try:
    # A pages/ folder beside crm_app.py makes Streamlit start in its legacy multipage mode, which
    # runs screen files directly and lists every file in the sidebar, until st.navigation is called.
    # Whatever script runs first imports this package: end legacy mode there. (Each screen's gate
    # checks login and role anyway, so this only tidies navigation.)
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
except (ImportError, AttributeError):   # a Streamlit without this internal flag: nothing to undo
    pass
