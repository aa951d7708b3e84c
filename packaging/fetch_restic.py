"""Download the restic release the packaged application bundles, and check it.

    python packaging/fetch_restic.py --os windows --arch amd64 --out dist/tools

Fetches ``restic_<version>_<os>_<arch>`` and the release's SHA256SUMS from restic's GitHub
releases, refuses a file whose SHA-256 is not the one listed, unpacks the program and prints
its path. Run by the release workflow only (never by tests: they use the system's restic).
"""

from __future__ import annotations

import argparse
import bz2
import hashlib
import io
import sys
import urllib.request
import zipfile
from pathlib import Path

RESTIC_VERSION = "0.18.0"
BASE = "https://github.com/restic/restic/releases/download/v{v}/"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as r:
        return bytes(r.read())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--os", required=True, choices=["windows", "darwin", "linux"])
    ap.add_argument("--arch", required=True, choices=["amd64", "arm64"])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    v = RESTIC_VERSION
    ext = "zip" if args.os == "windows" else "bz2"
    name = f"restic_{v}_{args.os}_{args.arch}.{ext}"
    base = BASE.format(v=v)
    sums = fetch(base + "SHA256SUMS").decode()
    expected = next((ln.split()[0] for ln in sums.splitlines() if ln.endswith(name)), None)
    if expected is None:
        raise SystemExit(f"{name} is not in SHA256SUMS of restic {v}")
    data = fetch(base + name)
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise SystemExit(f"{name}: SHA-256 {got} is not the published {expected}")
    args.out.mkdir(parents=True, exist_ok=True)
    if ext == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".exe"))
            target = args.out / "restic.exe"
            target.write_bytes(zf.read(member))
    else:
        target = args.out / "restic"
        target.write_bytes(bz2.decompress(data))
        target.chmod(0o755)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
