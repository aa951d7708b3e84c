"""The RIGHT external disk is recognised by its filesystem UUID, with real ext4 filesystems
loop-mounted in tmp_path (needs root and loop devices; skipped otherwise; unmounted at the
end). Loop mounts are read-only on this VM, so the repository is put on the filesystem when
it is made (``mkfs.ext4 -d``) and the test reads it: status, restore, absent and wrong disk."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hygie import backup as engine
from hygie import proc
from hygie.secrets import get_secret, set_secret

pytestmark = pytest.mark.integration


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[list[Path]]:
    if (
        os.geteuid() != 0
        or shutil.which("mkfs.ext4") is None
        or not Path("/dev/loop-control").exists()
    ):
        pytest.skip("needs root, mkfs.ext4 and loop devices")
    done: list[Path] = []
    yield done
    for m in done:
        if os.path.ismount(m):
            proc.run(["umount", str(m)], timeout=30)


def make_disk(tmp_path: Path, label: str, content: Path) -> Path:
    img = tmp_path / f"{label}.img"
    with img.open("wb") as fh:
        fh.truncate(32 * 1024 * 1024)
    cp = proc.run(["mkfs.ext4", "-q", "-L", label, "-d", str(content), str(img)], timeout=60)
    assert cp.ok, cp.why()
    return img


def mount(img: Path, where: Path, mounts: list[Path]) -> None:
    where.mkdir(parents=True, exist_ok=True)
    cp = proc.run(["mount", "-o", "loop,ro", str(img), str(where)], timeout=30)
    if not cp.ok:
        pytest.skip(f"loop mount not permitted here: {cp.why()}")
    mounts.append(where)


def test_the_right_disk_is_recognised_wherever_it_is_mounted(
    mounts: list[Path],
    source_tree: Path,
    tmp_path: Path,
    tree_digest: Callable[[Path], dict[str, str]],
) -> None:
    # a backup made on a staging folder becomes the content of the "external disk"
    staging = tmp_path / "staging"
    staging.mkdir()
    engine.setup([str(source_tree)], [str(staging / "sauvegarde")], pdf=False)
    assert engine.run().ok
    label = "HYG" + uuid.uuid4().hex[:8].upper()
    disk = make_disk(tmp_path, label, staging)
    decoy_content = tmp_path / "decoy"
    (decoy_content / "sauvegarde").mkdir(parents=True)
    decoy = make_disk(tmp_path, "AUTRE" + uuid.uuid4().hex[:6].upper(), decoy_content)

    m1, m2 = tmp_path / "media" / label, tmp_path / "run-media" / label
    mount(disk, m1, mounts)
    set_secret(engine.password_secret("disque"), get_secret(engine.password_secret("local")) or "")
    res = engine.setup([str(source_tree)], [str(m1 / "sauvegarde")], removable=True, pdf=False)
    d = res.destinations[0]
    assert d.name == "disque" and d.removable and res.created == ()
    assert d.fs_label == label and len(d.fs_uuid) == 36 and d.subpath == "sauvegarde"
    st = engine.status()
    assert st.destinations[0].present and st.destinations[0].snapshots == 1

    # unplugged: the user is told to plug in THIS disk, nothing is counted
    assert proc.run(["umount", str(m1)], timeout=30).ok
    absent = engine.run()
    assert absent.exit_code == 12 and absent.outcomes[0].status == "absent"
    assert label in (absent.outcomes[0].error or {}).get("hint", "")
    assert engine.status().destinations[0].present is False

    # another disk at the same place, with the same folder: still not the right one
    mount(decoy, m1, mounts)
    assert (m1 / "sauvegarde").is_dir()
    assert engine.run().exit_code == 12
    assert proc.run(["umount", str(m1)], timeout=30).ok

    # the right disk again, mounted elsewhere: found by its UUID, and it restores
    mount(disk, m2, mounts)
    assert engine.status().destinations[0].present
    target = tmp_path / "restored"
    engine.restore(target, destination="disque")
    assert tree_digest(target / str(source_tree).lstrip("/")) == tree_digest(source_tree)
