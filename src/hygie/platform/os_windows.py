"""Windows services. Runs (and is tested) on any interpreter: Windows-only names
(``ctypes.windll``) are looked up when called. (The process tree, started in a new process
group and killed with ``taskkill /T /F``, is :mod:`hygie.osprocess`, below :mod:`hygie.proc`.)

* Volumes: ``Get-Volume`` joined to ``Get-Partition | Get-Disk`` as JSON (``BusType`` USB,
  ``UniqueId`` as the stable id), language-independent.
* Eject: the Shell's ``Eject`` verb (what Explorer's "Éjecter" does), checked afterwards.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from hygie import proc
from hygie.platform.os_base import System, Volume
from hygie.platform.parsers import whoami
from hygie.platform.parsers.win_volumes import parse_volumes
from hygie.platform.powershell import powershell, ps_quote

VOLUMES_PS = powershell(
    "$v=@(Get-Volume|Where-Object{$_.DriveLetter}|ForEach-Object{$vol=$_;$d=$null;"
    "try{$d=Get-Partition -DriveLetter $vol.DriveLetter -ErrorAction Stop|"
    "Get-Disk -ErrorAction Stop}catch{};[pscustomobject]@{"
    "DriveLetter=[string]$vol.DriveLetter;FileSystemLabel=$vol.FileSystemLabel;"
    "FileSystem=$vol.FileSystem;UniqueId=$vol.UniqueId;DriveType=$vol.DriveType;"
    "Size=$vol.Size;BusType=$(if($d){$d.BusType}else{$null});"
    "DiskNumber=$(if($d){$d.Number}else{$null})}});"
    "ConvertTo-Json -InputObject $v -Depth 3 -Compress"
)
WHOAMI_GROUPS = ["whoami", "/groups", "/fo", "csv", "/nh"]
_DRIVE = re.compile(r"^([A-Za-z]):[\\/]?$")


def eject_command(letter: str) -> list[str]:
    """The PowerShell that ejects drive ``letter`` (``E``) and waits until it is gone."""
    drive = ps_quote(f"{letter.upper()}:")
    return powershell(
        f"$d={drive};$i=(New-Object -ComObject Shell.Application).Namespace(17).ParseName($d);"
        "if(-not $i){exit 3};$i.InvokeVerb('Eject');"
        "for($n=0;$n -lt 40;$n++){if(-not(Test-Path ($d+'\\'))){exit 0};"
        "Start-Sleep -Milliseconds 250};exit 4"
    )


class WindowsSystem(System):
    name = "windows"

    def __init__(self) -> None:
        self._elevated: bool | None = None
        self._elevated_known = False
        self._lock = threading.Lock()

    def is_elevated(self) -> bool | None:
        with self._lock:
            if self._elevated_known:
                return self._elevated
            result: bool | None = None
            try:
                import ctypes

                windll = getattr(ctypes, "windll", None)
                if windll is not None:
                    result = bool(windll.shell32.IsUserAnAdmin())
            except (ImportError, OSError, AttributeError):
                result = None
            if result is None:
                cp = proc.run(WHOAMI_GROUPS, timeout=5, c_locale=False)
                if cp.ok and cp.stdout.strip():
                    result = whoami.elevated(cp.stdout)
            self._elevated, self._elevated_known = result, True
            return result

    def daily_user(self) -> str:
        return os.environ.get("USERNAME") or super().daily_user()

    def volumes(self) -> list[Volume] | None:
        cp = proc.run(VOLUMES_PS, timeout=20, c_locale=False)
        if not cp.ok:
            return None
        try:
            records = parse_volumes(cp.stdout)
        except ValueError:
            return None
        return [Volume.from_record(r) for r in records]

    def _absolute(self, p: str) -> str:
        return p if re.match(r"^[A-Za-z]:[\\/]", p) else os.path.abspath(p)

    def _norm_path(self, p: str) -> str:
        return p.replace("/", "\\").lower()

    def _sep(self) -> str:
        return "\\"

    def eject(self, volume: Volume) -> proc.Completed:
        m = _DRIVE.match(volume.mount.strip())
        if not m:
            return proc.Completed(("eject",), None, error=f"not a drive letter: {volume.mount!r}")
        return proc.run(eject_command(m.group(1)), timeout=20, c_locale=False)

    def thunderbird_roots(self, home: Path) -> list[Path]:
        roots = [home / "AppData" / "Roaming" / "Thunderbird"]
        appdata = os.environ.get("APPDATA")
        if appdata and Path(appdata) / "Thunderbird" not in roots:
            roots.append(Path(appdata) / "Thunderbird")
        return roots


SYSTEM = WindowsSystem()
