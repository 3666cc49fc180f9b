"""The app's owner and its start-up: the controller, the welcome view, crash-safe launch and the smoke test."""

from app.shell.source_scan import scan_sources_uncached

scan_sources_uncached()  # before the window's imports: see app/shell/source_scan.py
