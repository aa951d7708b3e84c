"""Where the verify restores to: a RAM-backed folder only when it clearly has room."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.backup import verifying as engine
from hygie.paths import get_paths

GIB = 1024**3


@pytest.mark.parametrize(
    ("expected", "mem", "ram_first"),
    [
        (100 * 1024 * 1024, 8 * GIB, True),  # small snapshot, plenty of memory
        (0, 8 * GIB, True),
        (4 * GIB, 8 * GIB, False),  # twice the size plus headroom does not fit
        (100 * 1024 * 1024, 0, False),  # memory unknown: fail safe, use the disk
        (None, 8 * GIB, False),  # size unknown (sample verify): the disk
    ],
)
def test_scratch_roots_table(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    expected: int | None,
    mem: int,
    ram_first: bool,
) -> None:
    monkeypatch.delenv(engine.SCRATCH_ENV, raising=False)
    ram = tmp_path / "ram"
    ram.mkdir()
    roots = engine.scratch_roots(expected, ram_dirs=[str(ram)], mem_available=lambda: mem)
    disk = get_paths().cache_dir / "verify"
    assert roots[-1] == disk
    assert roots == ([ram, disk] if ram_first else [disk])


def test_scratch_roots_skips_missing_folder_and_honours_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(engine.SCRATCH_ENV, raising=False)
    missing = tmp_path / "nope"
    roots = engine.scratch_roots(1, ram_dirs=[str(missing)], mem_available=lambda: 8 * GIB)
    assert roots == [get_paths().cache_dir / "verify"]
    monkeypatch.setenv(engine.SCRATCH_ENV, str(tmp_path / "mine"))
    assert engine.scratch_roots(1, ram_dirs=[str(tmp_path)]) == [tmp_path / "mine"]


def test_mem_available_parses_meminfo(tmp_path: Path) -> None:
    info = tmp_path / "meminfo"
    info.write_text("MemTotal:  24000000 kB\nMemAvailable:   2048 kB\n")
    assert engine._mem_available(info) == 2048 * 1024
    assert engine._mem_available(tmp_path / "absent") == 0
