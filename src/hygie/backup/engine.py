"""The backup regime: setup, run, verify, restore, status. The CLI and the web dashboard call
these functions; each returns a frozen dataclass with ``to_dict()``.

Progress is reported through an optional callback ``progress(destination, event)`` where
``event`` is one of restic's JSON status/summary objects (or a small hygie event with
``message_type`` "phase").
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets as pysecrets
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.backup import state
from hygie.backup.destinations import (
    KIND_LOCAL,
    KIND_S3,
    Destination,
    block_devices,
    describe_local,
    parse_destination,
    resolve,
)
from hygie.backup.errors import (
    BackupError,
    DestinationAbsent,
    NotConfigured,
    RepositoryCorrupted,
    RestoreConflict,
    VerifyFailed,
)
from hygie.backup.restic import (
    EXIT_INCOMPLETE_SNAPSHOT,
    Repo,
    classify,
    json_lines,
    restic_version,
    version_str,
)
from hygie.errors import UsageError
from hygie.hashing import sha256_path
from hygie.i18n import _
from hygie.paths import get_paths
from hygie.platform import system
from hygie.secrets import backend_name, get_secret, set_secret
from hygie.store import Store, open_store, utcnow

ProgressFn = Callable[[str, dict[str, Any]], None]
DEFAULT_SAMPLE = 20
# restic retries an unreachable server for ~15 min; no progress for this long = unreachable.
STALL_S = 300.0
_GLOB_CHARS = re.compile(r"[*?\[\]\\]")


def password_secret(name: str) -> str:
    return f"backup.{name}.password"


def s3_secret(name: str) -> str:
    return f"backup.{name}.s3"


def _store(store: Store | None) -> Store:
    return store if store is not None else open_store()


def require_config(store: Store) -> state.BackupConfig:
    cfg = state.load_config(store)
    if cfg is None or not cfg.destinations:
        raise NotConfigured(detail="")
    return cfg


def open_repo(dest: Destination, url: str | None = None) -> Repo:
    """The restic repository of a destination, with its password and credentials."""
    password = get_secret(password_secret(dest.name))
    if password is None:
        raise NotConfigured(
            detail=_(" (mot de passe de « {name} » introuvable)").format(name=dest.name)
        )
    env: dict[str, str] = {}
    if dest.kind == KIND_S3:
        raw = get_secret(s3_secret(dest.name))
        if raw:
            creds = json.loads(raw)
            env["AWS_ACCESS_KEY_ID"] = str(creds.get("access_key_id", ""))
            env["AWS_SECRET_ACCESS_KEY"] = str(creds.get("secret_access_key", ""))
    return Repo(dest.name, url or dest.url, password, env, restic_version())


# --- setup ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupResult:
    sources: tuple[str, ...]
    destinations: tuple[Destination, ...]
    restic_version: str
    secrets_backend: str
    sheet_html: str
    sheet_pdf: str
    created: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "destinations": [d.to_dict() for d in self.destinations],
            "restic_version": self.restic_version,
            "secrets_backend": self.secrets_backend,
            "recovery_sheet": {"html": self.sheet_html, "pdf": self.sheet_pdf},
            "created": list(self.created),
        }


def _name_for(kind: str, removable: bool, taken: set[str]) -> str:
    base = {"local": "disque" if removable else "local"}.get(kind, kind)
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    return name


def setup(
    sources: Sequence[str],
    destinations: Sequence[str],
    *,
    retention: dict[str, int] | None = None,
    removable: bool | None = None,
    sheet_dir: Path | None = None,
    pdf: bool = True,
    store: Store | None = None,
) -> SetupResult:
    """Configure the sources and destinations, create one repository per destination."""
    st = _store(store)
    version = restic_version()
    if not sources:
        raise UsageError(detail=_("indiquez au moins un dossier à sauvegarder (--source)"))
    if not destinations:
        raise UsageError(detail=_("indiquez au moins une destination (--destination)"))
    srcs: list[str] = []
    for s in sources:
        p = Path(s).expanduser().resolve()
        if not p.exists():
            raise UsageError(detail=_("le dossier à sauvegarder {p} n'existe pas").format(p=p))
        srcs.append(str(p))
    previous = state.load_config(st)
    prev_by_url = {d.url: d for d in previous.destinations} if previous else {}
    taken: set[str] = set()
    dests: list[Destination] = []
    created: list[str] = []
    for arg in destinations:
        kind, url = parse_destination(arg)
        old = prev_by_url.get(url)
        if kind == KIND_LOCAL:
            parent = Path(url).parent
            if not parent.exists():
                raise DestinationAbsent(destination=url, label=str(parent), detail="")
            Path(url).mkdir(parents=True, exist_ok=True)
            probe = describe_local("x", url, force_removable=removable)
            is_removable = probe.removable
        else:
            probe = Destination("x", kind, url)
            is_removable = False
        name = old.name if old is not None else _name_for(kind, is_removable, taken)
        taken.add(name)
        dest = Destination(
            name, kind, url, probe.removable, probe.fs_uuid, probe.fs_label, probe.subpath
        )
        if kind == KIND_S3:
            key = os.environ.get("AWS_ACCESS_KEY_ID", "")
            secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
            if not key or not secret:
                if get_secret(s3_secret(name)) is None:
                    raise UsageError(
                        detail=_(
                            "pour une destination S3, définissez AWS_ACCESS_KEY_ID et "
                            "AWS_SECRET_ACCESS_KEY avant « hygie backup setup »"
                        )
                    )
            else:
                set_secret(
                    s3_secret(name),
                    json.dumps({"access_key_id": key, "secret_access_key": secret}),
                )
        if get_secret(password_secret(name)) is None:
            set_secret(password_secret(name), pysecrets.token_urlsafe(32))
        repo = open_repo(dest, resolve(dest))
        was_created, repo_id = repo.init(version)
        if was_created:
            created.append(name)
        dests.append(
            Destination(
                name,
                kind,
                url,
                dest.removable,
                dest.fs_uuid,
                dest.fs_label,
                dest.subpath,
                repo_id,
            )
        )
    cfg = state.BackupConfig(
        tuple(srcs),
        tuple(dests),
        dict(retention or state.DEFAULT_RETENTION),
        previous.created_at if previous and previous.created_at else utcnow(),
    )
    state.save_config(st, cfg)
    for d in dests:
        if state.last_prune(st, d.name) is None:
            state.set_last_prune(st, d.name)
        if state.last_forget(st, d.name) is None:
            state.set_last_forget(st, d.name)
    from hygie.backup.sheet import write_sheet

    html_path, pdf_path = write_sheet(cfg, sheet_dir, pdf=pdf)
    return SetupResult(
        cfg.sources,
        cfg.destinations,
        version_str(version),
        backend_name(),
        str(html_path),
        str(pdf_path) if pdf_path else "",
        tuple(created),
    )


def set_password(name: str, password: str, *, store: Store | None = None) -> str:
    """Store the password of an existing repository (from the recovery sheet) after checking
    that it opens the repository; returns the repository id."""
    st = _store(store)
    cfg = require_config(st)
    dest = _select(cfg, name)[0]
    env_repo = open_repo(dest, resolve(dest)) if get_secret(password_secret(name)) else None
    extra = dict(env_repo.extra_env) if env_repo else {}
    repo = Repo(dest.name, resolve(dest), password.strip(), extra, restic_version())
    repo_id = repo.repo_id()  # raises WrongPassword when it does not open the repository
    set_secret(password_secret(name), password.strip())
    return repo_id


# --- run -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DestinationOutcome:
    """What one operation did on one destination (backup or verify)."""

    destination: str
    status: str  # "ok" | "absent" | "error" | "failed"
    removable: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "status": self.status,
            "removable": self.removable,
            "details": dict(self.details),
            "error": self.error,
        }


@dataclass(frozen=True)
class BatchResult:
    operation: str
    outcomes: tuple[DestinationOutcome, ...]
    duration_s: float

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o.status == "ok" for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0 when every destination succeeded, else the first failure's code (band 10-19)."""
        for o in self.outcomes:
            if o.status != "ok":
                return o.exit_code or 17
        return 0

    @property
    def status(self) -> str:
        if self.ok:
            return "success"
        if any(o.status == "ok" for o in self.outcomes):
            return "partial"
        return "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "ok": self.ok,
            "duration_s": round(self.duration_s, 3),
            "destinations": [o.to_dict() for o in self.outcomes],
        }


def _failure(dest: Destination, exc: BackupError, details: dict[str, Any]) -> DestinationOutcome:
    status = "absent" if isinstance(exc, DestinationAbsent) else "error"
    if isinstance(exc, RepositoryCorrupted | VerifyFailed):
        status = "failed"
    return DestinationOutcome(
        dest.name, status, dest.removable, details, exc.to_dict(), exc.exit_code
    )


def _forget(repo: Repo, dest: Destination, cfg: state.BackupConfig, st: Store) -> dict[str, Any]:
    """Apply the retention policy, at most once a day (daily granularity needs no more), and
    prune once a week; ``unlock`` first since both need an exclusive lock."""
    last_forget = state.last_forget(st, dest.name)
    if last_forget is not None and (
        dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last_forget)
    ) < dt.timedelta(hours=state.FORGET_EVERY_HOURS):
        return {"ok": True, "skipped": True, "pruned": False, "removed": 0}
    args = ["forget", "--json", *repo.exclusive_flags()]
    for k in ("last", "daily", "weekly", "monthly", "yearly"):
        n = cfg.retention.get(k)
        if n:
            args += [f"--keep-{k}", str(n)]
    last = state.last_prune(st, dest.name)
    prune = last is None or (
        dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last)
    ) >= dt.timedelta(days=state.PRUNE_EVERY_DAYS)
    if prune:
        args.append("--prune")
    repo.unlock()  # forget/prune need an exclusive lock
    cp = repo.call(args, timeout=3600)
    if not cp.ok:
        return {
            "ok": False,
            "pruned": False,
            "error": classify(cp, dest.name, operation="forget").code,
        }
    state.set_last_forget(st, dest.name)
    if prune:
        state.set_last_prune(st, dest.name)
    removed = 0
    for group in json_lines(cp.stdout):
        removed += len(group.get("remove") or [])
    with contextlib.suppress(ValueError):
        data = json.loads(cp.stdout.splitlines()[0]) if cp.stdout else []
        if isinstance(data, list):
            removed = sum(len(g.get("remove") or []) for g in data if isinstance(g, dict))
    return {"ok": True, "pruned": prune, "removed": removed}


def stall_s() -> float:
    """Seconds without any restic progress before giving up (HYGIE_BACKUP_STALL_S)."""
    try:
        return max(1.0, float(os.environ.get("HYGIE_BACKUP_STALL_S", STALL_S)))
    except ValueError:
        return STALL_S


def backup_one(
    dest: Destination,
    cfg: state.BackupConfig,
    st: Store,
    progress: ProgressFn | None = None,
    *,
    forget: bool = True,
    devices: list[Any] | None = None,
) -> DestinationOutcome:
    started = utcnow()
    t0 = time.monotonic()
    try:
        url = resolve(dest, devices)
        if dest.removable:
            state.record_mount(st, dest.name, True, "run")
        repo = open_repo(dest, url)
        summary: dict[str, Any] = {}
        errors: list[str] = []

        def on_line(line: str) -> None:
            for obj in json_lines(line):
                kind = obj.get("message_type")
                if kind == "summary":
                    summary.update(obj)
                elif kind == "error":
                    item = obj.get("item") or ""
                    errors.append(str(item))
                if progress is not None:
                    progress(dest.name, obj)

        cp = repo.call(
            ["backup", "--json", *cfg.sources], on_line=on_line, timeout=None, stall_s=stall_s()
        )
        incomplete = cp.returncode == EXIT_INCOMPLETE_SNAPSHOT and bool(summary.get("snapshot_id"))
        if not (cp.ok or incomplete) or not summary.get("snapshot_id"):
            raise classify(cp, dest.name, operation="backup")
        details: dict[str, Any] = {
            "snapshot_id": summary.get("snapshot_id"),
            "files_new": summary.get("files_new", 0),
            "files_changed": summary.get("files_changed", 0),
            "files": summary.get("total_files_processed", 0),
            "bytes": summary.get("total_bytes_processed", 0),
            "data_added": summary.get("data_added", 0),
            "incomplete": incomplete,
            "unreadable": len(errors),
            "duration_s": round(time.monotonic() - t0, 3),
        }
        state.record_run(st, dest.name, "backup", started, True, details)
        if forget:
            if progress is not None:
                progress(dest.name, {"message_type": "phase", "phase": "forget"})
            details["retention"] = _forget(repo, dest, cfg, st)
        return DestinationOutcome(dest.name, "ok", dest.removable, details)
    except BackupError as exc:
        details = {"duration_s": round(time.monotonic() - t0, 3)}
        state.record_run(st, dest.name, "backup", started, False, details, exc.code)
        return _failure(dest, exc, details)


def run(
    *,
    progress: ProgressFn | None = None,
    only: str | None = None,
    forget: bool = True,
    store: Store | None = None,
) -> BatchResult:
    """Back up every configured destination that is reachable (each its own repository)."""
    st = _store(store)
    cfg = require_config(st)
    restic_version()
    t0 = time.monotonic()
    dests = _select(cfg, only)
    devices = block_devices() if any(d.removable for d in dests) else None
    outcomes = tuple(
        backup_one(d, cfg, st, progress, forget=forget, devices=devices) for d in dests
    )
    return BatchResult("backup", outcomes, time.monotonic() - t0)


def _select(cfg: state.BackupConfig, only: str | None) -> tuple[Destination, ...]:
    if only is None:
        return cfg.destinations
    d = cfg.destination(only)
    if d is None:
        names = ", ".join(x.name for x in cfg.destinations)
        raise NotConfigured(
            detail=_(" pour « {name} » (destinations : {names})").format(name=only, names=names)
        )
    return (d,)


def eject(dest: Destination) -> bool:
    """Unmount a removable destination (on request, after a successful run)."""
    devices = block_devices()
    if devices is None:
        return False
    from hygie.backup.destinations import find_disk

    disk = find_disk(dest, devices)
    if disk is None or not disk.target:
        return True
    cp = proc.run(["udisksctl", "unmount", "-b", disk.source], timeout=60)
    if not cp.ok:
        cp = proc.run(["umount", disk.target], timeout=60)
    return cp.ok


# --- verify --------------------------------------------------------------------------
def parse_rfc3339_ns(text: str) -> int | None:
    """restic's node times (``2026-11-29T09:58:57.862896218+01:00``) -> ns since epoch."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$", text)
    if not m:
        return None
    tz = "+00:00" if m[3] == "Z" else m[3]
    base = dt.datetime.fromisoformat(m[1] + tz)
    frac = int((m[2] or "0").ljust(9, "0"))
    return int(base.timestamp()) * 1_000_000_000 + frac


def _sha256(path: Path) -> str:
    return sha256_path(path)


def _unchanged(node: dict[str, Any]) -> bool:
    path = str(node.get("path", ""))
    try:
        stt = os.stat(path)
    except OSError:
        return False
    mtime = parse_rfc3339_ns(str(node.get("mtime", "")))
    return stt.st_size == int(node.get("size", -1)) and mtime == stt.st_mtime_ns


def _snapshot_nodes(repo: Repo, dest: Destination) -> tuple[str, list[dict[str, Any]]]:
    ls = repo.call(["--no-lock", "ls", "--json", "latest"], timeout=None)
    if not ls.ok:
        if "no snapshot" in ls.stderr.lower():
            raise VerifyFailed(destination=dest.name, detail=_("aucune sauvegarde à vérifier"))
        raise classify(ls, dest.name, operation="restore")
    snap_id = ""
    nodes: list[dict[str, Any]] = []
    for obj in json_lines(ls.stdout):
        if obj.get("struct_type") == "snapshot" and not snap_id:
            snap_id = str(obj.get("id", ""))
        elif obj.get("struct_type") == "node" and obj.get("type") == "file":
            nodes.append(obj)
    if not snap_id:
        raise VerifyFailed(destination=dest.name, detail=_("aucune sauvegarde à vérifier"))
    return snap_id, nodes


# (source file, restored file, expected size, expected mtime in ns)
Pair = tuple[Path, Path, int, int]


def _restore_sample(
    repo: Repo,
    dest: Destination,
    tmp: Path,
    details: dict[str, Any],
    sample: int,
    rng: random.Random | None,
    progress: ProgressFn | None,
) -> tuple[list[Pair], BackupError | None]:
    """Restore a random sample of the files unchanged since the latest snapshot."""
    snap_id, nodes = _snapshot_nodes(repo, dest)
    details["snapshot_id"] = snap_id[:8]
    candidates = [nd for nd in nodes if not _GLOB_CHARS.search(str(nd["path"])) and _unchanged(nd)]
    details["files_in_snapshot"] = len(nodes)
    details["unchanged_since_snapshot"] = len(candidates)
    chosen = (
        candidates
        if len(candidates) <= sample
        else (rng or random.SystemRandom()).sample(candidates, sample)
    )
    if progress is not None:
        progress(dest.name, {"message_type": "phase", "phase": "restore", "files": len(chosen)})
    err: BackupError | None = None
    if chosen:
        args = ["--no-lock", "restore", snap_id, "--target", str(tmp)]
        for nd in chosen:
            args += ["--include", str(nd["path"])]
        rc = repo.call(args, timeout=None)
        if not rc.ok:
            err = classify(rc, dest.name, operation="restore")
    pairs = [
        (
            Path(str(nd["path"])),
            tmp / str(nd["path"]).lstrip("/"),
            int(nd.get("size", 0)),
            parse_rfc3339_ns(str(nd.get("mtime", ""))) or 0,
        )
        for nd in chosen
    ]
    return pairs, err


_SNAP_RE = re.compile(r"restoring <Snapshot ([0-9a-f]+)")


def _restore_all(
    repo: Repo,
    dest: Destination,
    tmp: Path,
    details: dict[str, Any],
    progress: ProgressFn | None,
) -> tuple[list[Pair], BackupError | None]:
    """Restore the whole latest snapshot. restic restores sizes and mtimes, so a restored
    file whose source still has the same size and mtime is compared by content."""
    if progress is not None:
        progress(dest.name, {"message_type": "phase", "phase": "restore", "files": -1})
    rc = repo.call(["--no-lock", "restore", "latest", "--target", str(tmp)], timeout=None)
    err: BackupError | None = None
    if not rc.ok:
        if "no snapshot" in rc.stderr.lower():
            raise VerifyFailed(destination=dest.name, detail=_("aucune sauvegarde à vérifier"))
        err = classify(rc, dest.name, operation="restore")
    m = _SNAP_RE.search(rc.stdout)
    details["snapshot_id"] = m[1] if m else ""
    pairs: list[Pair] = []
    restored_files = 0
    for root, _dirs, names in os.walk(tmp):
        for n in names:
            restored = Path(root) / n
            restored_files += 1
            try:
                stt = restored.lstat()
            except OSError:
                continue
            if not restored.is_file() or restored.is_symlink():
                continue
            src = Path("/") / restored.relative_to(tmp)
            pairs.append((src, restored, stt.st_size, stt.st_mtime_ns))
    details["files_in_snapshot"] = restored_files
    return pairs, err


class SourceHashes:
    """SHA-256 of the source files, computed in background threads while restic restores
    (the source does not depend on the restore): the comparison then only hashes the
    restored side. Each digest is kept with the size and mtime seen when it was read."""

    def __init__(self, sources: Sequence[str], workers: int = 1) -> None:
        self._pool = cf.ThreadPoolExecutor(max_workers=workers)
        self._futures: dict[str, cf.Future[tuple[int, int, str] | None]] = {}
        self._stop = False
        self._walker = self._pool.submit(self._walk, list(sources))

    def _walk(self, sources: list[str]) -> None:
        for root in sources:
            for dirpath, _dirs, names in os.walk(root):
                for n in names:
                    if self._stop:
                        return
                    p = os.path.join(dirpath, n)
                    self._futures[p] = self._pool.submit(self._hash, p)

    @staticmethod
    def _hash(path: str) -> tuple[int, int, str] | None:
        try:
            before = os.stat(path)
            digest = _sha256(Path(path))
            after = os.stat(path)
        except OSError:
            return None
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
            return None
        return after.st_size, after.st_mtime_ns, digest

    def get(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The digest if it was computed for exactly this size and mtime, else None."""
        self._walker.result()
        fut = self._futures.get(path)
        if fut is None or fut.cancel():  # not started yet: the caller hashes it itself
            return None
        got = fut.result()
        if got is None or got[:2] != (size, mtime_ns):
            return None
        return got[2]

    def close(self) -> None:
        self._stop = True
        for fut in self._futures.values():
            fut.cancel()
        self._pool.shutdown(wait=True)


def _same_stat(path: Path, size: int, mtime_ns: int) -> bool:
    try:
        stt = path.stat()
    except OSError:
        return False
    return stt.st_size == size and stt.st_mtime_ns == mtime_ns


def _compare(pairs: list[Pair], hashes: SourceHashes | None = None) -> tuple[int, int, list[str]]:
    """SHA-256 of each restored file against its source, when the source is unchanged."""

    def one(pair: Pair) -> tuple[str, str, int]:
        src, restored, size, mtime = pair
        if not _same_stat(src, size, mtime):  # changed since the snapshot: not comparable
            return ("skipped", str(src), 0)
        if not restored.is_file():
            return ("missing", str(src), 0)
        digest = _sha256(restored)
        with contextlib.suppress(OSError):  # free the space as we go
            restored.unlink()
        if not _same_stat(src, size, mtime):  # changed while we verified
            return ("skipped", str(src), 0)
        known = hashes.get(str(src), size, mtime) if hashes is not None else None
        source_digest = known or _sha256(src)
        return ("ok" if digest == source_digest else "mismatch", str(src), size)

    checked = checked_bytes = 0
    mismatches: list[str] = []
    with cf.ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        # largest first: a big file hashed last would leave the other worker idle
        ordered = sorted(pairs, key=lambda p: p[2], reverse=True)
        for verdict, path, size in pool.map(one, ordered):
            if verdict == "skipped":
                continue
            checked += 1
            if verdict == "ok":
                checked_bytes += size
            else:
                mismatches.append(path)
    return checked, checked_bytes, mismatches


# Scratch space for the test restore. The restored copy is read once and deleted: it never
# needs to reach a disk. On the 2-CPU VM, restic writing 1 GiB into ext4 cost 4-7 s of
# mostly kernel time (and varied 2x between runs); into tmpfs it took 2.3-2.6 s (see
# docs/benchmarks.md ## backup). So a RAM-backed folder is used when it clearly has room.
SCRATCH_ENV = "HYGIE_VERIFY_SCRATCH"  # a folder to use instead (tests: tmp_path)
_RAM_DIRS = ("/dev/shm",)
_RAM_HEADROOM = 512 * 1024 * 1024


def _mem_available(meminfo: Path = Path("/proc/meminfo")) -> int:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_bytes(sources: Sequence[str]) -> int:
    total = 0
    for root in sources:
        for dirpath, _dirs, names in os.walk(root):
            for n in names:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(dirpath, n)).st_size
    return total


def scratch_roots(
    expected_bytes: int | None,
    *,
    ram_dirs: Sequence[str] | None = None,
    mem_available: Callable[[], int] = _mem_available,
) -> list[Path]:
    """Folders to restore into, best first: a RAM-backed one (tmpfs) when it has room for
    twice the expected size and the memory is available, then hygie's cache folder."""
    disk = get_paths().cache_dir / "verify"
    override = os.environ.get(SCRATCH_ENV)
    if override:
        return [Path(override)]
    roots: list[Path] = []
    if expected_bytes is not None and expected_bytes >= 0:
        need = 2 * expected_bytes + _RAM_HEADROOM
        for d in _RAM_DIRS if ram_dirs is None else ram_dirs:
            free = system().free_space(d)
            if free is None:
                continue
            if not os.access(d, os.W_OK | os.X_OK):
                continue
            if free >= need and mem_available() >= need:
                roots.append(Path(d))
                break
    roots.append(disk)
    return roots


def _restore_and_compare(
    repo: Repo,
    dest: Destination,
    details: dict[str, Any],
    timings: dict[str, float],
    *,
    full: bool,
    sample: int,
    rng: random.Random | None,
    progress: ProgressFn | None,
    sources: Sequence[str] = (),
) -> tuple[list[Pair], BackupError | None, int, int, list[str]]:
    hashes = SourceHashes(sources) if full and sources else None
    roots = scratch_roots(_tree_bytes(sources) if full and sources else None)
    try:
        for i, tmp_root in enumerate(roots):
            last = i == len(roots) - 1
            tmp_root.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.TemporaryDirectory(dir=tmp_root, prefix="hygie-verify-") as tmp:
                tick = time.monotonic()
                if full:
                    pairs, restore_err = _restore_all(repo, dest, Path(tmp), details, progress)
                else:
                    pairs, restore_err = _restore_sample(
                        repo, dest, Path(tmp), details, sample, rng, progress
                    )
                timings["restore"] = round(time.monotonic() - tick, 3)
                if restore_err is not None and not last:
                    # a RAM folder may have filled up meanwhile: redo it on disk
                    continue
                details["scratch"] = "ram" if str(tmp_root) in _RAM_DIRS else "disk"
                tick = time.monotonic()
                checked, checked_bytes, mismatches = _compare(pairs, hashes)
                timings["compare"] = round(time.monotonic() - tick, 3)
                tick = time.monotonic()
            timings["cleanup"] = round(time.monotonic() - tick, 3)
            break
    finally:
        if hashes is not None:
            hashes.close()
    return pairs, restore_err, checked, checked_bytes, mismatches


def verify_one(
    dest: Destination,
    st: Store,
    *,
    full: bool = False,
    sample: int = DEFAULT_SAMPLE,
    progress: ProgressFn | None = None,
    devices: list[Any] | None = None,
    rng: random.Random | None = None,
    sources: Sequence[str] = (),
) -> DestinationOutcome:
    started = utcnow()
    t0 = time.monotonic()
    details: dict[str, Any] = {"full": full}
    try:
        url = resolve(dest, devices)
        repo = open_repo(dest, url)
        timings: dict[str, float] = {}
        details["timings_s"] = timings
        n = state.next_subset(st, dest.name)
        subset = f"{n}/{state.SUBSET_PARTS}"
        details["read_data_subset"] = subset
        if progress is not None:
            progress(dest.name, {"message_type": "phase", "phase": "check", "subset": subset})
        check_started = time.monotonic()

        def run_check() -> proc.Completed:
            args = ["check", *repo.exclusive_flags(), "--read-data-subset", subset]
            # check needs an exclusive lock; a killed restic leaves a stale one. restic < 0.16
            # fails at once on it: remove it only when met, which saves a key derivation
            # (~0.5 s of CPU) in the usual case. With --retry-lock, unlock first (no waiting).
            retry_lock = bool(repo.exclusive_flags())
            if retry_lock:
                tick = time.monotonic()
                repo.unlock()
                timings["unlock"] = round(time.monotonic() - tick, 3)
            cp = repo.call(args, timeout=None)
            if not cp.ok and not retry_lock and "already locked" in cp.stderr.lower():
                tick = time.monotonic()
                repo.unlock()
                timings["unlock"] = round(time.monotonic() - tick, 3)
                details["stale_lock_removed"] = True
                cp = repo.call(args, timeout=None)
            timings["check"] = round(time.monotonic() - check_started, 3)
            return cp

        # The data check (exclusive lock) runs while the test restore (read-only,
        # --no-lock) goes on: measured on 2 CPUs, running them (and the source hashing)
        # concurrently adds 0.1-0.4 s to a 1 GiB restore into RAM, less than running them
        # after it would cost.
        with cf.ThreadPoolExecutor(max_workers=1) as checker:
            check_future = checker.submit(run_check)
            pairs, restore_err, checked, checked_bytes, mismatches = _restore_and_compare(
                repo,
                dest,
                details,
                timings,
                full=full,
                sample=sample,
                rng=rng,
                progress=progress,
                sources=sources,
            )
            cp = check_future.result()
        if not cp.ok:
            err = classify(cp, dest.name, operation="check")
            if err.code == "backup_failed":
                err = RepositoryCorrupted(destination=dest.name, detail=err.params.get("detail"))
            raise err
        details.update(
            {
                "files_checked": checked,
                "bytes_checked": checked_bytes,
                "mismatches": len(mismatches),
                "duration_s": round(time.monotonic() - t0, 3),
            }
        )
        if mismatches or restore_err is not None:
            if restore_err is not None and restore_err.code != "backup_failed":
                raise restore_err
            raise RepositoryCorrupted(
                destination=dest.name,
                detail=_("{n} fichier(s) restauré(s) différent(s) de l'original").format(
                    n=len(mismatches)
                )
                if mismatches
                else str(restore_err),
            )
        if checked == 0 and pairs:
            raise VerifyFailed(
                destination=dest.name,
                detail=_("aucun fichier comparable (tous modifiés depuis la sauvegarde)"),
            )
        state.record_run(st, dest.name, "verify", started, True, details)
        return DestinationOutcome(dest.name, "ok", dest.removable, details)
    except BackupError as exc:
        details["duration_s"] = round(time.monotonic() - t0, 3)
        if not isinstance(exc, DestinationAbsent):
            state.record_run(st, dest.name, "verify", started, False, details, exc.code)
        return _failure(dest, exc, details)


def verify(
    *,
    full: bool = False,
    sample: int = DEFAULT_SAMPLE,
    only: str | None = None,
    progress: ProgressFn | None = None,
    store: Store | None = None,
) -> BatchResult:
    """The restore test of every destination; ok only when every destination passed."""
    st = _store(store)
    cfg = require_config(st)
    restic_version()
    t0 = time.monotonic()
    dests = _select(cfg, only)
    devices = block_devices() if any(d.removable for d in dests) else None
    outcomes = tuple(
        verify_one(
            d,
            st,
            full=full,
            sample=sample,
            progress=progress,
            devices=devices,
            sources=cfg.sources,
        )
        for d in dests
    )
    return BatchResult("verify", outcomes, time.monotonic() - t0)


# --- restore -------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreResult:
    destination: str
    snapshot: str
    target: str
    paths: tuple[str, ...]
    files: int
    bytes: int
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "snapshot": self.snapshot,
            "target": self.target,
            "paths": list(self.paths),
            "files": self.files,
            "bytes": self.bytes,
            "duration_s": round(self.duration_s, 3),
        }


def restore(
    target: Path,
    *,
    snapshot: str = "latest",
    destination: str | None = None,
    paths: Sequence[str] = (),
    store: Store | None = None,
) -> RestoreResult:
    """Restore a snapshot (or chosen paths) into ``target``, which must be empty or new."""
    st = _store(store)
    cfg = require_config(st)
    restic_version()
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RestoreConflict(target=str(target))
    if destination is not None:
        dests = _select(cfg, destination)
    else:  # the first destination that is present
        devices = block_devices() if any(d.removable for d in cfg.destinations) else None
        present = []
        for d in cfg.destinations:
            with contextlib.suppress(BackupError):
                resolve(d, devices)
                present.append(d)
        if not present:
            d0 = cfg.destinations[0]
            raise DestinationAbsent(destination=d0.name, label=d0.disk_label, detail="")
        dests = (present[0],)
    dest = dests[0]
    repo = open_repo(dest, resolve(dest))
    t0 = time.monotonic()
    target.mkdir(parents=True, exist_ok=True)
    args = ["--no-lock", "restore", snapshot, "--target", str(target)]
    for p in paths:
        args += ["--include", str(Path(p).expanduser().absolute())]
    cp = repo.call(args, timeout=None)
    if not cp.ok:
        raise classify(cp, dest.name, operation="restore")
    files = size = 0
    for root, _dirs, names in os.walk(target):
        for n in names:
            files += 1
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(root, n)).st_size
    return RestoreResult(
        dest.name, snapshot, str(target), tuple(paths), files, size, time.monotonic() - t0
    )


# --- status --------------------------------------------------------------------------
@dataclass(frozen=True)
class DestinationStatus:
    name: str
    kind: str
    location: str
    removable: bool
    offsite: bool
    present: bool
    last_backup: dict[str, Any] | None
    last_success: str | None
    last_verify: dict[str, Any] | None
    snapshots: int | None
    size_bytes: int | None
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "removable": self.removable,
            "offsite": self.offsite,
            "present": self.present,
            "last_backup": self.last_backup,
            "last_success": self.last_success,
            "last_verify": self.last_verify,
            "snapshots": self.snapshots,
            "size_bytes": self.size_bytes,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class StatusResult:
    configured: bool
    sources: tuple[str, ...]
    restic_version: str
    secrets_backend: str
    destinations: tuple[DestinationStatus, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "sources": list(self.sources),
            "restic_version": self.restic_version,
            "secrets_backend": self.secrets_backend,
            "destinations": [d.to_dict() for d in self.destinations],
        }


def status(*, live: bool = True, store: Store | None = None) -> StatusResult:
    """Per destination: last backup, last verified restore, size, snapshots, disk present."""
    st = _store(store)
    cfg = state.load_config(st)
    try:
        version = version_str(restic_version())
    except BackupError:
        version = ""
    if cfg is None:
        return StatusResult(False, (), version, backend_name(), ())
    devices = block_devices() if any(d.removable for d in cfg.destinations) else None
    out = []
    for d in cfg.destinations:
        present, problem = True, ""
        snaps: int | None = None
        size: int | None = None
        try:
            url = resolve(d, devices)
            if live and version:
                repo = open_repo(d, url)
                snaps = len(repo.snapshots())
                size = int(repo.stats_raw().get("total_size", 0))
        except DestinationAbsent as exc:
            present, problem = False, exc.render()
        except BackupError as exc:
            problem = exc.render()
            if exc.code == "destination_unreachable":
                present = False
        lb = state.last_run(st, d.name, "backup")
        ls = state.last_run(st, d.name, "backup", ok_only=True)
        lv = state.last_run(st, d.name, "verify")
        out.append(
            DestinationStatus(
                d.name,
                d.kind,
                d.url,
                d.removable,
                d.offsite,
                present,
                lb.to_dict() if lb else None,
                ls.finished_at if ls else None,
                lv.to_dict() if lv else None,
                snaps,
                size,
                problem,
            )
        )
    return StatusResult(True, cfg.sources, version, backend_name(), tuple(out))


def which_restic() -> str | None:
    return shutil.which("restic")
