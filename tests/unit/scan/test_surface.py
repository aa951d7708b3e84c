"""Fronts (CLI) import the scanner through ``hygie.scan`` only (issue #15)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "hygie"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_cli_uses_the_public_api_only() -> None:
    mods = _imports(SRC / "cli" / "scan.py")
    inner = {m for m in mods if m.startswith("hygie.scan.") or m.startswith("hygie.identifiers.")}
    assert not inner, inner


def test_scan_readers_have_no_cycle() -> None:
    """mime, archive, pdf, html, rtf never import the dispatcher (documents) or the engine."""
    for name in ("mime", "archive", "pdf", "html", "rtf", "extract"):
        mods = _imports(SRC / "scan" / f"{name}.py")
        assert "hygie.scan.documents" not in mods and "hygie.scan.engine" not in mods, name
