"""``hygie media`` from the command line against a real clamd."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hygie.cli.app import main
from hygie.media.canaries import eicar_bytes
from hygie.media.clamd_engine import OwnClamd

pytestmark = pytest.mark.integration


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_scan_json_and_exit_codes(
    clamd_daemon: OwnClamd,
    clamd_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    hygie_home: Path,
) -> None:
    sock = f"unix:{clamd_daemon.socket_path}"
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "Compte rendu Dupont.txt").write_text("rien")
    code, out, _ = run_cli(
        [
            "media",
            "scan",
            str(clean),
            "--clamd",
            sock,
            "--clamd-conf",
            str(clamd_daemon.conf_path),
            "--database",
            str(clamd_db),
            "--json",
        ],
        capsys,
    )
    doc = json.loads(out)
    assert code == 0
    assert doc["schema"] == "hygie.media.scan/1" and doc["status"] == "success"
    assert doc["data"]["counts"] == {"clean": 1, "infected": 0, "not_scanned": 0}
    assert doc["data"]["engine"]["self_test"] == "ok"
    assert doc["data"]["engine"]["signature_count"] == 3
    # The scripting contract (docs/reference/media-cli.md): keys are pinned.
    assert set(doc) == {"schema", "hygie_version", "status", "data", "error"}
    assert set(doc["data"]) == {
        "started_at",
        "duration_s",
        "paths",
        "workers",
        "engine",
        "counts",
        "bytes_scanned",
        "engine_error",
        "nothing_scanned",
        "nothing_scanned_reason",
        "files",
    }
    assert set(doc["data"]["files"][0]) == {
        "name",
        "size",
        "verdict",
        "reason",
        "signature",
        "detail",
    }

    (clean / "x.com").write_bytes(eicar_bytes())
    conf = str(clamd_daemon.conf_path)
    code, out, _ = run_cli(
        ["media", "scan", str(clean), "--clamd", sock, "--clamd-conf", conf], capsys
    )
    assert code == 1
    assert "x.com" in out and "Hygie.Test.EICAR" in out
    # Recorded: counts and hashed names, never the names themselves.
    db = sqlite3.connect(hygie_home / "data" / "hygie.sqlite3")
    rows = db.execute("SELECT kind, files, infected, verdicts FROM media_runs").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("scan", 1, 0), ("scan", 2, 1)]
    dump = "\n".join(db.iterdump())
    assert "Dupont" not in dump and "x.com" not in dump


def test_scan_english(
    clamd_daemon: OwnClamd, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("a")
    code, out, _ = run_cli(
        [
            "--lang",
            "en",
            "media",
            "scan",
            str(tmp_path),
            "--clamd",
            f"unix:{clamd_daemon.socket_path}",
            "--clamd-conf",
            str(clamd_daemon.conf_path),
        ],
        capsys,
    )
    assert code == 0 and "No virus found" in out


def test_engine_unreachable_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        ["media", "scan", str(tmp_path), "--clamd", f"unix:{tmp_path / 'none.sock'}", "--json"],
        capsys,
    )
    assert code == 31
    assert json.loads(out)["error"]["code"] == "media_engine_unavailable"
    assert "ClamAV" in err


def test_own_clamd_started_and_stopped(
    clamd_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    hygie_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No system clamd: hygie starts its own on the given signature folder, then stops it."""
    import hygie.media.clamd_engine as engine_mod

    monkeypatch.setattr(engine_mod, "SYSTEM_CLAMD_CONF", tmp_path / "absent.conf")
    monkeypatch.setattr(engine_mod, "OTHER_CLAMD_CONFS", ())
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "a.txt").write_text("a")
    code, out, _ = run_cli(["media", "engine", "--database", str(clamd_db), "--json"], capsys)
    assert code == 0
    info = json.loads(out)["data"]
    assert info["mode"] == "own" and info["self_test"] == "ok"
    conf = (hygie_home / "data" / "media" / "clamd" / "clamd.conf").read_text()
    assert "AlertEncrypted yes" in conf and "Foreground yes" in conf


def test_copy_cli(
    clamd_daemon: OwnClamd, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (src / "b.exe").write_bytes(b"MZ\0\0")
    code, out, _ = run_cli(
        [
            "media",
            "copy",
            str(src),
            str(dst),
            "--clamd",
            f"unix:{clamd_daemon.socket_path}",
            "--clamd-conf",
            str(clamd_daemon.conf_path),
            "--json",
        ],
        capsys,
    )
    doc = json.loads(out)
    assert code == 1 and doc["status"] == "findings"
    assert doc["data"]["copied"] == 1 and doc["data"]["refused"] == 1
    assert (dst / "a.pdf").exists() and not (dst / "b.exe").exists()
    assert Path(doc["data"]["report_html"]).exists()
