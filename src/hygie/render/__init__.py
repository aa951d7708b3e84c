"""Renderers: they only render (terminal, HTML, PDF); they never compute a result."""
