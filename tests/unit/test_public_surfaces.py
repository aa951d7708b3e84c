"""Capabilities talk through their public surface: the names in their package ``__all__``.

For every capability package whose ``__init__`` declares ``__all__``, the fronts (cli, web) and
the OTHER capabilities (and core) may only:

* ``from hygie.<cap> import <name>`` with ``<name>`` in ``__all__``;
* ``from hygie import <cap> as x`` and read ``x.<name>`` with ``<name>`` in ``__all__``;
* import ``hygie.<cap>.errors`` (a capability's failures are public by design: one class per
  failure, documented in the generated exit-code reference; fronts catch them by class).

Anything else (a submodule, a private name) is listed in ALLOWED below with its reason, or fails.
Static (AST): lazy imports inside functions are checked too.
"""

from __future__ import annotations

import ast

import pytest

from tests.unit._import_graph import edges, module_attribute_uses, modules, top, trees

CAPABILITIES = (
    "audit",
    "backup",
    "doctor",
    "fleet",
    "identifiers",
    "incident",
    "mail",
    "media",
    "remind",
    "scan",
)

# A capability made of parts, each with its own ``__all__``: fronts import each part's
# surface (fleet: the device side on a nurse's computer, the server on an operator's).
SUB_SURFACES: dict[str, tuple[str, ...]] = {"fleet": ("hygie.fleet.device", "hygie.fleet.server")}

# Capabilities without an ``__all__`` yet (their surface is not enforced): keep this empty.
NO_SURFACE_YET: dict[str, str] = {}

# (importer, imported module) -> why it may bypass the surface.
ALLOWED: dict[tuple[str, str], str] = {
    # doctor reports restic's version with the backup's own wrapper (one restic finder);
    # remove by exporting a small ``restic_tool()`` from hygie.backup.
    ("hygie.doctor", "hygie.backup.restic"): "doctor checks the restic binary backup runs",
}


def _all_of(package: str) -> frozenset[str] | None:
    tree = trees()[package]
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    return None


SURFACED = tuple(c for c in CAPABILITIES if _all_of(f"hygie.{c}") is not None)


def test_every_capability_has_a_surface_or_says_why_not() -> None:
    missing = {c for c in CAPABILITIES if c not in SURFACED and c not in NO_SURFACE_YET}
    assert not missing, f"give these an __all__ in their __init__: {sorted(missing)}"
    stale = set(NO_SURFACE_YET) & set(SURFACED)
    assert not stale, f"these have an __all__ now: delete them from NO_SURFACE_YET: {stale}"
    assert set(SURFACED) == set(CAPABILITIES)


@pytest.mark.parametrize("capability", SURFACED)
def test_all_names_exist(capability: str) -> None:
    """Each name in ``__all__`` is bound in the package's ``__init__`` (imported or defined)."""
    tree = trees()[f"hygie.{capability}"]
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            bound |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            bound.add(node.target.id)
    surface = _all_of(f"hygie.{capability}")
    assert surface is not None
    assert surface <= bound, f"hygie.{capability}.__all__ lists unbound names: {surface - bound}"


def _violations(capability: str) -> list[str]:
    package = f"hygie.{capability}"
    surfaces = {
        module: _all_of(module) or frozenset()
        for module in (package, *SUB_SURFACES.get(capability, ()))
    }
    out: list[str] = []
    for e in edges():
        if top(e.target) != capability or top(e.importer) == capability:
            continue
        if (e.importer, e.target) in ALLOWED:
            continue
        parent, _dot, last = e.target.rpartition(".")
        if e.name is None and last in surfaces.get(parent, ()):
            continue  # a name of the surface that is also a submodule's (server.migrate)
        if e.target in surfaces:
            if e.name is None or e.name in surfaces[e.target]:
                continue
            out.append(f"{e.importer}:{e.line} imports {e.name!r} from {e.target} (not in __all__)")
        elif e.target != f"{package}.errors":
            what = f"{e.target}.{e.name}" if e.name else e.target
            out.append(f"{e.importer}:{e.line} imports {what} (a submodule, not the surface)")
    for u in module_attribute_uses():
        surface = surfaces.get(u.module)
        if surface is not None and top(u.importer) != capability and u.attribute not in surface:
            out.append(f"{u.importer}:{u.line} reads {u.module}.{u.attribute} (not in __all__)")
    return out


@pytest.mark.parametrize("capability", SURFACED)
def test_others_import_only_the_public_surface(capability: str) -> None:
    bad = _violations(capability)
    assert not bad, "import from the package (export the name in __all__ if needed):\n" + "\n".join(
        bad
    )


def test_allow_list_is_still_needed() -> None:
    used = {(e.importer, e.target) for e in edges()}
    stale = set(ALLOWED) - used
    assert not stale, f"no longer imported: delete from ALLOWED: {stale}"


def test_the_checker_sees_a_submodule_import() -> None:
    """Guard the checker: a known internal module exists and an internal import is recognised."""
    assert "hygie.backup.restic" in modules()
    assert any(e.importer == "hygie.doctor" and e.target == "hygie.backup.restic" for e in edges())
