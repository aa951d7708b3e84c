"""Microsoft Defender's command-line scanner: where it is and what its output means (pure).

``MpCmdRun.exe -Scan -ScanType 3 -File PATH -DisableRemediation`` scans one file and
leaves it in place. What it prints (Microsoft's documentation of the tool, and outputs
published by projects that drive it; see tests/fixtures/cmd/README.md):

* no threat — exit code 0::

      Scan starting...
      Scan finished.
      Scanning C:\\...\\file.pdf found no threats.

* a threat — exit code 2, ``found N threats.`` then a list with ``Threat : NAME`` lines;
* a failure — also exit code 2 (Defender off, file missing, access denied…), with
  ``CmdTool: Failed with hr = 0x…`` and/or ``[Failed][0x…]`` instead of a scan line.

Exit codes overlap (2 is both "threat" and "failed"), a remediated threat exits 0, and a
file's own name is printed in the output: so the parser believes nothing it cannot match
exactly. Clean needs exit 0, one ``Scanning … found no threats.`` line and no threat or
failure line; infected needs ``found N threats.`` (N ≥ 1) and a threat name; anything else
is "not scanned" with the reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

from hygie.media.verdicts import EngineAnswer, Reason, Verdict, not_scanned

EXE = "MpCmdRun.exe"
_SCANNING = re.compile(r"^Scanning (?P<path>.+) found (?P<n>no|\d+) threats?\.$")
_THREAT = re.compile(r"^Threat\s*:\s*(?P<name>\S.*)$")
_FAILED = re.compile(r"(?:CmdTool: Failed with hr = |\[Failed\]\[?)(?P<hr>0x[0-9A-Fa-f]{8})")

# HRESULTs seen in published outputs, for the report (the raw code is kept anyway).
KNOWN_HR = {
    "0x80508023": "the file could not be found or opened by Defender",
    "0x80004005": "Defender is disabled or failed (unspecified error)",
    "0x80070005": "access denied",
    "0x80508001": "the scan engine could not start",
    "0x800106ba": "the Defender service is not running",
}


def scan_args(exe: str, path: str) -> list[str]:
    return [exe, "-Scan", "-ScanType", "3", "-File", path, "-DisableRemediation"]


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", name))


def find_mpcmdrun(
    env: Mapping[str, str],
    listdir: Callable[[str], list[str]] = os.listdir,
    exists: Callable[[str], bool] = os.path.isfile,
) -> str | None:
    """The newest ``%ProgramData%\\Microsoft\\Windows Defender\\Platform\\<version>\\
    MpCmdRun.exe``, else ``%ProgramFiles%\\Windows Defender\\MpCmdRun.exe``, else None."""
    program_data = env.get("ProgramData") or env.get("PROGRAMDATA") or "C:\\ProgramData"
    program_files = env.get("ProgramFiles") or env.get("PROGRAMFILES") or "C:\\Program Files"
    platform_dir = os.path.join(program_data, "Microsoft", "Windows Defender", "Platform")
    try:
        versions = sorted(
            (v for v in listdir(platform_dir) if re.match(r"^\d+(\.\d+)+", v)),
            key=_version_key,
            reverse=True,
        )
    except OSError:
        versions = []
    for v in versions:
        candidate = os.path.join(platform_dir, v, EXE)
        if exists(candidate):
            return candidate
    legacy = os.path.join(program_files, "Windows Defender", EXE)
    return legacy if exists(legacy) else None


def platform_version(exe: str) -> str:
    """The platform version from the folder MpCmdRun.exe sits in ("" for the legacy place)."""
    parent = os.path.basename(os.path.dirname(exe.replace("\\", os.sep)))
    return parent if re.match(r"^\d+(\.\d+)+", parent) else ""


def parse_scan(returncode: int | None, output: str, path: str) -> EngineAnswer:
    """The verdict for one ``-File`` scan of ``path``, failing closed."""
    lines = [line.strip() for line in output.replace("\r", "\n").split("\n") if line.strip()]
    failed = [m.group("hr").lower() for line in lines for m in [_FAILED.search(line)] if m]
    scanning = [m for line in lines for m in [_SCANNING.match(line)] if m]
    threats = [m.group("name").strip() for line in lines for m in [_THREAT.match(line)] if m]
    if returncode is None:
        return not_scanned(Reason.ENGINE_ERROR, "MpCmdRun.exe did not finish")
    if failed:
        hr = failed[0]
        why = KNOWN_HR.get(hr, "MpCmdRun failed")
        return not_scanned(Reason.ENGINE_ERROR, f"MpCmdRun.exe exit {returncode}, hr {hr}: {why}")
    if len(scanning) != 1:
        return not_scanned(
            Reason.ENGINE_ERROR,
            f"MpCmdRun.exe exit {returncode}: output not understood ({len(scanning)} scan lines)",
        )
    line = scanning[0]
    if path.isascii() and line.group("path").casefold() != path.casefold():
        return not_scanned(Reason.ENGINE_ERROR, "MpCmdRun.exe reported another path")
    n = line.group("n")
    if n == "no":
        if returncode == 0 and not threats and "Scan finished." in lines:
            return EngineAnswer(Verdict.CLEAN)
        return not_scanned(
            Reason.ENGINE_ERROR, f"MpCmdRun.exe exit {returncode}: contradictory output"
        )
    if int(n) >= 1 and threats and returncode in (0, 2):
        return EngineAnswer(Verdict.INFECTED, None, ", ".join(dict.fromkeys(threats)))
    return not_scanned(
        Reason.ENGINE_ERROR, f"MpCmdRun.exe exit {returncode}: {n} threats without a name"
    )
