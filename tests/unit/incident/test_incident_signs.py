"""``hygie incident check``: a simulated ransomware is detected, normal work is not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hygie.incident.signs import RANSOM_NOTE, looks_encrypted, scan, shannon_entropy
from incident_helpers import (
    edit_documents,
    make_documents,
    record_backup_state,
    run_cli,
    simulate_ransomware,
)


def test_entropy_bounds() -> None:
    assert shannon_entropy(b"") == 0.0
    assert shannon_entropy(b"a" * 1000) == 0.0
    assert shannon_entropy(bytes(range(256)) * 8) == pytest.approx(8.0)
    assert shannon_entropy(os.urandom(4096)) > 7.8
    assert shannon_entropy(("Passage à 8 h, pansement refait. " * 100).encode()) < 5.0


@pytest.mark.parametrize(
    ("name", "is_note"),
    [
        ("HOW_TO_DECRYPT_FILES.txt", True),
        ("_readme.txt", True),
        ("!!!READ_ME!!!.html", True),
        ("restore-my-files.txt", True),
        ("#DECRYPT_MY_FILES#.html", True),
        ("COMMENT_RECUPERER_VOS_FICHIERS.txt", True),
        ("README.txt", False),
        ("compte-rendu.txt", False),
        ("recette-gateau.txt", False),
    ],
)
def test_ransom_note_names(name: str, is_note: bool) -> None:
    assert bool(RANSOM_NOTE.search(name)) is is_note


def test_magic_mismatch_and_entropy(tmp_path: Path) -> None:
    good = tmp_path / "a.pdf"
    good.write_bytes(b"%PDF-1.7\n" + os.urandom(8000) + b"\n%%EOF\n")  # compressed streams
    bad = tmp_path / "b.pdf"
    bad.write_bytes(os.urandom(8000))
    text = tmp_path / "c.txt"
    text.write_text("bonjour " * 1000)
    rand_txt = tmp_path / "d.txt"
    rand_txt.write_bytes(os.urandom(8000))
    tiny = tmp_path / "e.txt"
    tiny.write_bytes(os.urandom(40))
    assert looks_encrypted(str(good), ".pdf", good.stat().st_size) is False
    assert looks_encrypted(str(bad), ".pdf", 8000) is True
    assert looks_encrypted(str(text), ".txt", 8000) is False
    assert looks_encrypted(str(rand_txt), ".txt", 8000) is True
    assert looks_encrypted(str(tiny), ".txt", 40) is None  # too small to tell


def test_normal_edited_folder_is_not_flagged(tmp_path: Path) -> None:
    docs = tmp_path / "Documents"
    files = make_documents(docs, 40)
    edit_documents(files)
    report = scan([docs])
    assert report.files == 42
    assert report.recent == 42
    assert report.signs == ()


def test_simulated_ransomware_is_detected(tmp_path: Path) -> None:
    docs = tmp_path / "Documents"
    make_documents(docs / "patients", 30)
    make_documents(docs / "compta", 12)
    encrypted = simulate_ransomware(docs)
    report = scan([docs])
    kinds = {s.kind: s for s in report.signs}
    assert set(kinds) == {"ransom_note", "mass_rename", "encrypted_rewrite"}
    assert kinds["mass_rename"].extension == ".kr4ck"
    assert kinds["mass_rename"].count == encrypted == 42
    assert kinds["ransom_note"].count == 3  # one per folder
    assert kinds["encrypted_rewrite"].count >= 40  # csv/txt/pdf/docx all random now


def test_identifier_like_names_are_masked(tmp_path: Path) -> None:
    docs = tmp_path / "d"
    docs.mkdir()
    for i in range(30):
        (docs / f"ordonnance 1850775123456{i:02d}.pdf").write_bytes(os.urandom(2048))
    report = scan([docs])
    examples = [e for s in report.signs for e in s.examples]
    assert examples
    assert all("1850775123456" not in e for e in examples)
    assert any("18•" in e for e in examples)


def test_cli_check_exit_codes_and_backup_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = tmp_path / "clean"
    make_documents(clean, 12)
    code, out, _err = run_cli(["incident", "check", str(clean)], capsys)
    assert code == 0
    assert "Aucun signe" in out and "pas configurées avec hygie" in out

    attacked = tmp_path / "attacked"
    make_documents(attacked, 40)
    simulate_ransomware(attacked)
    record_backup_state(
        {"disque": [("verify", True, "2026-11-01T20:00:00+00:00"),
                    ("backup", True, "2026-11-28T20:00:00+00:00")]}
    )  # fmt: skip
    code, out, _err = run_cli(["incident", "check", str(attacked), "--json"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["status"] == "findings" and doc["data"]["signs_found"] is True
    assert "hygie incident start" in doc["data"]["next_step"]
    assert doc["data"]["backup"]["last_backup_at"] == "2026-11-28T20:00:00+00:00"
    assert doc["data"]["backup"]["last_verified_at"] == "2026-11-01T20:00:00+00:00"
    assert doc["data"]["backup"]["verified_ok"] is True

    code, _out, err = run_cli(["incident", "check", str(tmp_path / "absent")], capsys)
    assert code == 48 and "n'existe pas" in err


def test_backup_state_from_run_records() -> None:
    from hygie.incident.backup_link import backup_state

    record_backup_state(
        {
            "usb": [("verify", True, "2026-11-10T08:00:00+00:00"),
                    ("backup", True, "2026-11-28T20:05:00+00:00")],
            "nas": [("backup", True, "2026-11-27T20:05:00+00:00"),
                    ("backup", False, "2026-11-29T20:05:00+00:00"),  # failed: not a backup
                    ("verify", False, "2026-11-12T08:00:00+00:00")],
        }
    )  # fmt: skip
    st = backup_state()
    assert st.known and st.last_backup_at == "2026-11-28T20:05:00+00:00"
    assert st.last_verified_at == "2026-11-10T08:00:00+00:00"  # the oldest copy counts
    assert st.verified_ok is False  # one copy failed: never "verified"


def test_incident_names_are_masked_by_the_one_masker() -> None:
    from hygie.identifiers import mask_digit_runs as mask
    from hygie.identifiers import mask_digits

    spaced = "1 85 05 78 006 084 36"
    shown = mask(f"scan {spaced}.pdf")
    assert shown == f"scan {mask_digits(spaced)}.pdf"
    assert sum(ch.isdigit() for ch in shown) == 4  # first and last two digits at most
    assert mask("185057800608436-bilan.pdf") == "18•••••••••••36-bilan.pdf"
    assert mask("tel 06.12.34.56.78") == "tel 06.12.34.56.78"  # 10 digits: not an identifier
