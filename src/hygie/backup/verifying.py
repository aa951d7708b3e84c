"""``backup verify``: the restore test, and what makes a failure stick.

A sampled test restores a random sample of the files unchanged since the latest snapshot and
compares them with the originals (SHA-256), while ``restic check`` reads a rotating
thirtieth of the packs and, for a local repository, hygie proves every repository file not
yet proved intact by its SHA-256 name (:mod:`hygie.backup.packs`). A full test restores and
compares everything and reads every pack.

Fail closed and stay closed: a test that finds damage marks the destination damaged
(:func:`hygie.backup.state.mark_damaged`); from then on a passing sampled test still fails
(:class:`RepositoryDamaged`), and only a full test passing after a repair
(:mod:`hygie.backup.repairing`) clears it. A test that compared no file is a failure.
See docs/explanation/backup-verify.md.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import os
import random
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.backup import children, packs, state
from hygie.backup.destinations import KIND_LOCAL, Destination, block_devices, resolve
from hygie.backup.errors import (
    BackupError,
    BackupInterrupted,
    DestinationAbsent,
    RepositoryCorrupted,
    RepositoryDamaged,
    VerifyFailed,
)
from hygie.backup.lock import destination_lock
from hygie.backup.repo import (
    DEFAULT_SAMPLE,
    BatchResult,
    DestinationOutcome,
    ProgressFn,
    failure,
    get_store,
    open_repo,
    require_config,
    select,
)
from hygie.backup.restic import Repo, classify, json_lines, restic_version
from hygie.backup.winpaths import native_from_restored, restored_location, to_native
from hygie.hashing import sha256_path
from hygie.i18n import _
from hygie.paths import get_paths
from hygie.platform import current, system
from hygie.store import Store, utcnow

__all__ = ["SourceHashes", "scratch_roots", "verify", "verify_one"]

_GLOB_CHARS = re.compile(r"[*?\[\]\\]")


def _windows() -> bool:
    return current() == "windows"


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
    path = to_native(str(node.get("path", "")), windows=_windows())
    try:
        stt = os.stat(path)
    except OSError:
        return False
    mtime = parse_rfc3339_ns(str(node.get("mtime", "")))
    return stt.st_size == int(node.get("size", -1)) and mtime == stt.st_mtime_ns


# (source file, restored file, expected size, expected mtime in ns)
Pair = tuple[Path, Path, int, int]


def parse_ls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Pure: ``restic ls --json SNAPSHOT`` -> (snapshot id, its file nodes)."""
    snap_id = ""
    nodes: list[dict[str, Any]] = []
    for obj in json_lines(text):
        if obj.get("struct_type") == "snapshot" and not snap_id:
            snap_id = str(obj.get("id", ""))
        elif obj.get("struct_type") == "node" and obj.get("type") == "file":
            nodes.append(obj)
    return snap_id, nodes


def sample_pairs(nodes: list[dict[str, Any]], tmp: Path, *, windows: bool) -> list[Pair]:
    """Pure: each chosen node's (source under its own OS name, place restic restores it
    to under ``tmp``, size, mtime)."""
    return [
        (
            Path(to_native(str(nd["path"]), windows=windows)),
            restored_location(tmp, str(nd["path"])),
            int(nd.get("size", 0)),
            parse_rfc3339_ns(str(nd.get("mtime", ""))) or 0,
        )
        for nd in nodes
    ]


def _snapshot_nodes(repo: Repo, dest: Destination) -> tuple[str, list[dict[str, Any]]]:
    ls = repo.call(["--no-lock", "ls", "--json", "latest"], timeout=None)
    if not ls.ok:
        if "no snapshot" in ls.stderr.lower():
            raise VerifyFailed(destination=dest.name, detail=_("aucune sauvegarde à vérifier"))
        raise classify(ls, dest.name, operation="restore")
    snap_id, nodes = parse_ls(ls.stdout)
    if not snap_id:
        raise VerifyFailed(destination=dest.name, detail=_("aucune sauvegarde à vérifier"))
    return snap_id, nodes


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
    return sample_pairs(chosen, tmp, windows=_windows()), err


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
    windows = _windows()
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
            src = Path(native_from_restored(restored.relative_to(tmp).parts, windows=windows))
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
        # /dev/shm is Linux's; Windows and macOS have no RAM folder for everyone
        default_ram = _RAM_DIRS if current() == "linux" else ()
        for d in default_ram if ram_dirs is None else ram_dirs:
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


def require_compared(destination: str, checked: int, pairs: Sequence[Pair]) -> None:
    """Examining nothing is never a pass, on any system: a test that compared no file with
    its original fails (on Windows that is what an unmapped ``/C/…`` path gave)."""
    if checked == 0:
        raise VerifyFailed(
            destination=destination,
            detail=_("aucun fichier comparable (tous modifiés depuis la sauvegarde)")
            if pairs
            else _("aucun fichier n'a pu être comparé à son original"),
        )


def _check_args(repo: Repo, full: bool, local: bool, subset: str) -> list[str]:
    """A full test of a network repository reads every pack through restic; a local one's
    packs are proved by hygie (:mod:`hygie.backup.packs`), so restic reads a thirtieth."""
    if full and not local:
        return ["check", *repo.exclusive_flags(), "--read-data"]
    return ["check", *repo.exclusive_flags(), "--read-data-subset", subset]


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
        if children.interrupted():
            raise BackupInterrupted(
                destination=dest.name, detail=_("hygie a été arrêté avant de commencer")
            )
        with destination_lock(dest.name, "verify"):
            _verify_locked(dest, st, details, full, sample, progress, devices, rng, sources, t0)
        details["duration_s"] = round(time.monotonic() - t0, 3)
        damaged = state.damage(st, dest.name)
        if damaged is not None:
            if not (full and damaged.repaired_at):
                details["damaged_since"] = damaged.since
                raise RepositoryDamaged(
                    destination=dest.name,
                    since=damaged.since[:10],
                    detail=_(
                        "ce test complet a réussi, mais aucune réparation n'a été faite "
                        "depuis la panne"
                    )
                    if full
                    else _(
                        "ce test par échantillon a réussi, mais il ne peut pas prouver que "
                        "la sauvegarde est réparée"
                    ),
                )
            state.clear_damage(st, dest.name)
            details["damage_cleared"] = True
        state.record_run(st, dest.name, "verify", started, True, details)
        return DestinationOutcome(dest.name, "ok", dest.removable, details)
    except BackupError as exc:
        details["duration_s"] = round(time.monotonic() - t0, 3)
        if isinstance(exc, RepositoryCorrupted):
            details["damaged_since"] = state.mark_damaged(
                st, dest.name, exc.code, str(exc.params.get("detail", ""))
            ).since
        if not isinstance(exc, DestinationAbsent) and exc.code != "backup_busy":
            state.record_run(st, dest.name, "verify", started, False, details, exc.code)
        return failure(dest, exc, details)


def _verify_locked(
    dest: Destination,
    st: Store,
    details: dict[str, Any],
    full: bool,
    sample: int,
    progress: ProgressFn | None,
    devices: list[Any] | None,
    rng: random.Random | None,
    sources: Sequence[str],
    t0: float,
) -> None:
    url = resolve(dest, devices)
    repo = open_repo(dest, url)
    timings: dict[str, float] = {}
    details["timings_s"] = timings
    n = state.next_subset(st, dest.name)
    subset = f"{n}/{state.SUBSET_PARTS}"
    local = dest.kind == KIND_LOCAL
    details["read_data_subset"] = "all" if full and not local else subset
    if progress is not None:
        progress(dest.name, {"message_type": "phase", "phase": "check", "subset": subset})
    check_started = time.monotonic()

    def run_check() -> proc.Completed:
        # check needs an exclusive lock; a killed restic leaves a stale one: it is removed
        # only when met (unlock costs a key derivation, ~0.5 s of CPU, in the usual case).
        cp, unlocked = repo.call_unlocking(_check_args(repo, full, local, subset), timeout=None)
        if unlocked:
            details["stale_lock_removed"] = True
            timings["unlock"] = round(time.monotonic() - check_started, 3)
        timings["check"] = round(time.monotonic() - check_started, 3)
        return cp

    def run_packs() -> packs.PackCheck:
        tick = time.monotonic()
        got = packs.check_repository_files(Path(url), st, dest.name, full=full)
        timings["packs"] = round(time.monotonic() - tick, 3)
        return got

    # The data check (exclusive lock) and the pack hashing run while the test restore
    # (read-only, --no-lock) goes on: measured on 2 CPUs, running them (and the source
    # hashing) concurrently adds 0.1-0.4 s to a 1 GiB restore into RAM, less than running
    # them after it would cost.
    with cf.ThreadPoolExecutor(max_workers=2) as checker:
        check_future = checker.submit(run_check)
        packs_future = checker.submit(run_packs) if local else None
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
        pack_check = packs_future.result() if packs_future is not None else None
    details.update(
        {
            "files_checked": checked,
            "bytes_checked": checked_bytes,
            "mismatches": len(mismatches),
        }
    )
    if pack_check is not None:
        details["repository_files"] = pack_check.to_dict()
        if pack_check.bad or pack_check.unreadable:
            names = [*pack_check.bad, *pack_check.unreadable]
            raise RepositoryCorrupted(
                destination=dest.name,
                detail=_("{n} fichier(s) du dépôt abîmé(s) ou illisible(s) : {names}").format(
                    n=len(names), names=", ".join(x.rsplit("/", 1)[-1][:12] for x in names[:5])
                ),
            )
    if not cp.ok:
        err = classify(cp, dest.name, operation="check")
        if err.code == "backup_failed":
            err = RepositoryCorrupted(destination=dest.name, detail=err.params.get("detail"))
        raise err
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
    require_compared(dest.name, checked, pairs)


def verify(
    *,
    full: bool = False,
    sample: int = DEFAULT_SAMPLE,
    only: str | None = None,
    progress: ProgressFn | None = None,
    store: Store | None = None,
) -> BatchResult:
    """The restore test of every destination; ok only when every destination passed."""
    st = get_store(store)
    cfg = require_config(st)
    restic_version()
    t0 = time.monotonic()
    dests = select(cfg, only)
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
