"""Real isolation inside a network namespace created by the test (never the host's links).

``hygie incident isolate --apply --yes --backend ip`` runs through ``ip netns exec``, so the
only interfaces it can see are the namespace's loopback and its veth pair.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _netns_unavailable() -> str | None:
    if not sys.platform.startswith("linux"):
        return "network namespaces exist only on Linux"
    if shutil.which("ip") is None:
        return "iproute2 (ip) is not installed"
    if os.geteuid() != 0:
        return "creating a network namespace needs root (CI runs as root)"
    return None


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=20)


@pytest.fixture
def netns() -> Iterator[str]:
    reason = _netns_unavailable()
    if reason:
        pytest.skip(reason)
    name = f"hygie-t-{uuid.uuid4().hex[:8]}"
    r = _ip("netns", "add", name)
    if r.returncode != 0:
        pytest.skip(f"ip netns add failed: {r.stderr.strip()}")
    try:
        # The veth pair is created directly inside the namespace: the host never sees it.
        for cmd in (
            ("-n", name, "link", "add", "hyg0", "type", "veth", "peer", "name", "hyg1"),
            ("-n", name, "link", "set", "lo", "up"),
            ("-n", name, "link", "set", "hyg0", "up"),
            ("-n", name, "link", "set", "hyg1", "up"),
        ):
            r = _ip(*cmd)
            if r.returncode != 0:
                pytest.skip(f"cannot build the veth pair: {r.stderr.strip()}")
        yield name
    finally:
        _ip("netns", "del", name)


def _admin_up(ns: str) -> dict[str, bool]:
    out = _ip("-n", ns, "-j", "link", "show").stdout
    return {link["ifname"]: "UP" in link["flags"] for link in json.loads(out)}


def _host_up() -> dict[str, bool]:
    out = _ip("-j", "link", "show").stdout
    return {link["ifname"]: "UP" in link["flags"] for link in json.loads(out)}


def _hygie(ns: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("hygie")
    env = {**os.environ, "HYGIE_HOME": str(home), "HYGIE_NET_BACKEND": "ip"}
    return subprocess.run(
        ["ip", "netns", "exec", ns, str(exe), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def test_isolate_then_reconnect_inside_a_namespace(netns: str, tmp_path: Path) -> None:
    host_before = _host_up()
    usb = tmp_path / "usb"
    home = tmp_path / "home"
    r = _hygie(netns, "incident", "start", "--to", str(usb), "--no-guide", home=home)
    assert r.returncode == 0, r.stderr
    assert _admin_up(netns) == {"lo": True, "hyg0": True, "hyg1": True}

    dry = _hygie(netns, "incident", "isolate", "--backend", "ip", home=home)
    assert dry.returncode == 0
    assert sorted(dry.stdout.splitlines()) == [
        "ip link set dev hyg0 down",
        "ip link set dev hyg1 down",
    ]
    assert _admin_up(netns)["hyg0"] is True  # dry-run changed nothing

    r = _hygie(
        netns, "incident", "isolate", "--apply", "--yes", "--backend", "ip", "--to", str(usb),
        home=home,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert _admin_up(netns) == {"lo": True, "hyg0": False, "hyg1": False}
    state = json.loads((usb / "state" / "isolation.json").read_text())
    assert sorted(state["targets"]) == ["hyg0", "hyg1"]

    r = _hygie(
        netns, "incident", "reconnect", "--apply", "--yes", "--backend", "ip", "--to", str(usb),
        home=home,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert _admin_up(netns) == {"lo": True, "hyg0": True, "hyg1": True}

    journal = [json.loads(x) for x in (usb / "journal.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in journal] == ["start", "isolate", "reconnect"]
    assert journal[1]["step"] == 3
    v = _hygie(netns, "incident", "verify", str(usb), home=home)
    assert v.returncode == 0
    # The host's own interfaces were never touched.
    host_after = _host_up()
    assert {k: host_after[k] for k in host_before if k in host_after} == {
        k: v for k, v in host_before.items() if k in host_after
    }
