"""restic, driven as a subprocess through its ``--json`` interface (via :mod:`hygie.proc`).

The repository password never appears on a command line or in the environment: restic reads
it from ``RESTIC_PASSWORD_FILE`` pointing at a private pipe (``/dev/fd/N`` passed with
``pass_fds``) on POSIX, or at a 0600 file removed right after the call on Windows.
Works with restic >= 0.14 (Debian 12); newer features are used when present.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie import proc
from hygie.backup import children
from hygie.backup.errors import (
    BackupError,
    BackupInterrupted,
    DestinationFull,
    DestinationUnreachable,
    RepositoryCorrupted,
    ResticNotFound,
    WrongPassword,
)
from hygie.fileio import private_dir
from hygie.i18n import _
from hygie.paths import get_paths
from hygie.platform import current

RECOMMENDED_VERSION = (0, 18, 0)
# Exit codes documented from restic 0.17 on (older releases exit 1 for all of these).
EXIT_NO_REPOSITORY = 10
EXIT_LOCKED = 11
EXIT_WRONG_PASSWORD = 12
EXIT_INCOMPLETE_SNAPSHOT = 3

_VERSION_RE = re.compile(r"restic\s+v?(\d+)\.(\d+)\.(\d+)")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``restic 0.14.0 compiled with go1.19.8 on linux/amd64`` -> (0, 14, 0)."""
    m = _VERSION_RE.search(text)
    if not m:
        return None
    return (int(m[1]), int(m[2]), int(m[3]))


def version_str(v: tuple[int, int, int] | None) -> str:
    return ".".join(str(x) for x in v) if v else ""


_version_cache: dict[str, tuple[int, int, int]] = {}


def restic_version() -> tuple[int, int, int]:
    """The installed restic's version; raises ResticNotFound when it is missing."""
    where = proc.which("restic") or ""
    if where in _version_cache:
        return _version_cache[where]
    cp = proc.run(["restic", "version"], timeout=15)
    if cp.missing:
        raise ResticNotFound()
    v = parse_version(cp.stdout)
    if v is None:
        raise ResticNotFound()
    if where:
        _version_cache[where] = v
    return v


def json_lines(text: str) -> Iterator[dict[str, Any]]:
    """Every JSON object found one per line in ``text`` (other lines are skipped)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                obj = json.loads(line)
                if isinstance(obj, dict):
                    yield obj


_UNREACHABLE = (
    "connection refused",
    "no such host",
    "dial tcp",
    "i/o timeout",
    "connection reset",
    "network is unreachable",
    "tls handshake",
    "503 service unavailable",
    "server misbehaving",
)
_FULL = (
    "no space left on device",
    "file too large",
    "disk quota exceeded",
    "read-only file system",
)
_CORRUPT = (
    "ciphertext verification failed",
    "repository contains errors",
    "unexpected end of",
    "pack file cannot be listed",
    "hash does not match",
    "invalid data returned",
    "decrypting blob",
    "failed:",
)


def is_locked_error(cp: proc.Completed) -> bool:
    """restic could not take its lock (another restic, or a stale lock of a killed one)."""
    low = (cp.stderr or "").lower()
    return cp.returncode == EXIT_LOCKED or "already locked" in low or "unable to create lock" in low


def classify(cp: proc.Completed, destination: str, *, operation: str) -> BackupError:
    """Turn a failed restic call into the most precise error for the user."""
    if cp.missing:
        return ResticNotFound()
    if cp.error.startswith("interrupted"):
        return BackupInterrupted(
            destination=destination,
            detail=_("hygie a été arrêté, restic aussi (rien n'est compté)"),
        )
    err = (cp.stderr or "").strip()
    low = err.lower()
    last = ""
    for line in err.splitlines()[::-1]:
        if line.strip():
            last = line.strip()
            break
    if cp.timed_out:
        return DestinationUnreachable(
            destination=destination, detail="plus aucune progression, restic a été arrêté"
        )
    if cp.returncode == EXIT_WRONG_PASSWORD or "wrong password" in low:
        return WrongPassword(destination=destination)
    if any(s in low for s in _FULL):
        return DestinationFull(destination=destination, detail=last[:300])
    if "permission denied" in low and operation in {"backup", "init", "forget"}:
        return DestinationFull(destination=destination, detail=last[:300])
    if any(s in low for s in _UNREACHABLE):
        return DestinationUnreachable(destination=destination, detail=last[:300])
    if operation in {"check", "restore"} and any(s in low for s in _CORRUPT):
        return RepositoryCorrupted(destination=destination, detail=last[:300])
    if cp.returncode == EXIT_NO_REPOSITORY or "is there a repository" in low:
        return BackupError(
            destination=destination, detail="aucun dépôt de sauvegarde à cet emplacement"
        )
    return BackupError(destination=destination, detail=(last or cp.why())[:300])


@dataclass
class Repo:
    """One restic repository: where it is, how to open it (password, credentials)."""

    name: str
    url: str
    password: str
    extra_env: Mapping[str, str] = field(default_factory=dict)
    version: tuple[int, int, int] = (0, 14, 0)

    def exclusive_flags(self) -> list[str]:
        """restic >= 0.16 can wait for a lock held by a running backup instead of failing."""
        return ["--retry-lock", "2m"] if self.version >= (0, 16, 0) else []

    def _base_env(self) -> dict[str, str]:
        env = proc.c_locale_env()
        for k in ("RESTIC_PASSWORD", "RESTIC_PASSWORD_COMMAND", "RESTIC_PASSWORD_FILE"):
            env.pop(k, None)
        env["RESTIC_REPOSITORY"] = self.url
        env["RESTIC_CACHE_DIR"] = str(get_paths().cache_dir / "restic")
        env.setdefault("RESTIC_PROGRESS_FPS", "4")
        env.update(self.extra_env)
        return env

    @contextlib.contextmanager
    def _password_env(self) -> Iterator[tuple[dict[str, str], tuple[int, ...]]]:
        env = self._base_env()
        data = (self.password + "\n").encode("utf-8")
        if current() != "windows":
            r, w = os.pipe()
            try:
                os.write(w, data)  # far below the pipe buffer: never blocks
            finally:
                os.close(w)
            env["RESTIC_PASSWORD_FILE"] = f"/dev/fd/{r}"
            try:
                yield env, (r,)
            finally:
                os.close(r)
        else:  # Windows has no fd passing: a private file, removed after (personality-tested)
            d = private_dir(get_paths().data_dir / "tmp")
            fd, path = tempfile.mkstemp(dir=d)
            try:
                os.write(fd, data)
                os.close(fd)
                env["RESTIC_PASSWORD_FILE"] = path
                yield env, ()
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def call(
        self,
        args: list[str],
        *,
        on_line: Callable[[str], None] | None = None,
        timeout: float | None = 3600,
        stall_s: float | None = None,
    ) -> proc.Completed:
        """Run ``restic ARGS`` on this repository; reads all output; never raises.

        With ``stall_s``, restic is stopped (and ``timed_out`` set) when its JSON status has
        not changed for that long: restic retries an unreachable server for ~15 minutes.
        When hygie is asked to stop (:mod:`hygie.backup.children`), restic's process tree is
        killed and the result says ``error="interrupted: <why>"``."""
        with self._password_env() as (env, fds), children.watched() as cancel:
            if children.interrupted():
                return proc.Completed(
                    ("restic", *args), None, error=f"interrupted: {children.interrupted()}"
                )
            cp = self._call_watched(args, on_line, timeout, env, fds, stall_s, cancel)
        why = children.interrupted()
        if why and not cp.ok:
            return dataclasses.replace(
                cp, returncode=None, timed_out=False, error=f"interrupted: {why}"
            )
        return cp

    def _call_watched(
        self,
        args: list[str],
        on_line: Callable[[str], None] | None,
        timeout: float | None,
        env: dict[str, str],
        fds: tuple[int, ...],
        stall_s: float | None,
        cancel: threading.Event,
    ) -> proc.Completed:
        done = threading.Event()
        stalled = threading.Event()
        last_t = [time.monotonic()]
        last_key = [""]

        def watch(line: str) -> None:
            key = line
            for obj in json_lines(line):
                if obj.get("message_type") == "status":
                    obj = {k: v for k, v in obj.items() if k != "seconds_elapsed"}
                    obj.pop("seconds_remaining", None)
                key = json.dumps(obj, sort_keys=True)
            if key != last_key[0]:
                last_key[0], last_t[0] = key, time.monotonic()
            if on_line is not None:
                on_line(line)

        def watchdog(limit: float) -> None:
            while not done.wait(0.5):
                if time.monotonic() - last_t[0] > limit:
                    stalled.set()
                    cancel.set()
                    return

        if stall_s is not None:
            threading.Thread(target=watchdog, args=(stall_s,), daemon=True).start()
        try:
            cp = proc.stream(
                ["restic", *args],
                on_line=watch if stall_s is not None else on_line,
                timeout=timeout,
                env=env,
                pass_fds=fds,
                cancel=cancel,
            )
        finally:
            done.set()
        if stalled.is_set():
            return dataclasses.replace(cp, timed_out=True, returncode=None)
        return cp

    def call_unlocking(
        self,
        args: list[str],
        *,
        on_line: Callable[[str], None] | None = None,
        timeout: float | None = 3600,
        stall_s: float | None = None,
    ) -> tuple[proc.Completed, bool]:
        """:meth:`call`; when restic meets a lock, remove the stale ones (``restic unlock``
        keeps the locks of live processes) and try once more. Returns (result, unlocked).

        Only done when a lock is met: ``unlock`` costs a key derivation (~0.5 s of CPU)."""
        cp = self.call(args, on_line=on_line, timeout=timeout, stall_s=stall_s)
        if cp.ok or not is_locked_error(cp):
            return cp, False
        self.unlock()
        return self.call(args, on_line=on_line, timeout=timeout, stall_s=stall_s), True

    def must(self, args: list[str], *, operation: str, timeout: float | None = 3600) -> str:
        """Run and return stdout, raising the classified error on failure."""
        cp = self.call(args, timeout=timeout)
        if not cp.ok:
            raise classify(cp, self.name, operation=operation)
        return cp.stdout

    # -- small typed helpers ---------------------------------------------------------
    def init(
        self, version: tuple[int, int, int] = (0, 14, 0), *, open_existing: bool = True
    ) -> tuple[bool, str]:
        """Create the repository, or find it already there: (created, repository id).

        With ``open_existing=False`` an existing repository gives (False, "") without
        trying this password on it. restic >= 0.15 prints the id with ``init --json``;
        0.14 needs ``cat config``."""
        cp = self.call(["init", "--json"] if version >= (0, 15, 0) else ["init"], timeout=120)
        if cp.ok:
            for obj in json_lines(cp.stdout):
                if obj.get("id"):
                    return True, str(obj["id"])
            return True, self.repo_id()
        low = (cp.stderr or "").lower()
        # local: "config file already exists"; S3 (0.14): "… already initialized"
        if "already exists" in low or "already initialized" in low:
            return False, self.repo_id() if open_existing else ""
        raise classify(cp, self.name, operation="init")

    def repo_id(self) -> str:
        out = self.must(["--no-lock", "cat", "config"], operation="open", timeout=120)
        with contextlib.suppress(ValueError):
            return str(json.loads(out).get("id", ""))
        return ""

    def unlock(self) -> None:
        """Remove stale locks only (a killed restic leaves its lock behind)."""
        self.call(["unlock"], timeout=120)

    def snapshots(self) -> list[dict[str, Any]]:
        out = self.must(["--no-lock", "snapshots", "--json"], operation="open", timeout=300)
        try:
            data = json.loads(out or "[]")
        except ValueError:
            return []
        return [s for s in data if isinstance(s, dict)] if isinstance(data, list) else []

    def stats_raw(self) -> dict[str, Any]:
        out = self.must(
            ["--no-lock", "stats", "--json", "--mode", "raw-data"], operation="open", timeout=600
        )
        for obj in json_lines(out):
            return obj
        return {}
