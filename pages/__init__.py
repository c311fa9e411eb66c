"""Screens (one module each) and the widgets they share (underscore modules). UI only: no SQL here."""
