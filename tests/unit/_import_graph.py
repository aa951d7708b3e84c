"""Static import graph of ``src/hygie`` (AST, imports inside functions included).

Shared by the import-graph test and the public-surface test: nothing is imported, so a
lazy ``import`` inside a function counts exactly like one at the top of a module.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = SRC / "hygie"


@dataclass(frozen=True)
class ImportEdge:
    """``importer`` imports ``target`` (a module) — or ``name`` from it when ``name`` is set."""

    importer: str
    target: str
    name: str | None
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


@functools.cache
def trees() -> dict[str, ast.Module]:
    return {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in modules().items()}


def _resolve_relative(importer: str, level: int, module: str | None) -> str:
    is_pkg = modules()[importer].name == "__init__.py"
    base = importer.split(".") if is_pkg else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


@functools.cache
def edges() -> tuple[ImportEdge, ...]:
    """Every import of hygie code, resolved to the module it loads.

    ``from hygie.backup import setup`` is an edge to ``hygie.backup`` with name ``setup``; when
    ``setup`` is itself a submodule (``from hygie.backup import kinds``) the edge points at
    ``hygie.backup.kinds`` (name None): a submodule import is what the surface test catches.
    """
    known = modules()
    out: list[ImportEdge] = []
    for mod, tree in trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "hygie" or alias.name.startswith("hygie."):
                        out.append(ImportEdge(mod, alias.name, None, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                target = (
                    _resolve_relative(mod, node.level, node.module)
                    if node.level
                    else (node.module or "")
                )
                if not (target == "hygie" or target.startswith("hygie.")):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in known:
                        out.append(ImportEdge(mod, sub, None, node.lineno))
                    else:
                        out.append(ImportEdge(mod, target, alias.name, node.lineno))
    return tuple(out)


def top(module: str) -> str:
    """``hygie.backup.kinds`` -> ``backup``; ``hygie.errors`` -> ``errors``; ``hygie`` -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def top_levels() -> set[str]:
    return {top(m) for m in modules()} - {"", "__main__"}


def package_edges() -> dict[tuple[str, str], list[ImportEdge]]:
    """(importer package, imported package) -> the imports making that edge."""
    out: dict[tuple[str, str], list[ImportEdge]] = {}
    for e in edges():
        a, b = top(e.importer), top(e.target)
        if a and b and a != b and a != "__main__":
            out.setdefault((a, b), []).append(e)
    return out


def where(found: list[ImportEdge]) -> str:
    return ", ".join(f"{e.importer}:{e.line} -> {e.target}" for e in found[:4])


@dataclass(frozen=True)
class AttributeUse:
    """``importer`` reads ``attribute`` of ``module`` through a name bound by an import."""

    importer: str
    module: str
    attribute: str
    line: int


@functools.cache
def module_attribute_uses() -> tuple[AttributeUse, ...]:
    """``from hygie import backup as api`` then ``api.setup(...)`` -> (hygie.backup, setup).

    Names are bound per module, not per scope (an approximation that errs towards reporting).
    """
    known = modules()
    out: list[AttributeUse] = []
    for mod, tree in trees().items():
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    if sub in known and sub.startswith("hygie."):
                        bound[alias.asname or alias.name] = sub
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name.startswith("hygie."):
                        bound[alias.asname] = alias.name
        if not bound:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                out.append(AttributeUse(mod, bound[node.value.id], node.attr, node.lineno))
    return tuple(out)
