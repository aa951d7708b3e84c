"""``hygie scan`` end to end: exit codes, JSON envelope, nothing printed in clear."""

from __future__ import annotations

import json
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


def test_missing_path_exits_21(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["scan", str(tmp_path / "absent")], capsys)
    assert code == 21
    assert "n'existe pas" in err


def test_empty_folder_exits_22(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = _run(["scan", str(tmp_path)], capsys)
    assert code == 22


def test_english(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--lang", "en", "scan", str(folder)], capsys)
    assert code == 1
    assert "patient data found" in out
