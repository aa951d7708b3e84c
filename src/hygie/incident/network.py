"""Network isolation (step 3) and reconnection, per platform, dry-run first.

* Linux: NetworkManager (``nmcli networking off/on``) when it is running, else
  ``ip link set dev IFACE down/up`` for every non-loopback interface that is up.
* Windows: ``Disable-NetAdapter`` / ``Enable-NetAdapter`` for every enabled adapter listed
  by ``Get-NetAdapter | ConvertTo-Json`` (language-independent); ``netsh interface set
  interface name="..." admin=disable/enable`` as the fallback (its labels are localised and,
  on a French console, read as ``Activ‚``: parsed through :func:`norm`).
* macOS: ``networksetup -setairportpower DEVICE off/on`` for Wi-Fi and
  ``networksetup -setnetworkserviceenabled SERVICE off/on`` for the other services.

:func:`plan` only reads (it lists interfaces); :func:`apply` runs the commands. What was turned
off is remembered in the incident folder (``state/isolation.json``) so that ``reconnect``
turns back on exactly that. The backend can be forced with ``--backend`` or
``HYGIE_NET_BACKEND`` (tests force ``ip`` inside a network namespace).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.i18n import _
from hygie.incident.destination import write_text
from hygie.incident.errors import IsolationFailed, NetworkBackendMissing
from hygie.platform import current
from hygie.platform.parsers import win_net
from hygie.platform.parsers._text import fix_mojibake, fix_oem, norm
from hygie.platform.powershell import UTF8_PREFIX, powershell, ps_quote

BACKENDS = ("auto", "nmcli", "ip", "netadapter", "netsh", "networksetup")
NET_ADAPTERS_PS = powershell(
    "Get-NetAdapter | Select-Object Name,InterfaceDescription,Status,AdminStatus,MediaType,"
    "PhysicalMediaType,Virtual,HardwareInterface | ConvertTo-Json -Compress"
)


def netadapter_command(name: str, *, on: bool) -> tuple[str, ...]:
    """PowerShell that turns one adapter off/on, its name matched literally (no wildcard)."""
    verb = "Enable-NetAdapter" if on else "Disable-NetAdapter"
    literal = f"([Management.Automation.WildcardPattern]::Escape({ps_quote(name)}))"
    return tuple(powershell(f"{verb} -Name {literal} -Confirm:$false -ErrorAction Stop"))


STATE_FILE = Path("state") / "isolation.json"
TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    platform: str

    @property
    def display(self) -> str:
        return format_command(self.argv, self.platform)

    def to_dict(self) -> dict[str, Any]:
        return {"argv": list(self.argv), "display": self.display}


@dataclass(frozen=True)
class Plan:
    action: str  # "isolate" or "reconnect"
    platform: str
    backend: str
    targets: tuple[str, ...]
    commands: tuple[Command, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "platform": self.platform,
            "backend": self.backend,
            "targets": list(self.targets),
            "commands": [c.to_dict() for c in self.commands],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Applied:
    plan: Plan
    done: tuple[str, ...]
    state_file: str | None
    journal_seq: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_dict(),
            "done": list(self.done),
            "state_file": self.state_file,
            "journal_seq": self.journal_seq,
        }


def format_command(argv: Sequence[str], platform: str) -> str:
    """The command line exactly as a person would type it on that platform."""
    if platform == "windows" and argv and argv[0] == "powershell":
        return argv[-1].removeprefix(UTF8_PREFIX)  # what to type in PowerShell
    if platform == "windows":
        parts = []
        for a in argv:
            key, eq, value = a.partition("=")
            if eq and key == "name":
                parts.append(f'{key}="{value}"')
            elif " " in a or not a:
                parts.append(f'"{a}"')
            else:
                parts.append(a)
        return " ".join(parts)
    return shlex.join(argv)


# -- pure parsers --------------------------------------------------------------------------
@dataclass(frozen=True)
class Interface:
    name: str
    up: bool  # administratively enabled
    loopback: bool = False
    wifi: bool = False
    device: str = ""


_IP_LINE = re.compile(r"^\d+:\s+(?P<name>[^:@\s]+)(?:@\S+)?:\s+<(?P<flags>[^>]*)>")


def parse_ip_link(text: str) -> list[Interface]:
    """``ip -o link show`` -> interfaces (admin state from the UP flag)."""
    out = []
    for line in text.splitlines():
        m = _IP_LINE.match(line.strip())
        if not m:
            continue
        flags = set(m["flags"].split(","))
        out.append(Interface(m["name"], "UP" in flags, "LOOPBACK" in flags or m["name"] == "lo"))
    return out


_NETSH_ENABLED = {"enabled", "active", "activee", "aktiviert"}  # compared after norm()


def parse_netsh_interfaces(text: str) -> list[Interface]:
    """``netsh interface show interface`` (English or French Windows) -> interfaces.

    A French console writes cp850 that Python reads as cp1252 (``Activ‚``, ``r‚seau``):
    labels are compared after :func:`norm`, names repaired before they go back to netsh."""
    out = []
    seen_rule = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if set(line) <= {"-"}:
            seen_rule = True
            continue
        if not seen_rule:
            continue
        parts = re.split(r"\s{2,}", line, maxsplit=3)
        if len(parts) < 4:
            continue
        admin, _state, _type, raw_name = parts
        name = fix_oem(fix_mojibake(raw_name.strip()))
        loop = "loopback" in name.lower()
        wifi = bool(re.search(r"wi-?fi|wireless|wlan|sans fil", name, re.I))
        out.append(Interface(name, norm(admin) in _NETSH_ENABLED, loop, wifi))
    return out


def parse_net_adapters(text: str) -> list[Interface]:
    """``Get-NetAdapter | ConvertTo-Json`` -> interfaces (admin state from ``AdminStatus``).

    Raises ValueError when the text is not JSON."""
    return [Interface(a.name, a.enabled, False, a.wifi) for a in win_net.parse_net_adapters(text)]


_SERVICE = re.compile(r"^\((?P<n>\d+|\*)\)\s+(?P<name>.+)$")
_PORT = re.compile(r"^\(Hardware Port:\s*(?P<port>[^,]*),\s*Device:\s*(?P<dev>[^)]*)\)$")


def parse_networkservice_order(text: str) -> list[Interface]:
    """``networksetup -listnetworkserviceorder`` -> services ("(*)" marks a disabled one)."""
    out: list[Interface] = []
    pending: tuple[str, bool] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        m = _SERVICE.match(line)
        if m:
            name = m["name"].strip()
            enabled = m["n"] != "*"
            if name.startswith("*"):
                name, enabled = name[1:].strip(), False
            pending = (name, enabled)
            continue
        p = _PORT.match(line)
        if p and pending is not None:
            port = p["port"].strip()
            wifi = port.lower() in {"wi-fi", "airport"}
            out.append(Interface(pending[0], pending[1], False, wifi, p["dev"].strip()))
            pending = None
    return out


# -- backend choice and plans --------------------------------------------------------------
def _nm_running() -> bool:
    if proc.which("nmcli") is None:
        return False
    r = proc.run(["nmcli", "-t", "-f", "RUNNING", "general"], timeout=5)
    return r.ok and r.stdout.strip() == "running"


def choose_backend(platform: str | None = None, backend: str | None = None) -> str:
    platform = platform or current()
    wanted = (backend or os.environ.get("HYGIE_NET_BACKEND") or "auto").lower()
    if wanted not in BACKENDS:
        raise NetworkBackendMissing(detail=_("méthode « {b} » inconnue").format(b=wanted))
    if wanted != "auto":
        return wanted
    if platform == "windows":
        return "netadapter" if proc.which("powershell") is not None else "netsh"
    if platform == "darwin":
        return "networksetup"
    if _nm_running():
        return "nmcli"
    if proc.which("ip") is not None:
        return "ip"
    raise NetworkBackendMissing(detail=_("ni NetworkManager ni la commande « ip »"))


def _list(backend: str) -> list[Interface]:
    if backend == "ip":
        r = proc.run(["ip", "-o", "link", "show"], timeout=5)
        if not r.ok:
            raise NetworkBackendMissing(detail=r.why())
        return parse_ip_link(r.stdout)
    if backend == "netadapter":
        r = proc.run(NET_ADAPTERS_PS, timeout=15, c_locale=False)
        if not r.ok:
            raise NetworkBackendMissing(detail=r.why())
        try:
            return parse_net_adapters(r.stdout)
        except ValueError as exc:
            raise NetworkBackendMissing(detail=_("réponse de Get-NetAdapter illisible")) from exc
    if backend == "netsh":
        r = proc.run(["netsh", "interface", "show", "interface"], timeout=10, c_locale=False)
        if not r.ok:
            raise NetworkBackendMissing(detail=r.why())
        return parse_netsh_interfaces(r.stdout)
    if backend == "networksetup":
        r = proc.run(["networksetup", "-listnetworkserviceorder"], timeout=10)
        if not r.ok:
            raise NetworkBackendMissing(detail=r.why())
        return parse_networkservice_order(r.stdout)
    return []


def _switch_commands(
    backend: str, ifaces: Sequence[Interface], *, on: bool
) -> list[tuple[str, ...]]:
    """The commands that turn each interface off (``on=False``) or back on."""
    states = ("up", "admin=enable", "on") if on else ("down", "admin=disable", "off")
    ip_state, netsh_state, mac_state = states
    cmds: list[tuple[str, ...]] = []
    for i in ifaces:
        if backend == "netadapter":
            cmds.append(netadapter_command(i.name, on=on))
        elif backend == "ip":
            cmds.append(("ip", "link", "set", "dev", i.name, ip_state))
        elif backend == "netsh":
            cmds.append(("netsh", "interface", "set", "interface", f"name={i.name}", netsh_state))
        elif backend == "networksetup":
            if i.wifi and i.device:
                cmds.append(("networksetup", "-setairportpower", i.device, mac_state))
            else:
                cmds.append(("networksetup", "-setnetworkserviceenabled", i.name, mac_state))
    return cmds


def _list_with_fallback(be: str, asked: str | None) -> tuple[str, list[Interface]]:
    """List with ``be``; on Windows, chosen automatically, fall back to netsh when
    PowerShell's NetAdapter module does not answer."""
    try:
        return be, _list(be)
    except NetworkBackendMissing:
        wanted = (asked or os.environ.get("HYGIE_NET_BACKEND") or "auto").lower()
        if be != "netadapter" or wanted != "auto":
            raise
        return "netsh", _list("netsh")


def plan_isolate(platform: str | None = None, backend: str | None = None) -> Plan:
    platform = platform or current()
    be = choose_backend(platform, backend)
    notes = [_("Débranchez aussi le câble réseau si l'ordinateur en a un.")]
    if be == "nmcli":
        argv: list[tuple[str, ...]] = [("nmcli", "networking", "off")]
        targets: list[str] = ["networking"]
    else:
        be, listed = _list_with_fallback(be, backend)
        ifaces = [i for i in listed if i.up and not i.loopback]
        targets = [
            i.device if (be == "networksetup" and i.wifi and i.device) else i.name for i in ifaces
        ]
        argv = _switch_commands(be, ifaces, on=False)
        if not ifaces:
            notes.append(_("Aucune interface réseau active : rien à couper."))
    if be in ("netadapter", "netsh", "networksetup", "ip"):
        notes.append(_("Ces commandes demandent les droits administrateur."))
    return Plan(
        "isolate",
        platform,
        be,
        tuple(targets),
        tuple(Command(a, platform) for a in argv),
        tuple(notes),
    )


def read_state(folder: Path | None) -> dict[str, Any] | None:
    if folder is None:
        return None
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def plan_reconnect(
    platform: str | None = None, backend: str | None = None, folder: Path | None = None
) -> Plan:
    platform = platform or current()
    state = read_state(folder)
    notes: list[str] = []
    if state and state.get("isolated") and state.get("platform") == platform:
        be = str(state.get("backend"))
        if backend and backend != "auto" and backend != be:
            be = choose_backend(platform, backend)
        remembered = [str(t) for t in state.get("targets", [])]
        if be == "nmcli":
            argv: list[tuple[str, ...]] = [("nmcli", "networking", "on")]
        else:
            devices = set(state.get("wifi_devices", []))
            ifaces = [
                Interface(t, False, wifi=t in devices, device=t if t in devices else "")
                for t in remembered
            ]
            argv = _switch_commands(be, ifaces, on=True)
        notes.append(_("Rallume ce que hygie a coupé (d'après {f}).").format(f=STATE_FILE))
        return Plan(
            "reconnect",
            platform,
            be,
            tuple(remembered),
            tuple(Command(a, platform) for a in argv),
            tuple(notes),
        )
    be = choose_backend(platform, backend)
    notes.append(
        _(
            "hygie ne sait pas ce qui a été coupé (pas de dossier d'incident) : il rallume "
            "toutes les interfaces éteintes."
        )
    )
    if be == "nmcli":
        return Plan(
            "reconnect",
            platform,
            be,
            ("networking",),
            (Command(("nmcli", "networking", "on"), platform),),
            tuple(notes),
        )
    be, listed = _list_with_fallback(be, backend)
    ifaces = [i for i in listed if not i.up and not i.loopback]
    targets = [
        i.device if (be == "networksetup" and i.wifi and i.device) else i.name for i in ifaces
    ]
    return Plan(
        "reconnect",
        platform,
        be,
        tuple(targets),
        tuple(Command(a, platform) for a in _switch_commands(be, ifaces, on=True)),
        tuple(notes),
    )


def apply(plan: Plan, folder: Path | None = None) -> Applied:
    """Run the plan's commands in order; stop at the first failure (IsolationFailed)."""
    done: list[str] = []
    failure: tuple[Command, proc.Completed] | None = None
    for cmd in plan.commands:
        r = proc.run(cmd.argv, timeout=TIMEOUT_S)
        if not r.ok:
            failure = (cmd, r)
            break
        done.append(cmd.display)
    state_file: str | None = None
    if folder is not None and (done or failure is None):
        state_path = folder / STATE_FILE
        wifi_devices = [
            c.argv[2] for c in plan.commands if len(c.argv) > 2 and c.argv[1] == "-setairportpower"
        ]
        payload = {
            "platform": plan.platform,
            "backend": plan.backend,
            "isolated": plan.action == "isolate",
            "targets": list(plan.targets),
            "wifi_devices": wifi_devices,
            "done": done,
        }
        write_text(state_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        state_file = str(state_path)
    if failure is not None:
        cmd, r = failure
        raise IsolationFailed(command=cmd.display, detail=r.why())
    return Applied(plan, tuple(done), state_file)
