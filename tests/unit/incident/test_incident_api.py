"""Fronts (CLI, dashboard) use the incident capability through its public surface,
``hygie.incident``, and nothing else of the package (issue #15)."""

from __future__ import annotations

import ast
from pathlib import Path

import hygie.incident as api

SRC = Path(__file__).parents[3] / "src" / "hygie"
FRONTS = ("cli", "web")


def _incident_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("hygie.incident."):
                out.append(node.module)
            if node.module == "hygie.incident":
                out += [f"hygie.incident.{a.name}" for a in node.names if a.name not in api.__all__]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("hygie.incident.")]
    return out


def test_fronts_import_only_the_public_surface() -> None:
    offenders = {}
    for front in FRONTS:
        for path in (SRC / front).rglob("*.py"):
            found = _incident_imports(path)
            if found:
                offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}


def test_public_surface_is_complete() -> None:
    for name in api.__all__:
        assert hasattr(api, name), name
    # the isolation flow with its journaling is one call for every front
    assert callable(api.isolate) and callable(api.apply_isolation)
    assert api.IsolationOutcome.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_check_and_checks_are_two_different_names() -> None:
    """``incident/check.py`` sat next to ``incident/checks.py``: the "am I attacked?" room is
    now ``attack_check.py``; ``checks.py`` holds the audit's M11/M12 checks."""
    rooms = {p.stem for p in (SRC / "incident").glob("*.py")}
    assert "check" not in rooms and {"attack_check", "checks"} <= rooms
