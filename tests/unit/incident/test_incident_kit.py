"""``hygie kit``: contacts by flags and interactively, the printable kit (HTML, real PDF)."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from hygie.incident.kit import build_kit, load_kit_config, render_kit_html
from hygie.incident.state import kit_generated_at
from hygie.store import open_store
from incident_helpers import record_backup_state, run_cli

SETUP = [
    "kit", "setup",
    "--practice", "Cabinet des Lilas",
    "--it-name", "InfoSanté Services", "--it-phone", "01 23 45 67 89",
    "--it-email", "support@infosante.example",
    "--security-name", "Marie Dupont", "--security-phone", "06 12 34 56 78",
    "--insurer-name", "Assur'Pro", "--insurer-phone", "09 70 00 00 00", "--insurer-note", "C-77",
    "--colleague-name", "Paul Martin", "--colleague-phone", "06 98 76 54 32",
]  # fmt: skip


def test_setup_by_flags_writes_the_kit_section(
    hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(SETUP, capsys)
    assert code == 0, err
    data = tomllib.loads((hygie_home / "config" / "config.toml").read_text())
    assert data["kit"]["it_provider_phone"] == "01 23 45 67 89"
    assert data["kit"]["insurer_note"] == "C-77"
    kc = load_kit_config()
    assert kc is not None and kc.contacts_ready and kc.missing() == []
    # Later flags change only what they name.
    _code, _out, _err = run_cli(["kit", "setup", "--it-phone", "01 00 00 00 00", "--json"], capsys)
    kc = load_kit_config()
    assert kc is not None
    assert kc.contact("it_provider").phone == "01 00 00 00 00"
    assert kc.contact("security_officer").name == "Marie Dupont"


def test_setup_interactive(hygie_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = ["Cabinet du Port"]
    answers += ["Info Port", "02 00 00 00 01", "", ""]  # IT provider
    answers += ["", "", "", ""]  # security officer left empty
    answers += ["Assureur X", "", "x@assur.example", ""]
    answers += ["Julie", "06 00 00 00 02", "", ""]
    code, _out, err = run_cli(
        ["kit", "setup", "--interactive"], capsys, stdin="\n".join(answers) + "\n"
    )
    assert code == 0, err
    kc = load_kit_config()
    assert kc is not None
    assert kc.practice == "Cabinet du Port"
    assert kc.contact("it_provider").phone == "02 00 00 00 01"
    assert kc.contact("insurer").email == "x@assur.example"
    assert kc.missing() == ["security_officer"]


def test_html_has_six_steps_in_order_sites_and_footer(
    hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(SETUP, capsys)
    html = render_kit_html(build_kit())
    positions = [html.index(f'<span class="n">{n}</span>') for n in range(1, 7)]
    assert positions == sorted(positions)
    assert html.index("N&#39;arrêtez pas") < html.index("Déconnectez le câble")
    for needle in (
        "https://www.cybermalveillance.gouv.fr",
        "https://www.cnil.fr/fr/notifier-une-violation-de-donnees-personnelles",
        "https://www.signal-spam.fr",
        "https://www.dmp.fr",
        "e-CPS",
        "01 23 45 67 89",
        "@bottom-left",
        "counter(pages)",
        "pas configurées avec hygie",
    ):
        assert needle in html, needle


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_renders_with_contacts_and_is_recorded(
    tmp_path: Path, hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(SETUP, capsys)
    pdf = tmp_path / "kit.pdf"
    code, _out, err = run_cli(
        ["kit", "--pdf", str(pdf), "--html", str(tmp_path / "k.html")], capsys
    )
    assert code == 0, err
    assert pdf.read_bytes()[:5] == b"%PDF-"
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(png)],
        check=True,
        timeout=60,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and page.stat().st_size > 2000
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for needle in (
        "InfoSanté Services",
        "01 23 45 67 89",
        "Marie Dupont",
        "Assur'Pro",
        "Paul Martin",
    ):
        assert needle in text, needle
    pages = text.count("\f")
    assert pages >= 5
    assert text.count("hygie 0.1.0") >= pages  # date and version on every page
    assert "Les sauvegardes ne sont pas configurées avec hygie" in " ".join(text.split())
    store = open_store()
    try:
        assert kit_generated_at(store) is not None
    finally:
        store.close()


def test_password_only_with_the_flag(hygie_home: Path) -> None:
    record_backup_state(
        {"disque-usb": [("backup", True, "2026-11-28T20:05:00+00:00"),
                        ("verify", False, "2026-11-29T08:00:00+00:00")]},
        passwords={"disque-usb": "correct-horse-battery"},
    )  # fmt: skip
    without = render_kit_html(build_kit())
    # the copy, where it is, its repository, its dates and the failed test, the steps
    for shown in ("disque-usb", "/srv/sauvegardes/disque-usb", "repo-disque-usb",
                  "2026-11-28 20:05 UTC", "2026-11-29 08:00 UTC", "échoué",
                  "restore latest", "/home/infirmiere/Documents"):  # fmt: skip
        assert shown in without, shown
    assert "correct-horse-battery" not in without
    with_pw = render_kit_html(build_kit(with_password=True))
    assert "disque-usb: correct-horse-battery" in with_pw


def test_kit_without_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(["kit"], capsys)
    assert code == 2 and "--pdf" in err


def test_every_recovery_field_has_a_french_label() -> None:
    """A field added to the backup's RecoveryDestination must get its label on the kit."""
    from hygie.backup import RecoveryDestination
    from hygie.incident.backup_link import LABELS_FR

    full = RecoveryDestination(
        "usb", "local", "disque local", "/srv/b", "id", True, "CABINET", "5E2A-91C4",
        "2026-11-28T20:00:00+00:00", "2026-11-20T20:00:00+00:00", False,
        "2026-11-21T20:00:00+00:00",
    )  # fmt: skip
    assert set(full.to_dict()) - set(LABELS_FR) == set()
