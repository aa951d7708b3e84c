"""Pure parts of the repair and of the repository-file proof."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hygie.backup import packs
from hygie.backup.repairing import repair_plan
from hygie.store import open_store


def test_repair_plan_follows_restics_guide_from_0_16() -> None:
    assert repair_plan((0, 14, 0), ["ab" * 32]) == []  # no `repair` command: the fallback
    assert repair_plan((0, 16, 4), ["ab" * 32]) == [
        ["repair", "index"],
        ["repair", "packs", "ab" * 32],
        ["backup"],
        ["repair", "snapshots", "--forget"],
    ]
    # nothing known damaged by hygie (a network repository): index, backup, snapshots
    assert repair_plan((0, 18, 0), []) == [
        ["repair", "index"],
        ["backup"],
        ["repair", "snapshots", "--forget"],
    ]


def _put(repo: Path, folder: str, data: bytes, *, name: str | None = None) -> Path:
    digest = name or hashlib.sha256(data).hexdigest()
    where = repo / folder / (digest[:2] if folder == "data" else "")
    where.mkdir(parents=True, exist_ok=True)
    (where / digest).write_bytes(data)
    return where / digest


def test_repository_files_are_proved_by_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    good = [_put(repo, "data", bytes([i]) * 1000) for i in range(5)]
    _put(repo, "index", b"index")
    _put(repo, "snapshots", b"snapshot")
    (repo / "config").write_bytes(b"not named by its hash: not proved")
    (repo / "keys").mkdir()
    (repo / "keys" / "k").write_bytes(b"key")
    st = open_store()
    first = packs.check_repository_files(repo, st, "disque", full=False)
    assert (first.files, first.total_files, first.never_checked) == (7, 7, 7)
    assert first.bad == () and first.unreadable == ()
    # a byte flipped in any pack is found, with a zero budget for old files too: the flip
    # is detected the first time because files are proved again only within the budget…
    monkeypatch.setenv(packs.BUDGET_ENV, "0")
    flipped = bytearray(good[2].read_bytes())
    flipped[500] ^= 1
    good[2].write_bytes(bytes(flipped))
    quiet = packs.check_repository_files(repo, st, "disque", full=False)
    assert quiet.files == 0  # …so with no budget an old pack waits for a full test,
    full = packs.check_repository_files(repo, st, "disque", full=True)
    assert full.bad == (good[2].relative_to(repo).as_posix(),)  # which finds it
    # once found bad it is no longer "proved": the next sampled test hashes it again
    again = packs.check_repository_files(repo, st, "disque", full=False)
    assert again.bad == full.bad and again.never_checked == 1
    # new packs are always proved, whatever the budget
    new = _put(repo, "data", b"nouvelle sauvegarde")
    nxt = packs.check_repository_files(repo, st, "disque", full=False)
    assert (nxt.files, nxt.never_checked) == (2, 2)  # the new one and the bad one
    assert nxt.bad == full.bad
    # pruned packs leave the memory
    new.unlink()
    after = packs.check_repository_files(repo, st, "disque", full=True)
    assert after.total_files == 7


def test_default_budget_covers_a_small_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for i in range(3):
        _put(repo, "data", bytes([i]) * 5000)
    st = open_store()
    packs.check_repository_files(repo, st, "x", full=False)
    second = packs.check_repository_files(repo, st, "x", full=False)
    assert second.files == 3 and second.never_checked == 0  # all re-proved every time
