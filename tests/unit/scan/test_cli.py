"""``hygie scan`` end to end: exit codes, JSON envelope, nothing printed in clear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.id_helpers import with_key
from tests.scan_docs import make_pdf

from hygie.cli.app import main

NIR = with_key("2500375116001")


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "cle-usb"
    (root / "sous-dossier").mkdir(parents=True)
    (root / "reunion.txt").write_text("Réunion jeudi, commande de gants.", encoding="utf-8")
    (root / "sous-dossier" / "cr.pdf").write_bytes(make_pdf([f"Mme Durand, NIR {NIR}, pansement"]))
    return root


def test_clean_folder_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("rien", encoding="utf-8")
    code, out, _err = _run(["scan", str(tmp_path)], capsys)
    assert code == 0
    assert "1 fichier(s)" in out


def test_patient_data_exits_1_and_never_prints_the_value(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["scan", str(folder)], capsys)
    assert code == 1
    assert "cr.pdf" in out and "NIR" in out
    assert NIR not in out + err and "Durand" not in out + err


def test_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["scan", "--json", str(folder)], capsys)
    doc = json.loads(out)
    assert code == 1
    assert doc["schema"] == "hygie.scan/1"
    assert doc["status"] == "findings"
    assert doc["data"]["summary"] == {
        "documents": 2,
        "patient_data": 1,
        "not_scannable": 0,
        "clean": 1,
    }
    pdf = next(d for d in doc["data"]["documents"] if d["name"].endswith("cr.pdf"))
    assert pdf["status"] == "patient_data"
    assert {f["type"] for f in pdf["findings"]} >= {"FR_NIR"}
    assert NIR not in out


def test_not_scannable_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    code, out, _err = _run(["scan", str(tmp_path)], capsys)
    assert code == 1
    assert "non analysable" in out


def test_missing_path_exits_27(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["scan", str(tmp_path / "absent")], capsys)
    assert code == 27
    assert "n'existe pas" in " ".join(err.split())


def test_empty_folder_exits_28(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = _run(["scan", str(tmp_path)], capsys)
    assert code == 28


def test_english(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--lang", "en", "scan", str(folder)], capsys)
    assert code == 1
    assert "patient data found" in out


# ---------------------------------------------- never skip silently (issue #13), as a program

HYGIE = [sys.executable, "-m", "hygie"]


def _program(args: list[str], timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_LANG": "fr", "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [*HYGIE, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFO on this OS")
def test_fifo_is_listed_not_opened(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("rien", encoding="utf-8")
    os.mkfifo(tmp_path / "tube")  # opening it for reading would block forever
    r = _program(["scan", str(tmp_path)], timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "tube" in r.stdout and "fichier ordinaire" in r.stdout
    assert "2 fichier(s)" in r.stdout


def test_socket_is_listed_not_opened(tmp_path: Path) -> None:
    import socket

    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix socket on this OS")
    (tmp_path / "a.txt").write_text("rien", encoding="utf-8")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(tmp_path / "sock"))
        r = _program(["scan", "--json", str(tmp_path)])
    finally:
        s.close()
    doc = json.loads(r.stdout)
    assert r.returncode == 1
    sock = next(d for d in doc["data"]["documents"] if d["name"].endswith("sock"))
    assert sock["status"] == "not_scannable"


def test_symlinked_folder_is_listed_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (outside / "cr.txt").write_text(f"NIR {NIR}", encoding="utf-8")
    root = tmp_path / "cle"
    root.mkdir()
    (root / "a.txt").write_text("rien", encoding="utf-8")
    (root / "lien").symlink_to(outside, target_is_directory=True)
    r = _program(["scan", str(root)])
    assert r.returncode == 1
    assert "lien" in r.stdout and "non suivi" in r.stdout
    assert NIR not in r.stdout


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads any folder: the unreadable case needs an ordinary user",
)
def test_unreadable_folder_is_listed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("rien", encoding="utf-8")
    locked = tmp_path / "prive"
    locked.mkdir()
    (locked / "b.txt").write_text("x", encoding="utf-8")
    locked.chmod(0)
    try:
        r = _program(["scan", str(tmp_path)])
    finally:
        locked.chmod(0o700)
    assert r.returncode == 1
    assert "prive" in r.stdout and "dossier illisible" in r.stdout


def test_nir_in_a_file_name_is_masked_everywhere(tmp_path: Path) -> None:
    (tmp_path / f"scan_{NIR}.txt").write_text("Bonjour", encoding="utf-8")
    (tmp_path / f"NIR{NIR}").mkdir()
    (tmp_path / f"NIR{NIR}" / "cr.txt").write_text("rien", encoding="utf-8")
    for args in (["scan", str(tmp_path)], ["scan", "--json", str(tmp_path)]):
        r = _program(args)
        assert r.returncode == 1
        assert NIR not in r.stdout + r.stderr
        assert NIR[2:13] not in r.stdout + r.stderr
    r = _program(["scan", str(tmp_path / f"absent_{NIR}")])
    assert r.returncode == 27 and NIR not in r.stdout + r.stderr


def test_every_place_through_the_program(tmp_path: Path) -> None:
    """One run of ``hygie scan --json`` over a folder holding a NIR in each structure of
    tests/scan_structures.py (and the same files with ordinary text): each judged right."""
    from tests.scan_structures import DOCUMENTS

    spaced = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]])
    expected: dict[str, str] = {}
    for i, (case, build) in enumerate(sorted(DOCUMENTS.items())):
        if case == "file name":
            continue  # the file name itself is the place: covered above
        for secret, status in ((spaced, "patient_data"), ("Pansement jeudi", "clean")):
            data, name = build(secret)
            target = tmp_path / f"{i:02d}-{status}-{name}"
            target.write_bytes(data)
            expected[target.name] = status
    r = _program(["scan", "--json", str(tmp_path)], timeout=300)
    assert r.returncode == 1
    assert NIR not in r.stdout and spaced not in r.stdout
    got = {Path(d["name"]).name: d["status"] for d in json.loads(r.stdout)["data"]["documents"]}
    assert got == expected
