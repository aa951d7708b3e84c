"""Fronts (CLI, dashboard, incident kit) use the backup capability through its public
surface, ``hygie.backup``, and nothing else of the package (issue #15)."""

from __future__ import annotations

import ast
from pathlib import Path

import hygie.backup as api

SRC = Path(__file__).parents[3] / "src" / "hygie"
FRONTS = ("cli", "web", "incident")


def _backup_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("hygie.backup."):
                out.append(node.module)
            if node.module == "hygie.backup":
                out += [f"hygie.backup.{a.name}" for a in node.names if a.name not in api.__all__]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.startswith("hygie.backup.")]
    return out


def test_fronts_import_only_the_public_surface() -> None:
    offenders = {}
    for front in FRONTS:
        for path in (SRC / front).rglob("*.py"):
            found = _backup_imports(path)
            if found:
                offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}


def test_public_surface_is_complete_and_typed() -> None:
    for name in api.__all__:
        assert hasattr(api, name), name
    info_fields = api.RecoveryInfo.__dataclass_params__  # type: ignore[attr-defined]
    assert info_fields.frozen
    assert api.DestinationKind.__dataclass_params__.frozen  # type: ignore[attr-defined]
