"""Issue 14's attacks on the station, reproduced against a real clamd with stock settings.

ClamAV 1.4 answers ``OK`` for each of these files (asserted below, so the reproduction is
real); hygie must say "not scanned" (never clean), never copy them, and refuse the stock
engine itself at start with the clamd.conf lines that fix it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hygie.media.canaries import (
    build_zip,
    deflated,
    eicar_bytes,
    encrypted,
    named,
    nested_zip,
    office_document,
    zeros_then,
)
from hygie.media.clamd import Address, ClamdClient, ReplyStatus
from hygie.media.clamd_engine import ClamdEngine, resolve_spec
from hygie.media.errors import EngineNotProven
from hygie.media.scanner import Reason, Verdict, scan_paths
from hygie.media.station import station_copy

pytestmark = pytest.mark.integration
MiB = 1024 * 1024


def _stock_engine(conf: Path) -> ClamdEngine:
    sock = conf.parent / "clamd.sock"
    spec = resolve_spec(f"unix:{sock}", {}, clamd_conf=conf)
    return ClamdEngine(spec, Address("unix", path=str(sock)))


def _attack_files(folder: Path) -> dict[str, Path]:
    e = eicar_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "zip_300mib": folder / "zeros.zip",
        "docx": folder / "lettre-patient.docx",
        "tail_40mb": folder / "scan-40mo.bin",
        "deep_20": folder / "profond.zip",
        "encrypted": folder / "chiffre.zip",
    }
    big = zeros_then(300 * MiB, e)
    files["zip_300mib"].write_bytes(build_zip([named(big, "zeros.bin")]))
    files["docx"].write_bytes(office_document("word/media/image1.png", big))
    with files["tail_40mb"].open("wb") as fh:  # sparse: 40 MB on the disk's word, ~4 KiB used
        fh.truncate(40 * 1000 * 1000 - len(e))
        fh.seek(0, os.SEEK_END)
        fh.write(e)
    files["deep_20"].write_bytes(nested_zip(e, 20))
    files["encrypted"].write_bytes(build_zip([named(encrypted(deflated(e), b"x"), "a.com")]))
    return files


def test_stock_clamd_calls_every_attack_clean(stock_clamd: Path, tmp_path: Path) -> None:
    """The reproduction: the engine alone says OK for each file (ClamAV 1.4.6)."""
    client = ClamdClient(Address("unix", path=str(stock_clamd.parent / "clamd.sock")))
    for name, path in _attack_files(tmp_path).items():
        fd = os.open(path, os.O_RDONLY)
        try:
            reply = client.fildes(fd)
        finally:
            os.close(fd)
        assert reply.status is ReplyStatus.OK, (name, reply)


def test_hygie_says_not_scanned_for_every_attack(stock_clamd: Path, tmp_path: Path) -> None:
    files = _attack_files(tmp_path / "cle")
    engine = _stock_engine(stock_clamd)  # not proven on purpose: hygie's own checks alone
    run = scan_paths([str(tmp_path / "cle")], engine)
    got = {f.rel: f for f in run.files}
    expected = {
        "zip_300mib": Reason.OVER_LIMIT,
        "docx": Reason.OVER_LIMIT,
        "tail_40mb": Reason.OVER_LIMIT,
        "deep_20": Reason.TOO_DEEP,
        "encrypted": Reason.ENCRYPTED,
    }
    for key, reason in expected.items():
        f = got[files[key].name]
        assert f.verdict is Verdict.NOT_SCANNED, (key, f)
        assert f.reason is reason, (key, f)
        doc = f.to_dict()
        assert doc["reason"] == reason.value and doc["detail"], doc  # never a null reason
        assert "lettre" not in doc["detail"] and "image1" not in doc["detail"]
    assert not run.all_clean and run.exit_code() == 1
    assert run.counts == {"clean": 0, "infected": 0, "not_scanned": 5}


def test_station_never_copies_the_docx(stock_clamd: Path, tmp_path: Path) -> None:
    files = _attack_files(tmp_path / "cle")
    (tmp_path / "cle" / "ok.txt").write_text("compte rendu")
    dst = tmp_path / "confiance"
    run = station_copy(str(tmp_path / "cle"), str(dst), _stock_engine(stock_clamd))
    assert not (dst / files["docx"].name).exists()
    assert sorted(p.name for p in dst.iterdir() if not p.name.startswith("hygie-station")) == [
        "ok.txt"
    ]
    assert run.copied == 1 and run.refused == 5
    report = json.loads(Path(str(run.report_json)).read_text())
    refused = {f["path"]: f.get("refused_reason") for f in report["scan"]["files"]}
    assert refused[files["docx"].name] == "not_scanned:over_limit"


def test_stock_engine_is_refused_with_the_lines_that_fix_it(
    stock_clamd: Path, tmp_path: Path
) -> None:
    engine = _stock_engine(stock_clamd)
    assert engine.limits.max_file_size == 25 * MiB  # read from its clamd.conf
    with pytest.raises(EngineNotProven) as exc:
        engine.check()
    doc = exc.value.to_dict()
    assert doc["exit_code"] == 37
    assert {"AlertEncrypted yes", "AlertExceedsMax yes"} <= set(doc["clamd_conf_lines"])
    assert "AlertEncrypted yes" in doc["hint"] and "zip chiffré" in doc["message"]
    failed = {c["canary"] for c in doc["proof"] if not c["ok"]}
    # (size_at_limit passes: without AlertExceedsMax a limit is silent, which the
    # nested_too_deep canary catches.)
    assert failed == {"encrypted_zip", "nested_too_deep"}


def test_stock_engine_refused_from_the_cli(
    stock_clamd: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hygie.cli.app import main

    (tmp_path / "a.txt").write_text("a")
    sock = stock_clamd.parent / "clamd.sock"
    with pytest.raises(SystemExit) as exc:
        main(["media", "scan", str(tmp_path), "--clamd", f"unix:{sock}", "--json"])
    out, err = capsys.readouterr()
    assert exc.value.code == 37
    doc = json.loads(out)
    assert doc["status"] == "error" and doc["error"]["code"] == "media_engine_not_proven"
    assert "AlertExceedsMax yes" in err


def test_unknown_clamd_conf_assumes_stock_limits(stock_clamd: Path) -> None:
    """Without its clamd.conf, hygie assumes 25 MB and the canary proves the engine reads it."""
    sock = stock_clamd.parent / "clamd.sock"
    spec = resolve_spec(f"unix:{sock}", {}, system_conf=Path("/nonexistent"))
    assert spec.limits.max_file_size == 25 * MiB and spec.conf_digest == ""


def test_nothing_scanned_is_never_clean(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "vide"
    empty.mkdir()
    run = scan_paths([str(empty)], engine)
    assert run.files == () and not run.all_clean
    assert run.status() == "unknown" and run.exit_code() == 1
    doc = run.to_dict()
    assert doc["nothing_scanned"] is True and doc["nothing_scanned_reason"]


def test_own_engine_passes_and_caches_the_expensive_canaries(engine) -> None:  # type: ignore[no-untyped-def]
    first = engine.info.proof
    assert {c["canary"] for c in first} >= {"eicar", "encrypted_zip", "size_at_limit"}
    assert all(c["ok"] for c in first)
    again = engine.check().proof
    cached = {c["canary"] for c in again if c["cached"]}
    assert cached == {"big_member_tail", "size_at_limit"}
