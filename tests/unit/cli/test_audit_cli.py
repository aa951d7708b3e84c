"""``hygie audit`` and ``hygie questionnaire`` end to end, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import hygie
from tests.helpers import measure_ids

SCHEMA = Path(hygie.__file__).parent / "schemas" / "audit.schema.json"
ANSWERS_ALL_YES = "\n".join(
    [
        "[answers]",
        *[
            f'"{k}" = "oui"'
            for k in (
                "backup.exists",
                "backup.restore_tested",
                "backup.encrypted",
                "backup.two_places",
                "backup.disconnected",
            )
        ],
    ]
)


def hygie_cli(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HYGIE_HOME=str(home), COLUMNS="120")
    env.pop("HYGIE_LANG", None)
    return subprocess.run(
        [sys.executable, "-m", "hygie", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_audit_json_is_valid_against_the_schema(hygie_home: Path) -> None:
    r = hygie_cli("audit", "--json", home=hygie_home)
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    ids = [m["id"] for m in doc["data"]["measures"]]
    assert ids == measure_ids()
    assert r.returncode == (1 if doc["data"]["critical"] else 0)
    assert doc["status"] == ("findings" if doc["data"]["critical"] else "success")


def test_terminal_report_in_french_then_english(hygie_home: Path) -> None:
    fr = hygie_cli("audit", home=hygie_home)
    assert "Score d'hygiène" in fr.stdout or "Score : non calculable" in fr.stdout
    for mid in ("M01", "M07", "M13"):
        assert mid in fr.stdout
    en = hygie_cli("--lang", "en", "audit", home=hygie_home)
    assert "Hygiene score" in en.stdout or "cannot be computed" in en.stdout
    assert "Mesure" not in en.stdout


def test_answers_file_drives_exit_code_one_on_critical(hygie_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.toml"
    answers.write_text('[answers]\n"backup.exists" = "non"\n', encoding="utf-8")
    r = hygie_cli("audit", "--json", "--answers", str(answers), home=hygie_home)
    assert r.returncode == 1
    m07 = json.loads(r.stdout)["data"]["measures"][6]
    assert m07["status"] == "fail"


def test_bad_answers_file_exit_2_names_line_and_key(hygie_home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.toml"
    answers.write_text('[answers]\n"backup.exists" = "oui"\n"backup.encrypted" = "bof"\n')
    r = hygie_cli("audit", "--answers", str(answers), home=hygie_home)
    assert r.returncode == 2
    assert "ligne 3" in r.stderr and "backup.encrypted" in r.stderr and "bof" in r.stderr
    assert "Rien n'a été modifié" in r.stderr
    assert not (hygie_home / "data" / "hygie.sqlite3").exists() or "Traceback" not in r.stderr
    j = hygie_cli("audit", "--json", "--answers", str(answers), home=hygie_home)
    err = json.loads(j.stdout)
    assert err["status"] == "error" and err["error"]["code"] == "config"


def test_compare_shows_what_changed(hygie_home: Path, tmp_path: Path) -> None:
    first = tmp_path / "1.toml"
    first.write_text('[answers]\n"backup.exists" = "non"\n')
    hygie_cli("audit", "--answers", str(first), home=hygie_home)
    second = tmp_path / "2.toml"
    second.write_text(ANSWERS_ALL_YES)
    r = hygie_cli("audit", "--compare", "--answers", str(second), home=hygie_home)
    assert "Comparaison avec le bilan du" in r.stdout
    assert re.search(r"M07.*critique.*ok.*mieux", r.stdout)


def test_html_report_is_self_contained_and_pdf_renders(hygie_home: Path, tmp_path: Path) -> None:
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    r = hygie_cli("audit", "--no-record", "--html", str(html), "--pdf", str(pdf), home=hygie_home)
    assert r.returncode in (0, 1), r.stderr
    text = html.read_text(encoding="utf-8")
    assert '<html lang="fr">' in text and "M13" in text
    assert not re.search(r'(src|href)="(https?:)?//', text), "external asset in the report"
    assert "<link" not in text and "<script" not in text
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        )
        assert "Bilan d'hygiène informatique" in out.stdout
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
        )
        assert list(tmp_path.glob("p*.png"))


def test_unwritable_report_path_is_a_clear_error(hygie_home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("x")
    r = hygie_cli("audit", "--no-record", "--html", str(blocker / "r.html"), home=hygie_home)
    assert r.returncode == 5
    assert "Le rapport n'a pas pu être écrit" in r.stderr


def test_questionnaire_asks_stores_and_then_has_nothing_left(hygie_home: Path) -> None:
    first = hygie_cli("questionnaire", home=hygie_home, stdin="1\n" * 80)
    assert first.returncode == 0, first.stderr
    assert "je ne sais pas" in first.stdout
    assert "Messagerie" in first.stdout or "M04" in first.stdout
    again = hygie_cli("questionnaire", home=hygie_home)
    assert "Aucune question en attente" in again.stdout
    doc = json.loads(hygie_cli("audit", "--json", home=hygie_home).stdout)
    m07 = doc["data"]["measures"][6]
    assert m07["status"] == "ok"
    assert all(c["status"] in ("ok", "not_applicable") for c in m07["checks"])


def test_unknown_language_is_a_usage_error(hygie_home: Path) -> None:
    r = hygie_cli("--lang", "de", "audit", home=hygie_home)
    assert r.returncode == 2
    assert "langue" in r.stderr


@pytest.mark.parametrize("flag", ["--version"])
def test_version(flag: str, hygie_home: Path) -> None:
    r = hygie_cli(flag, home=hygie_home)
    assert r.returncode == 0 and hygie.__version__ in r.stdout
