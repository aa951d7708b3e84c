"""Every PDF hygie makes, through Debian's real Chromium with WeasyPrint unable to import, and
through WeasyPrint; checked with poppler (text present, page count, nothing past the margin).

The CLI runs in a child interpreter where ``import weasyprint`` fails (``sys.modules`` entry set
to None), which is what a Windows or macOS machine without Pango looks like to hygie.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hygie.backup import state
from hygie.backup.destinations import Destination
from hygie.backup.sheet import write_sheet
from hygie.render import pdf as pdf_mod
from hygie.store import open_store

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed")
REPO_ID = "8f3a1c9e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"  # 64 characters
LONG_WORD = "support-informatique-du-cabinet-des-lilas-et-des-infirmieres@prestataire.example"
WITHOUT_WEASYPRINT = (
    "import sys; sys.modules['weasyprint'] = None; from hygie.cli.app import main; main()"
)


def run_hygie(args: list[str], *, weasyprint: bool) -> subprocess.CompletedProcess[str]:
    code = WITHOUT_WEASYPRINT if not weasyprint else "from hygie.cli.app import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ),
    )


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    m = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    assert m, out.stdout
    return int(m.group(1))


def rightmost_word(path: Path) -> tuple[float, float, str]:
    """(page width, the largest xMax of any word, that word) from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True)
    width = float(re.search(r'<page width="([\d.]+)"', out.stdout).group(1))  # type: ignore[union-attr]
    words = re.findall(
        r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', out.stdout
    )
    assert words, "no text in the PDF"
    x, word = max((float(x), w) for x, w in words)
    return width, x, word


def assert_within_margins(path: Path) -> None:
    width, x, word = rightmost_word(path)
    # A4 is 595 pt wide; every template keeps at least 1.4 cm (40 pt) of right margin.
    assert x <= width - 30, f"{word!r} ends at {x:.0f} pt on a {width:.0f} pt page"


def sections(html_page: Path) -> int:
    """How many one-page sections the kit has (each starts a new printed page)."""
    n = html_page.read_text(encoding="utf-8").count('<section class="page"')
    assert n >= 5
    return n


def png_of_page(path: Path, page: int, out: Path) -> Path:
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", str(page), "-l", str(page), "-singlefile",
         str(path), str(out)],
        check=True,
    )  # fmt: skip
    png = out.with_suffix(".png")
    assert png.stat().st_size > 1000
    return png


def configure_backup() -> None:
    """A backup configuration with a long repository id and a long path (the kit prints them)."""
    long_dir = "/media/infirmiere/DISQUE-SAUVEGARDE-CABINET/" + "sauvegardes-hygie-" * 4
    cfg = state.BackupConfig(
        ("/home/infirmiere/Documents",),
        (
            Destination("disque", "local", long_dir, removable=True, repo_id=REPO_ID),
            Destination("nuage", "s3", "s3:https://s3.fr-par.example/cabinet", repo_id=REPO_ID),
        ),
    )
    state.save_config(open_store(), cfg)


KIT_SETUP = [
    "kit", "setup", "--practice", "Cabinet des Lilas",
    "--it-name", "InfoSanté", "--it-phone", "01 23 45 67 89", "--it-email", LONG_WORD,
]  # fmt: skip


@needs_chromium
def test_kit_through_chromium_without_weasyprint_wraps_long_ids(tmp_path: Path) -> None:
    configure_backup()
    assert run_hygie(KIT_SETUP, weasyprint=False).returncode == 0
    out = tmp_path / "kit.pdf"
    page = tmp_path / "kit.html"
    r = run_hygie(["kit", "--pdf", str(out), "--html", str(page), "--lang", "fr"], weasyprint=False)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert "Kit d'urgence cyber" in text and "dmp.fr" in text
    assert "Cabinet des Lilas" in text
    # The repository id is printed whole (possibly wrapped): its characters are all there.
    assert REPO_ID in re.sub(r"\s+", "", text)
    assert page_count(out) == sections(page)  # one page per section, as with WeasyPrint
    assert_within_margins(out)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    png_of_page(out, page_count(out), tmp_path / "kit-last")


def test_kit_through_weasyprint_wraps_long_ids(tmp_path: Path) -> None:
    configure_backup()
    assert run_hygie(KIT_SETUP, weasyprint=True).returncode == 0
    out = tmp_path / "kit.pdf"
    page = tmp_path / "kit.html"
    r = run_hygie(["kit", "--pdf", str(out), "--html", str(page)], weasyprint=True)
    assert r.returncode == 0, r.stderr
    assert REPO_ID in re.sub(r"\s+", "", pdf_text(out))
    assert page_count(out) == sections(page)
    assert_within_margins(out)


@needs_chromium
@pytest.mark.parametrize("weasyprint", [False, True], ids=["chromium", "weasyprint"])
def test_audit_report(weasyprint: bool, tmp_path: Path) -> None:
    out = tmp_path / "bilan.pdf"
    r = run_hygie(["audit", "--pdf", str(out), "--no-record"], weasyprint=weasyprint)
    assert r.returncode in (0, 1), r.stderr  # 1: a critical measure on this machine
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert "Bilan d'hygiène informatique du cabinet" in text
    for measure in ("M01", "M07", "M13"):
        assert measure in text
    assert page_count(out) >= 2
    assert_within_margins(out)


@needs_chromium
@pytest.mark.parametrize("engine", ["browser", "weasyprint"])
def test_recovery_sheet_with_each_engine(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pdf_mod.ENGINE_ENV, engine)
    cfg = state.BackupConfig(
        ("/home/infirmiere/Documents",),
        (Destination("disque", "local", "/media/x/" + "d" * 90, repo_id=REPO_ID),),
    )
    html, out = write_sheet(cfg, tmp_path / "fiche")
    assert html.exists() and out is not None
    text = pdf_text(out)
    assert "Fiche de récupération des sauvegardes" in text
    assert REPO_ID in re.sub(r"\s+", "", text)
    assert page_count(out) >= 1
    assert_within_margins(out)


def test_no_engine_keeps_the_html_and_says_what_to_install(tmp_path: Path) -> None:
    out = tmp_path / "kit.pdf"
    env_browser = {pdf_mod.ENGINE_ENV: "browser", pdf_mod.BROWSER_ENV: str(tmp_path / "absent")}
    os.environ.update(env_browser)
    try:
        r = run_hygie(["kit", "--pdf", str(out)], weasyprint=False)
    finally:
        for k in env_browser:
            os.environ.pop(k, None)
    assert r.returncode == 4, r.stderr
    assert not out.exists()
    kept = out.with_suffix(".html")
    assert kept.exists() and "Kit d&#39;urgence cyber" in kept.read_text(encoding="utf-8")
    assert oct(kept.stat().st_mode & 0o777) == "0o600"  # it may hold the backup password
    said = " ".join(r.stderr.split())  # the terminal wraps long lines
    assert "Aucun moyen de fabriquer un PDF" in said
    assert "Installez le navigateur Chromium" in said and "Enregistrer au format PDF" in said


def test_dashboard_pdf_export_without_engine_is_the_page_to_print(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hygie.audit.service import audit
    from hygie.web.app import create_app
    from hygie.web.security import Sessions

    audit(record=True)
    monkeypatch.setenv(pdf_mod.ENGINE_ENV, "browser")
    monkeypatch.setenv(pdf_mod.BROWSER_ENV, str(tmp_path / "absent"))
    sessions = Sessions()
    app, _state = create_app(sessions=sessions, max_body=64 * 1024)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        assert c.get(f"/?token={sessions.token}", follow_redirects=False).status_code == 303
        r = c.get("/rapport.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = html.unescape(r.text)
    assert "Le PDF n'a pas pu être fabriqué" in page and "« Imprimer »" in page
    assert "Installez le navigateur Chromium" in page  # what to install, for this OS
    assert "Bilan d'hygiène informatique du cabinet" in page


@needs_chromium
def test_dashboard_pdf_export_through_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    from hygie.audit.service import audit
    from hygie.web.app import create_app
    from hygie.web.security import Sessions

    audit(record=True)
    monkeypatch.setenv(pdf_mod.ENGINE_ENV, "browser")
    sessions = Sessions()
    app, _state = create_app(sessions=sessions, max_body=64 * 1024)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}", follow_redirects=False)
        r = c.get("/rapport.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
