"""Pure parsers: raw command output or file text in, facts out. No I/O here, ever.

Each parser is tested against recorded outputs in tests/fixtures/cmd/<os>/<probe>/<case>.txt.
"""
