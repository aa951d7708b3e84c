"""``hygie incident triage --to DIR``: a read-only snapshot for the analyst, written only to DIR.

What is collected (never file contents, identifier-like digit runs masked):

* processes, with the SHA-256 of their executables (Linux: ``/proc``; Windows: CIM
  ``Win32_Process``; macOS: ``ps``), and executables deleted from the disk flagged;
* open network connections (``/proc/net/tcp*``, ``udp*`` and ``ss -tunap``; ``netstat -ano`` on
  Windows; ``lsof -nP -i`` on macOS);
* logged-in users (``who``; ``query user`` on Windows);
* recently modified files in the user's folders (names and sizes, last 48 h);
* autostart entries and scheduled tasks (systemd units, ``~/.config/autostart``,
  ``crontab -l``; ``schtasks`` and the Run keys on Windows; launchd on macOS);
* installed software changes in the last week (``/var/log/dpkg.log``, apt history; MsiInstaller
  events on Windows; InstallHistory.plist on macOS);
* signs of ransomware (:mod:`hygie.incident.signs`).

A manifest (``manifest.json`` and ``SHA256SUMS``) lists the SHA-256 of every file written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import plistlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.i18n import _
from hygie.identifiers import mask_digit_runs as mask
from hygie.incident import destination
from hygie.incident.journal import Journal
from hygie.incident.privacy import user_folders, user_home
from hygie.incident.signs import scan
from hygie.platform import current, system
from hygie.platform.powershell import powershell

SOFTWARE_DAYS = 7
MAX_HASH_BYTES = 512 * 1024 * 1024
CMD_TIMEOUT_S = 8.0

WIN_RUN_KEYS = (
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce",
    r"HKLM\Software\Microsoft\Windows\CurrentVersion\Run",
    r"HKLM\Software\Microsoft\Windows\CurrentVersion\RunOnce",
)
WIN_PROCESSES_PS = (
    "Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name,"
    "ExecutablePath,CreationDate | ConvertTo-Csv -NoTypeInformation"
)
WIN_SOFTWARE_PS = (
    "Get-WinEvent -FilterHashtable @{LogName='Application';ProviderName='MsiInstaller';"
    "StartTime=(Get-Date).AddDays(-7)} -ErrorAction SilentlyContinue | "
    "Select-Object TimeCreated,Id,Message | ConvertTo-Csv -NoTypeInformation"
)


@dataclass(frozen=True)
class TriageCommand:
    name: str  # output file stem under commands/
    argv: tuple[str, ...]


def triage_commands(platform: str, user: str = "", as_root: bool = False) -> list[TriageCommand]:
    """The read-only commands run on each platform, in order (pinned by tests)."""
    if platform == "windows":
        cmds = [
            TriageCommand("processes", tuple(powershell(WIN_PROCESSES_PS))),
            TriageCommand("tasklist", ("tasklist", "/v", "/fo", "csv")),
            TriageCommand("network", ("netstat", "-ano")),
            TriageCommand("users", ("query", "user")),
            TriageCommand("scheduled_tasks", ("schtasks", "/query", "/fo", "csv", "/v")),
        ]
        for i, key in enumerate(WIN_RUN_KEYS, 1):
            cmds.append(TriageCommand(f"autostart_run_{i}", ("reg", "query", key)))
        cmds.append(TriageCommand("software_changes", tuple(powershell(WIN_SOFTWARE_PS))))
        return cmds
    if platform == "darwin":
        return [
            TriageCommand("processes", ("ps", "-axo", "pid=,ppid=,user=,lstart=,comm=")),
            TriageCommand("network", ("lsof", "-nP", "-i")),
            TriageCommand("users", ("who",)),
            TriageCommand("launchctl", ("launchctl", "list")),
            TriageCommand("crontab", ("crontab", "-l")),
        ]
    crontab = ("crontab", "-l", "-u", user) if as_root and user else ("crontab", "-l")
    return [
        TriageCommand("network_ss", ("ss", "-tunap")),
        TriageCommand("users", ("who",)),
        TriageCommand("crontab", crontab),
        TriageCommand(
            "systemd_user_units",
            ("systemctl", "--user", "list-unit-files", "--state=enabled", "--no-pager"),
        ),
        TriageCommand("systemd_timers", ("systemctl", "list-timers", "--all", "--no-pager")),
    ]


# -- pure parsers (Linux) ------------------------------------------------------------------
TCP_STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
    "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK",
    "0A": "LISTEN", "0B": "CLOSING",
}  # fmt: skip


def _addr(hex_addr: str) -> str:
    host, _, port = hex_addr.partition(":")
    p = int(port, 16)
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        return f"{'.'.join(str(b) for b in raw[::-1])}:{p}"
    # IPv6: four little-endian 32-bit words
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    import ipaddress

    return f"[{ipaddress.IPv6Address(words)}]:{p}"


def parse_proc_net(text: str, proto: str) -> list[dict[str, Any]]:
    """/proc/net/{tcp,tcp6,udp,udp6} -> connections (local, remote, state, uid, inode)."""
    out = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 10:
            continue
        try:
            out.append(
                {
                    "proto": proto,
                    "local": _addr(parts[1]),
                    "remote": _addr(parts[2]),
                    "state": TCP_STATES.get(parts[3], parts[3])
                    if proto.startswith("tcp")
                    else ("UNCONN" if parts[3] == "07" else parts[3]),
                    "uid": int(parts[7]),
                    "inode": int(parts[9]),
                }
            )
        except (ValueError, IndexError):
            continue
    return out


def parse_dpkg_log(text: str, since: dt.datetime) -> list[dict[str, str]]:
    """dpkg.log lines (install/upgrade/remove/purge) at or after ``since`` (local time)."""
    out = []
    for line in text.splitlines():
        m = re.match(
            r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (install|upgrade|remove|purge) (\S+) (.*)$",
            line,
        )
        if not m:
            continue
        when = dt.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S")
        if when >= since:
            out.append({"at": m[1], "action": m[2], "package": m[3], "versions": m[4].strip()})
    return out


def parse_apt_history(text: str, since: dt.datetime) -> list[dict[str, str]]:
    """apt history.log blocks starting at or after ``since`` (local time)."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in block.strip().splitlines():
            key, sep, value = line.partition(": ")
            if sep:
                fields[key.strip()] = value.strip()
        start = fields.get("Start-Date")
        if not start:
            continue
        try:
            when = dt.datetime.strptime(" ".join(start.split()), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        if when >= since:
            out.append(fields)
    return out


# -- collectors ----------------------------------------------------------------------------
class _Hasher:
    def __init__(self) -> None:
        self.cache: dict[tuple[int, int], str] = {}

    def file(self, path: str) -> str | None:
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                key = (st.st_dev, st.st_ino)
                if key in self.cache:
                    return self.cache[key]
                if st.st_size > MAX_HASH_BYTES:
                    return None
                self.cache[key] = hashlib.file_digest(fh, "sha256").hexdigest()
                return self.cache[key]
        except OSError:
            return None


def linux_processes(proc_root: Path = Path("/proc")) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """Processes from /proc, and the map socket inode -> pid."""
    hasher = _Hasher()
    procs: list[dict[str, Any]] = []
    sockets: dict[int, int] = {}
    for d in proc_root.iterdir():
        if not d.name.isdigit():
            continue
        pid = int(d.name)
        try:
            status = (d / "status").read_text(errors="replace")
        except OSError:
            continue
        fields = dict(
            (k.strip(), v.strip()) for k, _, v in (ln.partition(":") for ln in status.splitlines())
        )
        try:
            cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            cmdline = ""
        try:
            exe = os.readlink(d / "exe")
        except OSError:
            exe = ""
        deleted = exe.endswith(" (deleted)")
        sha = hasher.file(str(d / "exe")) if exe else None
        procs.append(
            {
                "pid": pid,
                "ppid": int(fields.get("PPid", "0") or 0),
                "name": fields.get("Name", ""),
                "uid": int((fields.get("Uid", "0").split() or ["0"])[0]),
                "exe": mask(exe),
                "exe_deleted": deleted,
                "exe_sha256": sha,
                "cmdline": mask(cmdline.strip())[:1000],
            }
        )
        try:
            for fd in (d / "fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    sockets[int(target[8:-1])] = pid
        except OSError:
            pass
    procs.sort(key=lambda p: p["pid"])
    return procs, sockets


def linux_connections(sockets: dict[int, int], proc_root: Path = Path("/proc")) -> list[Any]:
    out: list[dict[str, Any]] = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            text = (proc_root / "net" / proto).read_text()
        except OSError:
            continue
        for c in parse_proc_net(text, proto):
            c["pid"] = sockets.get(c["inode"])
            out.append(c)
    return out


def _listing(folder: Path, pattern: str = "*") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        entries = sorted(folder.glob(pattern))
    except OSError:
        return out
    for p in entries:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append(
            {
                "path": mask(str(p)),
                "size": st.st_size,
                "modified": dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).isoformat(
                    timespec="seconds"
                ),
            }
        )
    return out


def linux_autostart(home: Path) -> dict[str, Any]:
    desktop = []
    for item in _listing(home / ".config" / "autostart", "*.desktop"):
        try:
            text = Path(home / ".config" / "autostart" / Path(item["path"]).name).read_text(
                errors="replace"
            )
            item["exec"] = next(
                (mask(ln[5:].strip()) for ln in text.splitlines() if ln.startswith("Exec=")), ""
            )
        except OSError:
            item["exec"] = ""
        desktop.append(item)
    return {
        "xdg_autostart": desktop,
        "systemd_user_units": _listing(home / ".config" / "systemd" / "user", "**/*.*"),
        "systemd_system_units": _listing(Path("/etc/systemd/system"), "*.service")
        + _listing(Path("/etc/systemd/system"), "*.timer"),
        "cron_d": _listing(Path("/etc/cron.d")),
        "crontabs": _listing(Path("/var/spool/cron/crontabs")),
    }


def linux_software(now: dt.datetime) -> dict[str, Any]:
    since = (now - dt.timedelta(days=SOFTWARE_DAYS)).astimezone().replace(tzinfo=None)
    dpkg: list[dict[str, str]] = []
    for name in ("dpkg.log.1", "dpkg.log"):
        with contextlib.suppress(OSError):
            dpkg += parse_dpkg_log((Path("/var/log") / name).read_text(errors="replace"), since)
    apt: list[dict[str, str]] = []
    for name in ("history.log.1", "history.log"):
        with contextlib.suppress(OSError):
            apt += parse_apt_history(
                (Path("/var/log/apt") / name).read_text(errors="replace"), since
            )
    return {"since": since.isoformat(timespec="seconds"), "dpkg": dpkg, "apt_history": apt}


def darwin_software(now: dt.datetime) -> dict[str, Any]:
    since = now - dt.timedelta(days=SOFTWARE_DAYS)
    items = []
    try:
        with open("/Library/Receipts/InstallHistory.plist", "rb") as fh:
            data = plistlib.load(fh)
        for it in data if isinstance(data, list) else []:
            date = it.get("date")
            if isinstance(date, dt.datetime):
                d = date if date.tzinfo else date.replace(tzinfo=dt.UTC)
                if d >= since:
                    items.append(
                        {
                            "at": d.isoformat(timespec="seconds"),
                            "name": str(it.get("displayName", "")),
                            "version": str(it.get("displayVersion", "")),
                            "process": str(it.get("processName", "")),
                        }
                    )
    except (OSError, plistlib.InvalidFileException, ValueError):
        pass
    return {"install_history": items}


def darwin_autostart(home: Path) -> dict[str, Any]:
    return {
        "user_launch_agents": _listing(home / "Library" / "LaunchAgents"),
        "launch_agents": _listing(Path("/Library/LaunchAgents")),
        "launch_daemons": _listing(Path("/Library/LaunchDaemons")),
    }


def executables_from_ps(text: str) -> list[str]:
    """macOS ``ps -axo pid=,ppid=,user=,lstart=,comm=``: the executable paths (last column)."""
    out: list[str] = []
    for line in text.splitlines():
        m = re.search(r"\s(/\S.*)$", line)
        if m:
            out.append(m[1].strip())
    return out


def executables_from_cim_csv(text: str) -> list[str]:
    import csv
    import io

    out = []
    for row in csv.DictReader(io.StringIO(text)):
        p = (row.get("ExecutablePath") or "").strip()
        if p:
            out.append(p)
    return out


# -- the snapshot --------------------------------------------------------------------------
@dataclass(frozen=True)
class TriageResult:
    folder: str
    files: tuple[dict[str, Any], ...]
    summary: dict[str, Any]
    signs_found: bool
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "files": list(self.files),
            "summary": self.summary,
            "signs_found": self.signs_found,
            "duration_s": round(self.duration_s, 3),
        }


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[dict[str, Any]] = []

    def json(self, rel: str, data: Any) -> None:
        self.text(rel, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")

    def text(self, rel: str, text: str) -> None:
        data = text.encode("utf-8")
        sha = destination.write_bytes(self.folder / rel, data)
        self.files.append({"file": rel, "size": len(data), "sha256": sha})


def run_triage(
    dest: Path,
    *,
    platform: str | None = None,
    home: Path | None = None,
    paths: list[Path] | None = None,
    now: dt.datetime | None = None,
    proc_root: Path = Path("/proc"),
    progress: Callable[[str], None] | None = None,
) -> TriageResult:
    t0 = time.monotonic()
    platform = platform or current()
    now = now or dt.datetime.now(dt.UTC)
    home = home or user_home()
    dest = destination.prepare(dest)
    folder = dest / ("triage-" + now.strftime("%Y%m%dT%H%M%SZ"))
    n = 1
    while folder.exists():
        n += 1
        folder = dest / ("triage-" + now.strftime("%Y%m%dT%H%M%SZ") + f"-{n}")
    destination.prepare(folder)
    w = _Writer(folder)
    summary: dict[str, Any] = {"platform": platform}

    def step(label: str) -> None:
        if progress:
            progress(label)

    user = os.environ.get("SUDO_USER", "")
    as_root = bool(system().is_elevated())
    executables: list[str] = []
    for cmd in triage_commands(platform, user, as_root):
        step(cmd.name)
        r = proc.run(cmd.argv, timeout=CMD_TIMEOUT_S)
        header = f"# {' '.join(cmd.argv)}\n# {r.why()}\n"
        w.text(f"commands/{cmd.name}.txt", header + mask(r.stdout))
        if cmd.name == "processes" and r.ok:
            if platform == "darwin":
                executables = executables_from_ps(r.stdout)
            elif platform == "windows":
                executables = executables_from_cim_csv(r.stdout)
    if platform == "linux":
        step("processes")
        procs, sockets = linux_processes(proc_root)
        w.json("processes.json", procs)
        summary["processes"] = len(procs)
        summary["deleted_executables"] = sum(1 for p in procs if p["exe_deleted"])
        step("network")
        conns = linux_connections(sockets, proc_root)
        w.json("network.json", conns)
        summary["connections"] = len(conns)
        summary["established"] = sum(1 for c in conns if c["state"] == "ESTABLISHED")
        step("autostart")
        w.json("autostart.json", linux_autostart(home))
        step("software")
        sw = linux_software(now)
        w.json("software_changes.json", sw)
        summary["software_changes"] = len(sw["dpkg"]) + len(sw["apt_history"])
    else:
        step("executables")
        hasher = _Hasher()
        unique = sorted(set(executables))
        w.json(
            "executables.json",
            [{"path": mask(p), "sha256": hasher.file(p)} for p in unique],
        )
        summary["processes"] = len(executables)
        if platform == "darwin":
            w.json("autostart.json", darwin_autostart(home))
            w.json("software_changes.json", darwin_software(now))
    step("files")
    roots = paths or user_folders(home)
    # The incident folder may sit inside a user folder: never list hygie's own output.
    report = scan(roots, now=now, keep_recent=True, time_budget_s=6.0, exclude=[dest])
    w.json("recent_files.json", list(report.recent_files))
    w.json("ransomware_signs.json", report.to_dict())
    summary["recent_files"] = report.recent
    summary["files_examined"] = report.files
    summary["signs"] = [s.kind for s in report.signs]
    summary["files_truncated"] = report.truncated
    info = {
        "tool": "hygie incident triage",
        "created_utc": now.isoformat(timespec="seconds"),
        "created_local": now.astimezone().isoformat(timespec="seconds"),
        "platform": platform,
        "user": user or os.environ.get("USER", ""),
        "summary": summary,
        "note": _(
            "Instantané en lecture seule : aucun contenu de fichier n'est copié ; les suites "
            "de chiffres pouvant être des identifiants sont masquées."
        ),
    }
    w.json("triage.json", info)
    # The manifest lists every file above; it cannot list its own hash.
    manifest = {"files": w.files, "algorithm": "sha256"}
    sums = "".join(f"{f['sha256']}  {f['file']}\n" for f in w.files)
    destination.write_text(folder / "SHA256SUMS", sums)
    destination.write_text(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    files = (*w.files,)
    if Journal.exists_in(dest):  # the incident's journal records the snapshot and its manifest
        Journal.open(dest).append(
            _("constat en lecture seule écrit dans {d}").format(d=folder.name),
            kind="triage",
            data={
                "manifest_sha256": hashlib.sha256(
                    (folder / "manifest.json").read_bytes()
                ).hexdigest()
            },
        )
    return TriageResult(
        folder=str(folder),
        files=files,
        summary=summary,
        signs_found=report.found,
        duration_s=time.monotonic() - t0,
    )
