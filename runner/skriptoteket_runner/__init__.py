"""Skriptoteket's in-container runner (wrapper + child). Kept import-light on purpose."""

__version__ = "0.1.0"
