"""Isolation and reconnection plans per platform, against expected command lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ReplayRunner, fixture_text
from hygie import proc
from hygie.incident import network
from hygie.incident.errors import IsolationFailed, NetworkBackendMissing
from incident_helpers import run_cli


def test_parse_ip_link() -> None:
    ifaces = network.parse_ip_link(fixture_text("cmd", "linux", "ip_link", "default.txt"))
    assert [(i.name, i.up, i.loopback) for i in ifaces] == [
        ("lo", True, True),
        ("enp3s0", True, False),
        ("wlp2s0", True, False),
        ("docker0", True, False),
        ("veth1", False, False),
    ]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("en", [("Ethernet", True), ("Wi-Fi", True), ("Ethernet 2", False), ("VPN Cabinet", True)]),
        ("fr", [("Ethernet", True), ("Wi-Fi", True), ("Connexion réseau Bluetooth", False)]),
    ],
)
def test_parse_netsh(case: str, expected: list[tuple[str, bool]]) -> None:
    text = fixture_text("cmd", "windows", "netsh_interfaces", f"{case}.txt")
    assert [(i.name, i.up) for i in network.parse_netsh_interfaces(text)] == expected


def test_parse_networkservice_order() -> None:
    text = fixture_text("cmd", "darwin", "networkservice_order", "default.txt")
    got = [(i.name, i.up, i.wifi, i.device) for i in network.parse_networkservice_order(text)]
    assert got == [
        ("USB 10/100/1000 LAN", True, False, "en7"),
        ("Wi-Fi", True, True, "en0"),
        ("Thunderbolt Bridge", True, False, "bridge0"),
        ("Bluetooth PAN", False, False, "en3"),
    ]


def _displays(plan: network.Plan) -> list[str]:
    return [c.display for c in plan.commands]


def test_windows_isolate_and_reconnect_command_lines(tmp_path: Path) -> None:
    rr = ReplayRunner(
        {
            "netsh interface show interface": fixture_text(
                "cmd", "windows", "netsh_interfaces", "en.txt"
            ),
            "netsh": ("", 0, ""),
        }
    )
    with proc.use_runner(rr):
        plan = network.plan_isolate("windows")
        assert plan.backend == "netsh"
        assert _displays(plan) == [
            'netsh interface set interface name="Ethernet" admin=disable',
            'netsh interface set interface name="Wi-Fi" admin=disable',
            'netsh interface set interface name="VPN Cabinet" admin=disable',
        ]
        assert plan.commands[2].argv == (
            "netsh", "interface", "set", "interface", "name=VPN Cabinet", "admin=disable"
        )  # fmt: skip
        network.apply(plan, tmp_path)
        back = network.plan_reconnect("windows", folder=tmp_path)
    assert _displays(back) == [
        'netsh interface set interface name="Ethernet" admin=enable',
        'netsh interface set interface name="Wi-Fi" admin=enable',
        'netsh interface set interface name="VPN Cabinet" admin=enable',
    ]
    ran = [" ".join(c) for c in rr.calls if "set" in c]
    assert ran[0] == "netsh interface set interface name=Ethernet admin=disable"


def test_macos_isolate_and_reconnect_command_lines(tmp_path: Path) -> None:
    rr = ReplayRunner(
        {
            "networksetup -listnetworkserviceorder": fixture_text(
                "cmd", "darwin", "networkservice_order", "default.txt"
            ),
            "networksetup": ("", 0, ""),
        }
    )
    with proc.use_runner(rr):
        plan = network.plan_isolate("darwin")
        assert _displays(plan) == [
            "networksetup -setnetworkserviceenabled 'USB 10/100/1000 LAN' off",
            "networksetup -setairportpower en0 off",
            "networksetup -setnetworkserviceenabled 'Thunderbolt Bridge' off",
        ]
        network.apply(plan, tmp_path)
        back = network.plan_reconnect("darwin", folder=tmp_path)
    assert _displays(back) == [
        "networksetup -setnetworkserviceenabled 'USB 10/100/1000 LAN' on",
        "networksetup -setairportpower en0 on",
        "networksetup -setnetworkserviceenabled 'Thunderbolt Bridge' on",
    ]


def test_linux_ip_backend_downs_every_non_loopback_interface_and_remembers(
    tmp_path: Path,
) -> None:
    rr = ReplayRunner(
        {
            "ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt"),
            "ip": ("", 0, ""),
        }
    )
    with proc.use_runner(rr):
        plan = network.plan_isolate("linux", "ip")
        assert _displays(plan) == [
            "ip link set dev enp3s0 down",
            "ip link set dev wlp2s0 down",
            "ip link set dev docker0 down",
        ]
        applied = network.apply(plan, tmp_path)
    state = json.loads((tmp_path / "state" / "isolation.json").read_text())
    assert state["targets"] == ["enp3s0", "wlp2s0", "docker0"] and state["isolated"] is True
    assert applied.done == tuple(_displays(plan))
    back = network.plan_reconnect("linux", "ip", folder=tmp_path)
    assert _displays(back) == [
        "ip link set dev enp3s0 up",
        "ip link set dev wlp2s0 up",
        "ip link set dev docker0 up",
    ]


def test_linux_prefers_networkmanager_when_running() -> None:
    rr = ReplayRunner({"nmcli -t -f RUNNING general": "running\n", "nmcli": "", "ip": ""})
    with proc.use_runner(rr):
        assert _displays(network.plan_isolate("linux")) == ["nmcli networking off"]
        assert _displays(network.plan_reconnect("linux")) == ["nmcli networking on"]
    rr = ReplayRunner(
        {"nmcli -t -f RUNNING general": "stopped\n", "nmcli": "", "ip": "", "ip -o link show": ""}
    )
    with proc.use_runner(rr):
        assert network.plan_isolate("linux").backend == "ip"


def test_no_backend_and_failure_are_clear_errors(tmp_path: Path) -> None:
    with proc.use_runner(ReplayRunner({})), pytest.raises(NetworkBackendMissing):
        network.plan_isolate("linux")
    rr = ReplayRunner(
        {
            "ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt"),
            "ip": ("", 2, "RTNETLINK answers: Operation not permitted"),
        }
    )
    with proc.use_runner(rr):
        plan = network.plan_isolate("linux", "ip")
        with pytest.raises(IsolationFailed) as exc:
            network.apply(plan, tmp_path)
    assert "Operation not permitted" in exc.value.render()
    assert exc.value.exit_code == 45


def test_cli_dry_run_prints_exactly_the_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rr = ReplayRunner({"ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt")})
    monkeypatch.setenv("HYGIE_NET_BACKEND", "ip")
    with proc.use_runner(rr):
        code, out, err = run_cli(["incident", "isolate"], capsys)
    assert code == 0
    assert out.splitlines() == [
        "ip link set dev enp3s0 down",
        "ip link set dev wlp2s0 down",
        "ip link set dev docker0 down",
    ]
    assert "--apply" in err
    assert not any("set" in c for c in rr.calls)  # nothing was run


def test_cli_apply_without_terminal_needs_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rr = ReplayRunner({"ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt")})
    monkeypatch.setenv("HYGIE_NET_BACKEND", "ip")
    with proc.use_runner(rr):
        code, _out, err = run_cli(["incident", "isolate", "--apply"], capsys, stdin="")
    assert code == 46 and "--yes" in err
    assert not any("set" in c for c in rr.calls)


def _cp850_as_cp1252(text: str) -> str:
    """What Python reads from netsh on a French console (cp850 bytes, ANSI decoding)."""
    return text.replace("\u2019", "'").encode("cp850").decode("cp1252", errors="replace")


def test_netsh_french_console_is_read_and_names_repaired() -> None:
    mangled = _cp850_as_cp1252(fixture_text("cmd", "windows", "netsh_interfaces", "fr.txt"))
    assert "Activ\u201a" in mangled  # "Activé" as Python sees it
    got = [(i.name, i.up) for i in network.parse_netsh_interfaces(mangled)]
    assert got == [("Ethernet", True), ("Wi-Fi", True), ("Connexion réseau Bluetooth", False)]


def test_windows_french_console_netsh_plan_is_not_empty(tmp_path: Path) -> None:
    mangled = _cp850_as_cp1252(fixture_text("cmd", "windows", "netsh_interfaces", "fr.txt"))
    rr = ReplayRunner({"netsh interface show interface": mangled, "netsh": ("", 0, "")})
    with proc.use_runner(rr):
        plan = network.plan_isolate("windows")
    assert plan.backend == "netsh"
    assert _displays(plan) == [
        'netsh interface set interface name="Ethernet" admin=disable',
        'netsh interface set interface name="Wi-Fi" admin=disable',
    ]


def _adapters() -> str:
    return fixture_text("cmd", "windows", "net_adapters", "fr_laptop.json")


def test_windows_prefers_get_netadapter_and_remembers(tmp_path: Path) -> None:
    listing = " ".join(network.NET_ADAPTERS_PS)
    rr = ReplayRunner({listing: _adapters(), "powershell": ("", 0, "")})
    with proc.use_runner(rr):
        plan = network.plan_isolate("windows")
        assert plan.backend == "netadapter"
        assert plan.targets == ("Ethernet", "Wi-Fi", "VPN Cabinet")  # Bluetooth already off
        assert _displays(plan)[1] == (
            "Disable-NetAdapter -Name ([Management.Automation.WildcardPattern]::Escape('Wi-Fi'))"
            " -Confirm:$false -ErrorAction Stop"
        )
        network.apply(plan, tmp_path)
        back = network.plan_reconnect("windows", folder=tmp_path)
    assert [c.argv for c in back.commands] == [
        network.netadapter_command(n, on=True) for n in ("Ethernet", "Wi-Fi", "VPN Cabinet")
    ]
    ran = [c for c in rr.calls if c[0] == "powershell" and "Disable-NetAdapter" in c[-1]]
    assert len(ran) == 3


def test_windows_falls_back_to_netsh_when_netadapter_fails() -> None:
    listing = " ".join(network.NET_ADAPTERS_PS)
    rr = ReplayRunner(
        {
            listing: ("", 1, "Get-NetAdapter : Le terme n'est pas reconnu"),
            "powershell": ("", 0, ""),
            "netsh interface show interface": fixture_text(
                "cmd", "windows", "netsh_interfaces", "en.txt"
            ),
        }
    )
    with proc.use_runner(rr):
        plan = network.plan_isolate("windows")
    assert plan.backend == "netsh" and len(plan.commands) == 3
    with proc.use_runner(rr), pytest.raises(NetworkBackendMissing):
        network.plan_isolate("windows", "netadapter")  # asked for explicitly: no guessing


def test_hostile_adapter_names_stay_literal() -> None:
    argv = network.netadapter_command("Wi-Fi [bureau]'; Remove-Item C:\\ -Recurse; '", on=False)
    script = argv[-1]
    assert "Escape('Wi-Fi [bureau]''; Remove-Item C:\\ -Recurse; ''')" in script
    assert argv[:6] == (
        "powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"
    )  # fmt: skip
