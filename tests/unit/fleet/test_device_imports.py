"""The device side never imports the server's libraries (psycopg) nor hygie.fleet.server:
a nurse's computer has neither, and must not need them (static, AST, lazy imports included)."""

from __future__ import annotations

from tests.unit._import_graph import edges, modules

FORBIDDEN = ("psycopg", "psycopg_pool", "hygie.fleet.server", "starlette", "uvicorn")
DEVICE = ("hygie.fleet.device", "hygie.cli.fleet_device")


def _device_modules() -> set[str]:
    return {m for m in modules() if m.startswith(DEVICE)}


def test_device_modules_exist() -> None:
    found = _device_modules()
    assert {"hygie.fleet.device", "hygie.fleet.device.service", "hygie.cli.fleet_device"} <= found


def test_the_device_side_imports_nothing_of_the_server() -> None:
    device = _device_modules()
    # everything the device modules reach, transitively, through hygie modules
    graph: dict[str, set[str]] = {}
    for e in edges():
        graph.setdefault(e.importer, set()).add(e.target)
    seen, todo = set(device), list(device)
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                if nxt.startswith("hygie"):
                    todo.append(nxt)
    bad = sorted(m for m in seen if m.startswith(FORBIDDEN) and m != "hygie.fleet")
    assert bad == [], f"the device side reaches server code: {bad}"
    assert len(seen) > len(device), "the import graph was not built"
