"""Scanning with a real clamd: verdicts, hostile inputs, fail-closed behaviour."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from hygie.media.canaries import eicar_bytes
from hygie.media.clamd import ClamdClient, ReplyStatus
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.clamd_engine import EngineSpec
from hygie.media.scanner import Reason, Verdict, scan_paths
from hygie.media.testdb import BODY_MARKER, CLAMEXE_NAME, EICAR_NAME, TESTFILES
from media_helpers import MB, TEST_LIMITS, start_own

pytestmark = pytest.mark.integration


def by_name(run):  # type: ignore[no-untyped-def]
    return {f.rel or f.name: f for f in run.files}


def test_protocol_commands(clamd_address) -> None:  # type: ignore[no-untyped-def]
    client = ClamdClient(clamd_address)
    client.ping()
    assert client.version().startswith("ClamAV ")
    assert client.instream_bytes(b"just text").status is ReplyStatus.OK
    found = client.instream_bytes(eicar_bytes())
    assert found.status is ReplyStatus.FOUND and found.signature.startswith(EICAR_NAME)
    body = client.instream_bytes(b"prefix " + BODY_MARKER + b" suffix")
    assert body.status is ReplyStatus.FOUND
    too_big = client.instream_bytes(b"\0" * (TEST_LIMITS.stream_max_length + MB))
    assert too_big.status is ReplyStatus.SIZE_LIMIT
    with client.session() as sess:
        sess.ping()
        fd = os.open(TESTFILES / "clam.exe", os.O_RDONLY)
        try:
            r1 = sess.scan_fd(fd)
            r2 = sess.scan_fd(fd)
        finally:
            os.close(fd)
    assert r1.signature.startswith(CLAMEXE_NAME) and r2.status is ReplyStatus.FOUND


def test_multiscan_contscan_reload(clamd_address, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("hello")
    (tmp_path / "e.com").write_bytes(eicar_bytes())
    client = ClamdClient(clamd_address)
    for replies in (client.multiscan(str(tmp_path)), client.contscan(str(tmp_path))):
        found = [r for r in replies if r.status is ReplyStatus.FOUND]
        assert len(found) == 1 and found[0].label.endswith("e.com")
    client.reload()
    client.ping()


def test_clean_infected_and_archives(engine: Engine, tmp_path: Path) -> None:
    key = tmp_path / "key"
    (key / "docs").mkdir(parents=True)
    (key / "docs" / "note.txt").write_text("compte rendu")
    (key / "eicar.com").write_bytes(eicar_bytes())
    for name in ("clam.zip", "clam.7z", "clam.tar.gz", "clam-upx.exe", "clam.pdf", "clam.ole.doc"):
        shutil.copy(TESTFILES / name, key / name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inner/readme.txt", b"xx " + BODY_MARKER + b" yy")
    (key / "body.zip").write_bytes(buf.getvalue())
    run = scan_paths([str(key)], engine, workers=3)
    res = by_name(run)
    assert res["docs/note.txt"].verdict is Verdict.CLEAN
    assert res["eicar.com"].verdict is Verdict.INFECTED
    assert res["eicar.com"].signature.startswith(EICAR_NAME)
    for name in ("clam.zip", "clam.7z", "clam.tar.gz", "clam-upx.exe", "clam.pdf", "clam.ole.doc"):
        assert res[name].verdict is Verdict.INFECTED, name
        assert res[name].signature.startswith(CLAMEXE_NAME)
    assert res["body.zip"].verdict is Verdict.INFECTED
    assert run.exit_code() == 1
    assert run.counts == {"clean": 1, "infected": 8, "not_scanned": 0}


def test_all_clean_exit_zero(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    run = scan_paths([str(tmp_path)], engine)
    assert run.all_clean and run.exit_code() == 0


def _nested_zip(depth: int) -> bytes:
    data = b"deep inside"
    for i in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"level{i}.zip" if i else "x.txt", data)
        data = buf.getvalue()
    return data


def test_zip_bomb_and_deep_nesting_not_scanned(engine: Engine, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"zeros{i}.bin", b"\0" * (12 * MB))
    assert bomb.stat().st_size < MB
    (tmp_path / "deep.zip").write_bytes(_nested_zip(TEST_LIMITS.max_recursion + 4))
    run = scan_paths([str(tmp_path)], engine)
    res = by_name(run)
    for name in ("bomb.zip", "deep.zip"):
        assert res[name].verdict is Verdict.NOT_SCANNED, (name, res[name])
        assert res[name].reason is Reason.OVER_LIMIT
        assert res[name].signature.startswith("Heuristics.Limits.Exceeded")
    assert run.exit_code() == 1


@pytest.mark.skipif(shutil.which("zip") is None, reason="zip is not installed")
def test_encrypted_archive_not_scanned(engine: Engine, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "secret.txt").write_text("encrypted content " * 50)
    out = tmp_path / "scan"
    out.mkdir()
    subprocess.run(
        ["zip", "-q", "-j", "-P", "not-a-secret", str(out / "enc.zip"), str(src / "secret.txt")],
        check=True,
    )
    run = scan_paths([str(out)], engine)
    f = by_name(run)["enc.zip"]
    assert f.verdict is Verdict.NOT_SCANNED
    assert f.reason is Reason.ENCRYPTED
    assert f.signature.startswith("Heuristics.Encrypted")


def test_file_over_size_limit(engine: Engine, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:
        fh.truncate(TEST_LIMITS.max_file_size + 1)
    run = scan_paths([str(tmp_path)], engine)
    f = by_name(run)["big.bin"]
    assert f.verdict is Verdict.NOT_SCANNED and f.reason is Reason.OVER_LIMIT


def test_over_limit_as_seen_by_clamd_itself(engine: Engine, tmp_path: Path) -> None:
    """If hygie assumed larger limits than the daemon has, clamd's own alert still wins."""
    spec = EngineSpec("address", engine.address, type(TEST_LIMITS)(max_file_size=10**9,
                      stream_max_length=10**9), None)  # fmt: skip
    loose = Engine(spec, engine.address)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(TEST_LIMITS.max_file_size + MB))
    f = by_name(scan_paths([str(tmp_path)], loose))["big.bin"]
    assert f.verdict is Verdict.NOT_SCANNED and f.reason is Reason.OVER_LIMIT


def test_links_never_followed(engine: Engine, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "eicar.com").write_bytes(eicar_bytes())
    key = tmp_path / "key"
    (key / "loop").mkdir(parents=True)
    (key / "ok.txt").write_text("fine")
    (key / "to-outside").symlink_to(outside / "eicar.com")
    (key / "dir-outside").symlink_to(outside)
    (key / "loop" / "self").symlink_to(key / "loop")
    (key / "a").symlink_to(key / "b")
    (key / "b").symlink_to(key / "a")
    run = scan_paths([str(key)], engine)
    res = by_name(run)
    assert res["ok.txt"].verdict is Verdict.CLEAN
    for name in ("to-outside", "dir-outside", "loop/self", "a", "b"):
        assert res[name].verdict is Verdict.NOT_SCANNED and res[name].reason is Reason.LINK
    assert "outside" in res["to-outside"].detail
    assert "looping" in res["a"].detail
    # The infected file outside the media was never reached.
    assert not any(f.verdict is Verdict.INFECTED for f in run.files)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files; see the fault test")
def test_unreadable_file_chmod(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "locked.txt"
    p.write_text("x")
    p.chmod(0)
    f = by_name(scan_paths([str(tmp_path)], engine))["locked.txt"]
    assert f.verdict is Verdict.NOT_SCANNED and f.reason is Reason.UNREADABLE


def test_unreadable_file_injected(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root chmod 000 is still readable: the OS refusal is injected at open()."""
    import hygie.media.scanner as scanner

    (tmp_path / "locked.txt").write_text("x")
    (tmp_path / "fine.txt").write_text("y")
    real_open = os.open

    def fake_open(path, flags, *a):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *a)

    monkeypatch.setattr(scanner.os, "open", fake_open)
    res = by_name(scan_paths([str(tmp_path)], engine))
    assert res["locked.txt"].verdict is Verdict.NOT_SCANNED
    assert res["locked.txt"].reason is Reason.UNREADABLE
    assert res["fine.txt"].verdict is Verdict.CLEAN


def test_special_files_not_opened(engine: Engine, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    f = by_name(scan_paths([str(tmp_path)], engine))["pipe"]
    assert f.verdict is Verdict.NOT_SCANNED and f.reason is Reason.NOT_REGULAR


def test_hostile_names_shown_safely(engine: Engine, tmp_path: Path) -> None:
    base = os.fsencode(tmp_path)
    names = [b"bad\xff\xfename.txt", b"ctl\x1b[31mred\x07.txt", b"rtl\xe2\x80\xaetxt.exe"]
    for n in names:
        with open(os.path.join(base, n), "wb") as fh:
            fh.write(b"harmless")
    with open(os.path.join(base, b"evil\xff.com"), "wb") as fh:
        fh.write(eicar_bytes())
    run = scan_paths([str(tmp_path)], engine)
    shown = sorted(f.name for f in run.files)
    assert "bad\\xff\\xfename.txt" in shown
    assert "ctl\\x1b[31mred\\x07.txt" in shown
    assert "rtl\\u202etxt.exe" in shown
    assert all(ch.isprintable() for n in shown for ch in n)
    json.dumps(run.to_dict(), ensure_ascii=False).encode("utf-8")  # no lone surrogates
    infected = [f for f in run.files if f.verdict is Verdict.INFECTED]
    assert [f.name for f in infected] == ["evil\\xff.com"]


def test_clamd_dies_mid_scan(clamd_db: Path, tmp_path: Path) -> None:
    own = start_own(tmp_path / "dying", clamd_db)
    try:
        spec = EngineSpec("own", own.address, TEST_LIMITS, clamd_db)
        eng = Engine(spec, own.address, own)
        eng.check()
        key = tmp_path / "key"
        key.mkdir()
        for i in range(12):
            (key / f"f{i:02d}.txt").write_text(f"file {i}")
        killed = []

        seen: list[str] = []

        def after_each(entry, fd, res):  # type: ignore[no-untyped-def]
            seen.append(entry.rel)
            if len(seen) == 3 and not killed:
                own.stop()
                killed.append(True)
            return {}

        run = scan_paths([str(key)], eng, workers=1, handler=after_each)
    finally:
        own.stop()
    verdicts = [f.verdict for f in run.files]
    assert verdicts[:3] == [Verdict.CLEAN] * 3
    assert all(v is Verdict.NOT_SCANNED for v in verdicts[3:])
    assert all(f.reason is Reason.ENGINE_ERROR for f in run.files[3:])
    assert run.engine_error
    assert run.exit_code() == 34 and run.status() == "error"
