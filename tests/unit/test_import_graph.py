"""The import graph of src/hygie (static, AST: lazy imports inside functions count too).

Four rules; where something is tolerated today it is written down in an allow-list (with why,
and what would remove it) and anything NEW fails:

* layering: fronts (cli, web) may import anything; capabilities and core never import a front;
  core imports a capability only through the few edges listed in CORE_UP_ALLOWED;
* no cycle between top-level packages (no allow-list: none is tolerated);
* no cycle between files (no allow-list either);
* no ``importlib.import_module`` / ``__import__`` of hygie code outside IMPORTLIB_ALLOWED.

Every allow-list entry must still be needed: a stale entry fails too (delete the line).
"""

from __future__ import annotations

import ast
import graphlib

import pytest

from tests.unit._import_graph import edges, modules, package_edges, top_levels, trees, where

FRONTS = frozenset({"cli", "web"})
CAPABILITIES = frozenset(
    {
        "audit",
        "backup",
        "mail",
        "media",
        "incident",
        "scan",
        "identifiers",
        "remind",
        "doctor",
        "fleet",
    }
)
CORE = frozenset(
    {
        "config",
        "errors",
        "fileio",
        "fswalk",
        "hashing",
        "i18n",
        "i18n_extract",  # tooling (scripts/i18n.py), not loaded by the app
        "log",
        "masking",
        "output",
        "paths",
        "platform",
        "osprocess",
        "proc",
        "render",
        "replay",
        "secrets",
        "store",
        "webmail",
    }
)

# Core -> capability edges tolerated today. Each: why, and what would remove it.
CORE_UP_ALLOWED: dict[tuple[str, str], str] = {
    # i18n_extract lists the audit catalogue's French strings (developer tooling).
    ("i18n_extract", "audit"): "the string extractor reads the measure catalogue",
}

# Modules allowed to load hygie code by name (importlib/__import__), and why.
IMPORTLIB_ALLOWED: dict[str, str] = {
    "hygie.audit.registry": "loads the probe modules of the current OS only (plug-in table)",
    "hygie.cli.app": "lazy CLI: a command's module is imported only when that command runs",
    "hygie.i18n_extract": "tooling: imports every module to collect its French strings",
    "hygie.platform": "the OS switch loads os_<current OS> only",
}


def test_every_top_level_package_has_a_layer() -> None:
    unplaced = top_levels() - FRONTS - CAPABILITIES - CORE
    assert not unplaced, f"place these in FRONTS, CAPABILITIES or CORE: {sorted(unplaced)}"
    gone = (FRONTS | CAPABILITIES | CORE) - top_levels()
    assert not gone, f"listed but not in src/hygie any more: {sorted(gone)}"


def test_nothing_but_fronts_imports_a_front() -> None:
    bad = {
        (a, b): where(found)
        for (a, b), found in package_edges().items()
        if b in FRONTS and a not in FRONTS
    }
    assert not bad, f"a capability or core module imports a front: {bad}"


def test_core_imports_capabilities_only_through_listed_edges() -> None:
    found = {
        (a, b): where(es)
        for (a, b), es in package_edges().items()
        if a in CORE and b in CAPABILITIES
    }
    new = {k: v for k, v in found.items() if k not in CORE_UP_ALLOWED}
    assert not new, f"core must not import a capability (new upward edges): {new}"
    stale = set(CORE_UP_ALLOWED) - set(found)
    assert not stale, f"these edges are gone: delete them from CORE_UP_ALLOWED: {sorted(stale)}"


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for a, b in package_edges():
        graph.setdefault(a, set()).add(b)
    assert len(package_edges()) > 20, "the import graph was not built"
    try:
        order = tuple(graphlib.TopologicalSorter(graph).static_order())
        assert set(graph) <= set(order)  # every package with an edge is ordered
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        detail = {
            (cycle[i + 1], cycle[i]): where(package_edges()[(cycle[i + 1], cycle[i])])
            for i in range(len(cycle) - 1)
            if (cycle[i + 1], cycle[i]) in package_edges()
        }
        pytest.fail(f"import cycle between packages {cycle}: {detail}")


def _dynamic_imports() -> dict[str, list[str]]:
    """Modules calling import_module()/__import__() with a hygie module (or a computed name)."""
    out: dict[str, list[str]] = {}
    for mod, tree in trees().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = getattr(f, "attr", None) or getattr(f, "id", "")
            if name not in ("import_module", "__import__"):
                continue
            arg = node.args[0] if node.args else None
            if (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and not arg.value.startswith(("hygie", "."))
            ):
                continue  # a third-party library probed by name is not hidden hygie code
            out.setdefault(mod, []).append(f"line {node.lineno}: {ast.unparse(node)}")
    return out


def test_no_hidden_import_of_hygie_code() -> None:
    found = _dynamic_imports()
    new = {m: calls for m, calls in found.items() if m not in IMPORTLIB_ALLOWED}
    assert not new, f"import hygie code normally (or justify it in IMPORTLIB_ALLOWED): {new}"
    stale = set(IMPORTLIB_ALLOWED) - set(found)
    assert not stale, f"no dynamic import left here: delete from IMPORTLIB_ALLOWED: {stale}"


def test_the_graph_sees_lazy_imports() -> None:
    """Guard the scanner itself: an import inside a function must be an edge."""
    assert "hygie.proc" in modules()
    assert ("cli", "replay") in package_edges()  # only ever imported inside a function
    assert ("cli", "web") in package_edges()


def _file_cycles() -> list[set[str]]:
    """Strongly connected groups (more than one module) of the module import graph."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for e in edges():
        if e.target in known and e.target != e.importer:
            graph.setdefault(e.importer, set()).add(e.target)
    return _strongly_connected(graph)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Groups of more than one node that reach each other (Tarjan)."""
    known = set(graph) | {w for ws in graph.values() for w in ws}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(known):
        if v not in index:
            visit(v)
    return groups


def test_no_cycle_between_files() -> None:
    groups = [sorted(g) for g in _file_cycles()]
    assert not groups, f"modules importing each other in a circle: {groups}"


def test_a_file_cycle_is_seen() -> None:
    """Guard the cycle finder itself on a made-up graph."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [sorted(g) for g in _strongly_connected(graph)] == [["a", "b", "c"]]
