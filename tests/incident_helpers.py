"""Helpers for the incident tests: a simulated ransomware and a normal, edited folder."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

NOTE_TEXT = "Your files are encrypted. Pay 2 BTC to recover them.\n"


def _docx(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document><w:body>{text * 40}</w:body></w:document>")
    return buf.getvalue()


def _pdf(text: str) -> bytes:
    body = (text + "\n") * 60
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n" + body.encode() + b"\n%%EOF\n"
    )


def make_documents(folder: Path, n: int = 30, *, secret: str = "SECRET-CONTENT") -> list[Path]:
    """A practice's documents: letters (.docx), invoices (.pdf), notes (.txt), a CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            p = folder / f"lettre-{i}.docx"
            p.write_bytes(_docx(f"Madame, Monsieur {i} {secret}"))
        elif kind == 1:
            p = folder / f"facture-{i}.pdf"
            p.write_bytes(_pdf(f"Facture {i} {secret}"))
        elif kind == 2:
            p = folder / f"transmissions-{i}.txt"
            p.write_text(f"Passage à 8 h, pansement refait, {secret}.\n" * 40, encoding="utf-8")
        else:
            p = folder / f"tournee-{i}.csv"
            p.write_text("heure;patient;soin\n" + "08:00;X;pansement\n" * 60, encoding="utf-8")
        out.append(p)
    return out


def edit_documents(files: list[Path]) -> None:
    """Normal work: documents edited (rewritten in their own format), one renamed."""
    for p in files:
        if p.suffix == ".txt":
            p.write_text(p.read_text(encoding="utf-8") + "Ajout du jour.\n", encoding="utf-8")
        elif p.suffix == ".docx":
            p.write_bytes(_docx("Version corrigée"))
        elif p.suffix == ".pdf":
            p.write_bytes(_pdf("Facture corrigée"))
    files[0].rename(files[0].with_name("lettre-renommee.docx"))
    (files[0].parent / "~$lettre.docx").write_bytes(b"\x00" * 162)
    (files[0].parent / "sauvegarde.zip").write_bytes(_docx("archive"))


def simulate_ransomware(folder: Path, extension: str = ".kr4ck") -> int:
    """What a ransomware does: every document rewritten with random bytes and renamed with one
    new extension, and a ransom note dropped in each folder. Returns the number encrypted."""
    count = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            p = Path(root) / name
            size = max(p.stat().st_size, 1024)
            p.write_bytes(os.urandom(size))
            p.rename(p.with_name(p.name + extension))
            count += 1
        (Path(root) / "HOW_TO_DECRYPT_FILES.txt").write_text(NOTE_TEXT, encoding="utf-8")
    return count


def run_cli(args: list[str], capsys: object, stdin: str | None = None) -> tuple[int, str, str]:
    """Run ``hygie ARGS`` through the real entry point; returns (exit code, stdout, stderr)."""
    import sys

    import pytest

    from hygie.cli.app import main

    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with pytest.raises(SystemExit) as exc:
            main(args)
    finally:
        sys.stdin = old
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    code = exc.value.code
    # stderr is Rich text wrapped at the terminal width: compare it with spaces collapsed.
    return (code if isinstance(code, int) else 0), captured.out, " ".join(captured.err.split())


def record_backup_state(
    destinations: dict[str, list[tuple[str, bool, str]]],
    *,
    passwords: dict[str, str] | None = None,
) -> None:
    """Real backup state in this test's store (no restic run): a configuration with one local
    destination per name, then each ``(operation, ok, finished_at)`` run recorded in order by
    the backup capability's own ``record_run`` (its clock set to ``finished_at``); the
    passwords (if any) in the test's file keyring."""
    from unittest import mock

    from hygie.backup import BackupConfig, Destination, password_secret
    from hygie.backup.state import record_run, save_config
    from hygie.secrets import set_secret
    from hygie.store import open_store

    store = open_store()
    try:
        dests = tuple(
            Destination(name, "local", f"/srv/sauvegardes/{name}", repo_id=f"repo-{name}")
            for name in destinations
        )
        save_config(store, BackupConfig(("/home/infirmiere/Documents",), dests))
        for name, runs in destinations.items():
            for operation, ok, finished_at in runs:
                with mock.patch("hygie.backup.state.utcnow", return_value=finished_at):
                    record_run(store, name, operation, finished_at, ok, {})
    finally:
        store.close()
    for name, password in (passwords or {}).items():
        set_secret(password_secret(name), password)
