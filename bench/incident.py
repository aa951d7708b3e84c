"""Benchmark of ``hygie incident check`` and ``hygie incident triage`` (issue #6).

Targets: ``check`` over 10,000 documents in <= 2 s (clean, and with 2,000 of them encrypted
and renamed to random hex names); ``triage`` in <= 10 s on this machine.
Anchors measured in the same run: ``find -newermt`` (a stat-only walk, the floor of any
"what changed recently" scan) for check, and the raw commands ``ps``, ``ss -tunap``, ``who``
plus the same ``find`` for triage.

    .venv/bin/python bench/incident.py              # 10,000 documents (the target)
    .venv/bin/python bench/incident.py --files 2000 # quicker
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from hygie.incident import run_check, run_triage


def _jpeg(rnd: random.Random) -> bytes:
    """A real JPEG photo (Pillow) of noise: high entropy, as a camera's."""
    from PIL import Image

    img = Image.frombytes("RGB", (200, 200), rnd.randbytes(200 * 200 * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def attack(root: Path, n: int, seed: int = 14) -> tuple[int, int]:
    """What a ransomware does to the ``n`` most recent files: random content, random hex name
    without extension (the case a check by name missed). Returns (files encrypted, of which
    at least 512 bytes: smaller ones are too small to judge by content)."""
    rnd = random.Random(seed)
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.name)[:n]
    big = sum(1 for p in files if p.stat().st_size >= 512)
    for p in files:
        size = p.stat().st_size
        p.unlink()
        (p.parent / "".join(rnd.choice("0123456789abcdef") for _ in range(32))).write_bytes(
            os.urandom(size)
        )
    return len(files), big


def make_corpus(root: Path, n: int, seed: int = 6) -> None:
    rnd = random.Random(seed)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document>" + "soin " * 2000 + "</w:document>")
    docx = buf.getvalue()
    pdf = b"%PDF-1.5\n" + os.urandom(30_000) + b"\n%%EOF\n"
    jpg = _jpeg(rnd)
    text = ("Passage à 8 h, pansement refait, glycémie 1,2 g/L.\n" * 300).encode()
    kinds = [(".docx", docx), (".pdf", pdf), (".jpg", jpg), (".txt", text), (".odt", docx)]
    for i in range(n):
        folder = root / f"patients-{i % 50:02d}" / f"{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        ext, data = kinds[rnd.randrange(len(kinds))]
        (folder / f"doc-{i:05d}{ext}").write_bytes(data)


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hygie-bench-incident-"))
    try:
        docs = tmp / "home" / "Documents"
        t0 = time.perf_counter()
        make_corpus(docs, args.files)
        print(
            f"corpus: {args.files} documents in {time.perf_counter() - t0:.1f} s", file=sys.stderr
        )
        find = ["find", str(docs), "-type", "f", "-newermt", "-48 hours", "-printf", "%s %p\n"]
        t_find, _ = timed(lambda: run(find), args.repeat)
        t_check, res = timed(lambda: run_check([docs]), args.repeat)
        assert not res.signs_found, "false positive on the clean corpus"  # type: ignore[attr-defined]
        sampled = res.report.sampled  # type: ignore[attr-defined]

        def anchor_triage() -> None:
            run(["ps", "-eo", "pid,ppid,user,comm,args"])
            run(["ss", "-tunap"])
            run(["who"])
            run(find)

        t_anchor_tr, _ = timed(anchor_triage, args.repeat)
        outs = tmp / "usb"
        t_triage, _ = timed(lambda: run_triage(outs, home=tmp / "home"), args.repeat)

        attacked = tmp / "attacked" / "Documents"
        make_corpus(attacked, args.files, seed=7)
        hit, judgeable = attack(attacked, args.files // 5)
        t_attacked, res_a = timed(lambda: run_check([attacked]), args.repeat)
        assert res_a.signs_found, "attack not seen"  # type: ignore[attr-defined]
        flagged = res_a.report.flagged  # type: ignore[attr-defined]

        rows = [
            ("check", f"{args.files} docs", t_check, "find -newermt (stat only)", t_find, 2.0),
            ("check", f"{hit} hex-named", t_attacked, "find -newermt (stat only)", t_find, 2.0),
            ("triage", "this machine", t_triage, "ps + ss + who + find", t_anchor_tr, 10.0),
        ]
        print(f"{'command':8} {'scope':14} {'hygie s':>8} {'anchor':28} {'anchor s':>8} "
              f"{'ratio':>6} {'target':>7} ok")  # fmt: skip
        for name, scope, t, anchor, ta, target in rows:
            ok = "yes" if t <= target else "NO"
            print(f"{name:8} {scope:14} {t:8.3f} {anchor:28} {ta:8.3f} {t / ta:6.1f} "
                  f"{target:6.1f}s {ok}")  # fmt: skip
        small = hit - judgeable
        print(f"check: {sampled} files read by content (most recent first), no sign; "
              f"attacked: {flagged}/{judgeable} encrypted files of >= 512 bytes flagged "
              f"({small} smaller ones too small to judge); best of {args.repeat}")  # fmt: skip
        return 0 if all(t <= target for *_x, t, _a, _ta, target in rows) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
