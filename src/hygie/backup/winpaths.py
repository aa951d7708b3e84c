"""restic's paths on Windows, and back (pure).

restic stores and lists Windows paths in a POSIX form: ``C:\\Users\\Infirmiere\\Documents``
is ``/C/Users/Infirmiere/Documents`` in ``restic ls --json``, in snapshots' ``paths``, and
under a restore target (``<target>/C/Users/…``). hygie compares files, restores chosen paths
and reports them under the name the nurse knows, so every such path goes through here.
On POSIX systems both forms are the same path and nothing changes.

UNC shares (``\\\\server\\share``) are not backup sources hygie offers; restic's form for
them is left as it comes.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["restored_location", "to_native", "to_restic"]

_RESTIC_DRIVE = re.compile(r"^/([A-Za-z])(?:/(.*))?$")
_WIN_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/](.*))?$")


def to_native(restic_path: str, *, windows: bool) -> str:
    """``/C/Users/x`` -> ``C:\\Users\\x`` on Windows; unchanged elsewhere."""
    if not windows:
        return restic_path
    m = _RESTIC_DRIVE.match(restic_path)
    if not m:
        return restic_path
    rest = (m[2] or "").strip("/")
    return f"{m[1].upper()}:\\" + rest.replace("/", "\\")


def to_restic(native_path: str, *, windows: bool) -> str:
    """``C:\\Users\\x`` -> ``/C/Users/x`` on Windows (what ``--include`` matches); unchanged
    elsewhere."""
    if not windows:
        return native_path
    m = _WIN_DRIVE.match(native_path)
    if not m:
        return native_path.replace("\\", "/")
    rest = (m[2] or "").replace("\\", "/").strip("/")
    return f"/{m[1].upper()}/{rest}" if rest else f"/{m[1].upper()}"


def restored_location(target: Path, restic_path: str) -> Path:
    """Where ``restic restore --target TARGET`` puts a file listed as ``restic_path``: under
    the target, by the same components (``TARGET/C/Users/x`` on Windows)."""
    parts = [p for p in PurePosixPath(restic_path).parts if p != "/"]
    return target.joinpath(*parts) if parts else target


def native_from_restored(relative_parts: tuple[str, ...], *, windows: bool) -> str:
    """The source path of a file restored at ``TARGET/<relative_parts>`` (full restore)."""
    if windows and relative_parts and re.fullmatch(r"[A-Za-z]", relative_parts[0]):
        return str(PureWindowsPath(f"{relative_parts[0].upper()}:\\", *relative_parts[1:]))
    return str(PurePosixPath("/", *relative_parts))
