"""private_dir: every folder hygie creates is owner-only, the parents it creates included."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hygie.fileio import private_dir

posix_modes = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@posix_modes
def test_created_parents_are_owner_only_existing_ones_untouched(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir(mode=0o755)
    os.chmod(tmp_path / "home", 0o755)
    target = tmp_path / "home" / "data" / "mail-quarantine"
    assert private_dir(target) == target
    for d in (tmp_path / "home" / "data", target):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o755
    assert private_dir(target) == target  # idempotent


@posix_modes
def test_store_and_secrets_folders_are_private(
    hygie_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hygie.secrets import set_secret
    from hygie.store import open_store

    monkeypatch.setenv("HYGIE_KEYRING", "file")
    open_store().close()
    set_secret("test.secret", "x")
    for d in (hygie_home, hygie_home / "data", hygie_home / "data" / "secrets"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
