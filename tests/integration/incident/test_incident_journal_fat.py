"""The anchored journal on a real FAT key (a 1.44 MB FAT image mounted with fusefat, as a USB
key is on the nurse's computer): opened, written, verified, then the three attacks of issue
#14 done on the key itself, each caught by ``hygie incident verify`` (exit 1) naming hygie's
store as the anchor that disagrees. The second copy of the head lives on another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hygie.incident.journal import GENESIS, entry_hash

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("mformat") is None
        or shutil.which("fusefat") is None
        or not Path("/dev/fuse").exists(),
        reason="needs mtools, fusefat and /dev/fuse to mount a FAT image",
    ),
]

HYGIE = str(Path(sys.executable).with_name("hygie"))


@pytest.fixture
def fat_key(tmp_path: Path) -> Iterator[Path]:
    img, mnt = tmp_path / "key.img", tmp_path / "key"
    mnt.mkdir()
    subprocess.run(["mformat", "-C", "-f", "1440", "-v", "CLE", "-i", str(img), "::"], check=True)
    cp = subprocess.run(["fusefat", "-o", "rw+", str(img), str(mnt)], capture_output=True)
    if cp.returncode != 0:
        pytest.skip(f"fusefat could not mount here: {cp.stderr[:200]!r}")
    try:
        yield mnt
    finally:
        subprocess.run(["fusermount", "-u", str(mnt)], check=False)


def _hygie(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_HOME": str(home), "HYGIE_KEYRING": "file", "HYGIE_LANG": "fr"}
    return subprocess.run(
        [HYGIE, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def _write(path: Path, text: str) -> None:
    """fusefat cannot rewrite an existing file in place: a new file renamed over it."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _rechain(folder: Path, entries: list[dict[str, object]], head: bool = True) -> None:
    prev, lines = GENESIS, []
    for i, e in enumerate(entries, 1):
        e = {**e, "seq": i, "prev": prev}
        e["hash"] = entry_hash(e)
        prev = str(e["hash"])
        lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    _write(folder / "journal.jsonl", "\n".join(lines) + "\n")
    if head:
        doc = {"journal_id": entries[0]["journal"], "seq": len(entries), "hash": prev}
        _write(folder / "journal.head", json.dumps(doc))
    else:
        (folder / "journal.head").unlink()


@pytest.mark.parametrize("attack", ["edit_9h_11h", "append_forged", "drop_last_and_head"])
def test_attacks_on_a_fat_key_are_caught(fat_key: Path, tmp_path: Path, attack: str) -> None:
    home, folder, second = tmp_path / "home", fat_key / "incident", tmp_path / "second"
    cp = _hygie(["incident", "start", "--to", str(folder), "--no-guide",
                 "--copy-to", str(second)], home)  # fmt: skip
    assert cp.returncode == 0, cp.stderr
    assert "Code de contrôle" in cp.stderr
    for text in ("écran de rançon vu à 9h", "câble débranché"):
        assert _hygie(["incident", "note", str(folder), text], home).returncode == 0
    cp = _hygie(["incident", "verify", str(folder), "--json"], home)
    assert cp.returncode == 0, cp.stdout
    before = json.loads(cp.stdout)["data"]
    states = {a["name"]: a["state"] for a in before["anchors"]}
    assert set(states.values()) == {"agrees"}
    assert set(states) == {"head_file", "store", "keyring", "copy"}
    code = before["code"].split(" : ")[1]
    written = f"{before['entries']}:{code}"

    entries = [json.loads(x) for x in (folder / "journal.jsonl").read_text("utf-8").splitlines()]
    if attack == "edit_9h_11h":
        entries[1]["action"] = entries[1]["action"].replace("9h", "11h")
        _rechain(folder, entries)
    elif attack == "append_forged":
        _rechain(folder, [*entries, {**entries[-1], "action": "tout va bien", "mac": None}])
    else:
        _rechain(folder, entries[:-1], head=False)

    cp = _hygie(["incident", "verify", str(folder), "--code", written, "--json"], home)
    assert cp.returncode == 1, cp.stdout
    after = json.loads(cp.stdout)["data"]
    states = {a["name"]: a["state"] for a in after["anchors"]}
    assert states["store"] == "disagrees" and states["copy"] == "disagrees"
    assert not after["intact"]
    cp = _hygie(["incident", "verify", str(folder)], home)
    assert cp.returncode == 1 and "mémoire de hygie" in cp.stdout
