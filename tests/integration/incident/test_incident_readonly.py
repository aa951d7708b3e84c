"""A journal or a triage on a read-only medium gives a clear error (exit 41), nothing else.

The read-only medium is a real read-only tmpfs mounted over a folder of tmp_path inside a
private mount namespace (``unshare --mount``), so the host's mounts are never changed.
Without root, a folder without write permission plays the same part.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

HYGIE = str(Path(sys.executable).with_name("hygie"))


def _run_on_readonly(folder: Path, args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_HOME": str(home)}
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and shutil.which("unshare"):
        probe = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "true"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if probe.returncode != 0:  # a chroot or container without mount namespaces
            pytest.skip(f"unshare cannot make a private mount namespace here: {probe.stderr}")
        script = 'mount -t tmpfs -o ro,size=1m tmpfs "$1" && shift && exec "$@"'
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
               str(folder), HYGIE, *args]  # fmt: skip
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        cmd = [HYGIE, *args]
    else:
        pytest.skip("root without unshare: cannot make a read-only folder")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize(
    "args",
    [
        ["incident", "start", "--to", "{usb}", "--no-guide"],
        ["incident", "triage", "--to", "{usb}", "--path", "{docs}"],
    ],
)
def test_readonly_destination_is_a_clear_error(tmp_path: Path, args: list[str]) -> None:
    usb = tmp_path / "usb"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("x")
    argv = [a.format(usb=usb, docs=docs) for a in args]
    r = _run_on_readonly(usb, argv, tmp_path / "home")
    if r.returncode != 0 and "mount" in r.stderr and "hygie" not in r.stderr.lower():
        pytest.skip(f"cannot mount a read-only tmpfs here: {r.stderr.strip()}")
    assert r.returncode == 41, r.stderr
    err = " ".join(r.stderr.split())
    assert "Impossible d'écrire dans le dossier" in err
    assert "Read-only file system" in err or "Permission denied" in err
    assert "clé USB" in err  # the next step
    assert "Traceback" not in r.stderr
    assert not list(usb.iterdir())  # nothing leaked under the mount point
