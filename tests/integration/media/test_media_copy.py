"""The station-blanche copy with a real clamd: types, report, quarantine, full destination."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from hygie.media.canaries import eicar_bytes
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.station import TMP_PREFIX, station_copy

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _docx(macro: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        ct = "application/vnd.ms-word.document.macroEnabled.main+xml" if macro else "x"
        zf.writestr("[Content_Types].xml", f"<Types><Default ContentType='{ct}'/></Types>")
        zf.writestr("word/document.xml", "<w:document/>")
        if macro:
            zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really")
    return buf.getvalue()


def make_key(root: Path) -> Path:
    key = root / "key"
    (key / "Documents" / "Sous dossier").mkdir(parents=True)
    (key / "Documents" / "ordonnance.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n%%EOF\n")
    (key / "Documents" / "Sous dossier" / "photo.png").write_bytes(PNG)
    (key / "Documents" / "courrier.docx").write_bytes(_docx(False))
    (key / "Documents" / "facture.docm").write_bytes(_docx(True))
    (key / "Documents" / "piege.docx").write_bytes(_docx(True))  # macro under a docx name
    (key / "notes.txt").write_text("liste de courses\n")
    (key / "setup.exe").write_bytes(b"MZ" + b"\0" * 200)
    (key / "photo.jpg.lnk").write_bytes(b"L\x00\x00\x00\x01\x14\x02\x00" + b"\0" * 80)
    (key / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (key / "lancer.bat").write_text("echo hi\r\n")
    (key / "virus.pdf").write_bytes(eicar_bytes())
    return key


def test_copy_only_clean_and_allowed(engine: Engine, tmp_path: Path) -> None:
    key = make_key(tmp_path)
    dst = tmp_path / "dst"
    run = station_copy(str(key), str(dst), engine, workers=2)
    copied = sorted(
        str(p.relative_to(dst))
        for p in dst.rglob("*")
        if p.is_file() and "hygie-station" not in p.name
    )
    assert copied == [
        "Documents/Sous dossier/photo.png",
        "Documents/courrier.docx",
        "Documents/ordonnance.pdf",
        "notes.txt",
    ]
    files = {f.rel: f for f in run.scan.files}
    assert files["virus.pdf"].extra["refused_reason"] == "infected"
    assert files["setup.exe"].extra["refused_reason"] == "type:executable"
    assert files["photo.jpg.lnk"].extra["refused_reason"] == "type:shortcut"
    assert files["run.sh"].extra["refused_reason"] == "type:script"
    assert files["lancer.bat"].extra["refused_reason"] == "type:script"
    assert files["Documents/facture.docm"].extra["refused_reason"] == "type:office_macro"
    assert files["Documents/piege.docx"].extra["refused_reason"] == "type:office_macro"
    assert run.copied == 4 and run.refused == 7 and run.exit_code() == 1
    # Refused files stay where they are.
    assert (key / "setup.exe").exists() and (key / "virus.pdf").exists()
    # Report: JSON and HTML, every file with verdict, type and SHA-256.
    assert run.report_json and run.report_html
    doc = json.loads(Path(run.report_json).read_text(encoding="utf-8"))
    assert len(doc["scan"]["files"]) == 11
    for f in doc["scan"]["files"]:
        assert f["verdict"] in ("clean", "infected", "not_scanned")
        assert f["sha256"] and len(f["sha256"]) == 64
        assert "type" in f
    html = Path(run.report_html).read_text(encoding="utf-8")
    assert "Hygie.Test.EICAR" in html and "ordonnance.pdf" in html
    # No temporary file is left anywhere in the destination.
    assert not [p for p in dst.rglob(f"{TMP_PREFIX}*")]


def test_quarantine_moves_refused_files(engine: Engine, tmp_path: Path) -> None:
    key = make_key(tmp_path)
    dst, q = tmp_path / "dst", tmp_path / "q"
    run = station_copy(str(key), str(dst), engine, quarantine=str(q))
    assert run.quarantine
    qdir = Path(run.quarantine)
    assert stat.S_IMODE(qdir.stat().st_mode) == 0o700
    assert (qdir / "setup.exe").exists() and not (key / "setup.exe").exists()
    assert (qdir / "virus.pdf").exists() and not (key / "virus.pdf").exists()
    assert (key / "notes.txt").exists()  # copied files are left on the key
    manifest = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
    moved = {m["path"]: m for m in manifest["files"]}
    assert moved["virus.pdf"]["reason"] == "infected" and moved["virus.pdf"]["moved"] is True
    assert len(moved["setup.exe"]["sha256"]) == 64


def test_destination_full_injected(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC after the first copied file: no half file, clean stop, report says so."""
    import hygie.media.station as station

    key = tmp_path / "key"
    key.mkdir()
    for i in range(4):
        (key / f"doc{i}.txt").write_text("x" * 5000)
    real_write = os.write
    state = {"n": 0}

    def full_write(fd: int, data: bytes) -> int:  # type: ignore[override]
        state["n"] += 1
        if state["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(station.os, "write", full_write)
    dst = tmp_path / "dst"
    run = station_copy(str(key), str(dst), engine, workers=1, report_dir=str(tmp_path / "rep"))
    assert run.destination_full and run.copied == 1
    assert run.exit_code() == 35 and run.status() == "error"
    files = [p for p in dst.iterdir()]
    assert [p.name for p in files] == ["doc0.txt"]
    assert files[0].read_text() == "x" * 5000
    actions = [f.extra["action"] for f in run.scan.files]
    assert actions == ["copied", "not_copied", "not_copied", "not_copied"]


@pytest.mark.skipif(
    shutil.which("mformat") is None
    or shutil.which("fusefat") is None
    or not Path("/dev/fuse").exists(),
    reason="needs mtools, fusefat and /dev/fuse",
)
def test_destination_full_real_fat(engine: Engine, tmp_path: Path) -> None:
    """A real 1.44 MB FAT destination (fusefat) that fills up during the copy."""
    img, mnt = tmp_path / "dst.img", tmp_path / "dstmnt"
    mnt.mkdir()
    subprocess.run(["mformat", "-C", "-f", "1440", "-i", str(img), "::"], check=True)
    cp = subprocess.run(["fusefat", "-o", "rw+", str(img), str(mnt)], capture_output=True)
    if cp.returncode != 0:
        pytest.skip(f"fusefat could not mount here: {cp.stderr[:200]!r}")
    try:
        key = tmp_path / "key"
        key.mkdir()
        for i in range(3):
            (key / f"scan{i}.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(600 * 1024))
        run = station_copy(str(key), str(mnt), engine, workers=1, report_dir=str(tmp_path / "rep"))
        names = sorted(p.name for p in mnt.iterdir())
        assert run.destination_full
        assert 1 <= run.copied < 3
        # Every file present under a real name is complete and matches the report's hash.
        by_name = {f.rel: f for f in run.scan.files}
        for n in names:
            assert not n.startswith(TMP_PREFIX)
            import hashlib

            digest = hashlib.sha256((mnt / n).read_bytes()).hexdigest()
            assert digest == by_name[n].extra["sha256"]
            assert by_name[n].extra["action"] == "copied"
    finally:
        subprocess.run(["fusermount", "-u", str(mnt)], check=False)
