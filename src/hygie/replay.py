"""Record and replay the commands hygie runs, for support and for the test-suite.

``hygie audit --record DIR`` keeps every command's raw result (argv, exit code, stdout,
stderr); ``hygie audit --replay DIR`` — or ``HYGIE_REPLAY=DIR`` for any hygie command —
answers every command from that folder instead of running it. Recording exists for the
audit only: its probes run commands that describe the machine (no document is ever read
through them), so a recording holds no patient data and a nurse can send hers to her IT
provider. (A backup's ``restic ls`` lists file names, which may name patients: there is
deliberately no way to record other commands.)

Format (``hygie-cmd/1``, documented in docs/reference/replay.md)::

    DIR/recording.json        {"format": "hygie-replay/1", "platform": "windows", ...}
    DIR/commands/<name>.json  {"format": "hygie-cmd/1", "argv": [...], "returncode": 0,
                               "stdout": "...", "stderr": "", "missing": false,
                               "timed_out": false}

``stdout_file`` / ``stderr_file`` (paths relative to the JSON file, UTF-8) may replace the
inline texts. File names do not matter: commands are matched on their exact argv.
A command that is not in the recording behaves as "not installed", so an empty folder gives
an audit of unknowns, never a crash. ``HYGIE_REPLAY_PASSTHROUGH=restic,clamdscan`` lets the
named programs really run (a real restic under the Windows personality).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.fileio import private_dir, write_text_atomic
from hygie.proc import Completed, Runner

REPLAY_ENV = "HYGIE_REPLAY"
PASSTHROUGH_ENV = "HYGIE_REPLAY_PASSTHROUGH"
RECORDING_FORMAT = "hygie-replay/1"
COMMAND_FORMAT = "hygie-cmd/1"
WHICH = "__which__"
META_FILE = "recording.json"
COMMANDS_DIR = "commands"


class ReplayError(ValueError):
    """A recording folder that cannot be read (not a folder, bad JSON)."""


def program_name(arg0: str) -> str:
    """``C:\\Program Files\\restic\\restic.EXE`` -> ``restic`` (how pass-through names match)."""
    base = re.split(r"[\\/]", arg0)[-1].lower()
    for ext in (".exe", ".com", ".bat", ".cmd"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def parse_passthrough(text: str | None) -> frozenset[str]:
    return frozenset(program_name(p.strip()) for p in (text or "").split(",") if p.strip())


@dataclass(frozen=True)
class Entry:
    argv: tuple[str, ...]
    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    missing: bool = False
    timed_out: bool = False

    def completed(self) -> Completed:
        return Completed(
            self.argv,
            None if (self.missing or self.timed_out) else self.returncode,
            self.stdout,
            self.stderr,
            missing=self.missing,
            timed_out=self.timed_out,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": COMMAND_FORMAT,
            "argv": list(self.argv),
            "returncode": self.returncode,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "missing": self.missing,
            "timed_out": self.timed_out,
        }


def entry_file_name(argv: Sequence[str]) -> str:
    """A readable, unique file name for a command (its program, words, and a hash)."""
    digest = hashlib.sha256(json.dumps(list(argv)).encode("utf-8")).hexdigest()[:12]
    words = "-".join(argv[:4]) if argv else "empty"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-").lower()[:48] or "cmd"
    return f"{slug}-{digest}.json"


def _read_text(base: Path, data: Mapping[str, Any], key: str) -> str:
    file_key = f"{key}_file"
    if data.get(file_key):
        target = (base / str(data[file_key])).resolve()
        if not target.is_relative_to(base.resolve()):  # a recording only reads itself
            raise ReplayError(f"{file_key} outside the recording: {data[file_key]}")
        return target.read_text(encoding="utf-8")
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def load_entry(path: Path) -> Entry | None:
    """One command file; None for a JSON file that is not a command (skipped)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReplayError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("argv"), list):
        return None
    rc = data.get("returncode")
    try:
        return Entry(
            argv=tuple(str(a) for a in data["argv"]),
            returncode=rc if isinstance(rc, int) and not isinstance(rc, bool) else None,
            stdout=_read_text(path.parent, data, "stdout"),
            stderr=_read_text(path.parent, data, "stderr"),
            missing=bool(data.get("missing", False)),
            timed_out=bool(data.get("timed_out", False)),
        )
    except OSError as exc:
        raise ReplayError(f"{path.name}: {exc}") from exc


def load_recording(folder: Path) -> dict[tuple[str, ...], Entry]:
    """Every command of a recording folder, keyed by its exact argv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: not a folder")
    where = folder / COMMANDS_DIR if (folder / COMMANDS_DIR).is_dir() else folder
    entries: dict[tuple[str, ...], Entry] = {}
    for path in sorted(where.glob("*.json")):
        if path.name == META_FILE:
            continue
        entry = load_entry(path)
        if entry is not None:
            entries[entry.argv] = entry
    return entries


def recording_platform(folder: Path) -> str | None:
    """The OS a recording was made on (``recording.json``), when it says."""
    try:
        meta = json.loads((Path(folder) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = meta.get("platform") if isinstance(meta, dict) else None
    return str(value) if value else None


class Replayer:
    """A :data:`hygie.proc.Runner` that answers from a recording.

    Programs in ``passthrough`` really run (through ``real``); any other command absent from
    the recording is "not installed". Every call is kept in ``calls`` (what a dry run would
    have done: the incident tests read the isolation commands there)."""

    replays = True

    def __init__(
        self,
        entries: Mapping[tuple[str, ...], Entry],
        *,
        passthrough: Iterable[str] = (),
        real: Runner | None = None,
    ) -> None:
        self.entries = dict(entries)
        self.passthrough = frozenset(program_name(p) for p in passthrough)
        self._real = real
        self.calls: list[tuple[str, ...]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_folder(cls, folder: Path, *, passthrough: Iterable[str] = ()) -> Replayer:
        return cls(load_recording(folder), passthrough=passthrough)

    def passes(self, argv: Sequence[str]) -> bool:
        return bool(argv) and program_name(str(argv[0])) in self.passthrough

    def _real_runner(self) -> Runner:
        if self._real is not None:
            return self._real
        from hygie.proc import real_runner

        return real_runner()

    def __call__(
        self,
        args: Sequence[str],
        timeout: float,
        env: Mapping[str, str] | None,
        stdin: str | None,
    ) -> Completed:
        argv = tuple(str(a) for a in args)
        with self._lock:
            self.calls.append(argv)
        if argv and argv[0] == WHICH and len(argv) > 1:
            name = argv[1]
            recorded = self.entries.get(argv)
            if recorded is not None:
                return recorded.completed()
            if program_name(name) in self.passthrough:
                return Completed(argv, 0, (shutil.which(name) or "") + "\n")
            if any(a and a[0] == name for a in self.entries):
                return Completed(argv, 0, name + "\n")
            return Completed(argv, 0, "")
        if self.passes(argv):
            return self._real_runner()(argv, timeout, env, stdin)
        found = self.entries.get(argv)
        if found is None:
            return Completed(argv, None, missing=True)
        return found.completed()


class Recorder:
    """A :data:`hygie.proc.Runner` that runs commands for real and keeps each result."""

    replays = False

    def __init__(self, folder: Path, *, platform: str, real: Runner | None = None) -> None:
        self.folder = Path(folder)
        self._real = real
        private_dir(self.folder / COMMANDS_DIR)
        meta = {
            "format": RECORDING_FORMAT,
            "platform": platform,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "hygie": _version(),
        }
        write_text_atomic(self.folder / META_FILE, json.dumps(meta, indent=2) + "\n")

    def __call__(
        self,
        args: Sequence[str],
        timeout: float,
        env: Mapping[str, str] | None,
        stdin: str | None,
    ) -> Completed:
        argv = tuple(str(a) for a in args)
        if argv and argv[0] == WHICH and len(argv) > 1:
            path = shutil.which(argv[1]) or ""
            cp = Completed(argv, 0, path + "\n" if path else "")
        else:
            if self._real is not None:
                runner = self._real
            else:
                from hygie.proc import real_runner

                runner = real_runner()
            cp = runner(argv, timeout, env, stdin)
        self.keep(cp)
        return cp

    def keep(self, cp: Completed) -> None:
        entry = Entry(
            argv=cp.args,
            returncode=cp.returncode,
            stdout=cp.stdout,
            stderr=cp.stderr,
            missing=cp.missing,
            timed_out=cp.timed_out,
        )
        body = json.dumps(entry.to_dict(), ensure_ascii=False, indent=2) + "\n"
        write_text_atomic(self.folder / COMMANDS_DIR / entry_file_name(cp.args), body)


def write_entry(folder: Path, entry: Entry) -> Path:
    """Add one command to a recording folder (used to build fixtures and by :class:`Recorder`)."""
    target = private_dir(Path(folder) / COMMANDS_DIR) / entry_file_name(entry.argv)
    body = json.dumps(entry.to_dict(), ensure_ascii=False, indent=2) + "\n"
    write_text_atomic(target, body)
    return target


def write_meta(folder: Path, platform: str) -> Path:
    meta = {"format": RECORDING_FORMAT, "platform": platform, "hygie": _version()}
    private_dir(Path(folder))
    return write_text_atomic(Path(folder) / META_FILE, json.dumps(meta, indent=2) + "\n")


def _version() -> str:
    from hygie import __version__

    return __version__


def install(folder: Path, *, mode: str, passthrough: Iterable[str] = ()) -> Runner:
    """Make every command of this process come from (``replay``) or go to (``record``)
    ``folder``; raises the platform's French errors when the folder cannot be used.

    Replaying another OS's recording makes hygie behave as that OS unless
    ``HYGIE_PLATFORM`` already says otherwise."""
    from hygie import proc
    from hygie.platform import PLATFORM_ENV, current
    from hygie.platform.errors import RecordFolderError, ReplayFolderError

    runner: Runner
    if mode == "replay":
        try:
            runner = Replayer.from_folder(folder, passthrough=passthrough)
        except ReplayError as exc:
            raise ReplayFolderError(path=str(folder), detail=str(exc)) from exc
        recorded = recording_platform(folder)
        if recorded and not os.environ.get(PLATFORM_ENV):
            os.environ[PLATFORM_ENV] = recorded
    else:
        try:
            runner = Recorder(folder, platform=current())
        except OSError as exc:
            raise RecordFolderError(path=str(folder), detail=exc.strerror or str(exc)) from exc
    proc.set_runner(runner)
    return runner


def install_from_env(environ: Mapping[str, str] | None = None) -> Runner | None:
    """:func:`install` the replay ``HYGIE_REPLAY`` asks for (CLI start-up)."""
    env = os.environ if environ is None else environ
    replay_dir = env.get(REPLAY_ENV, "").strip()
    if replay_dir:
        passthrough = parse_passthrough(env.get(PASSTHROUGH_ENV))
        return install(Path(replay_dir), mode="replay", passthrough=passthrough)
    return None


def runner_from_env(environ: Mapping[str, str] | None = None) -> Runner | None:
    """The runner ``HYGIE_REPLAY`` asks for, or None (run for real)."""
    env = os.environ if environ is None else environ
    replay_dir = env.get(REPLAY_ENV, "").strip()
    if replay_dir:
        return Replayer.from_folder(
            Path(replay_dir), passthrough=parse_passthrough(env.get(PASSTHROUGH_ENV))
        )
    return None
