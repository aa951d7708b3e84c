"""``hygie incident report``: drafts for cybermalveillance.gouv.fr and the CNIL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hygie.errors import ConfigError
from hygie.incident.journal import Journal
from hygie.incident.report import (
    ReportAnswers,
    build_drafts,
    inform_patients_text,
    load_answers,
    time_left_text,
)
from incident_helpers import run_cli

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def _incident(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    j = Journal.create(folder)
    j.append("incident ouvert", kind="start")
    j.append("réseau coupé : nmcli networking off", step=3, kind="isolate")
    return folder


def test_time_left_and_overdue() -> None:
    deadline = NOW + dt.timedelta(hours=50, minutes=5)
    assert time_left_text(deadline, NOW) == "il reste 50 h 05 min"
    assert time_left_text(NOW - dt.timedelta(hours=3), NOW).startswith("délai dépassé de 3 h")


@pytest.mark.parametrize(
    ("answers", "start"),
    [
        (ReportAnswers(personal_data="no"), "Non"),
        (ReportAnswers(personal_data="yes", confidentiality=True), "Oui, très probablement"),
        (ReportAnswers(personal_data="yes", availability=True), "À évaluer : les données"),
        (ReportAnswers(personal_data="unknown"), "À évaluer avec votre prestataire"),
    ],
)
def test_inform_patients(answers: ReportAnswers, start: str) -> None:
    assert inform_patients_text(answers).startswith(start)


def test_cnil_draft_has_every_part_and_the_72_hours(tmp_path: Path) -> None:
    folder = _incident(tmp_path)
    answers = ReportAnswers(
        discovered_at="2026-11-28T09:30:00+00:00",
        description="Écran de rançon, fichiers renommés en .kr4ck",
        personal_data="yes",
        confidentiality=True,
        availability=True,
        persons_categories=("patients",),
        persons_count=350,
        records_count=1200,
        data_categories=("identité", "données de santé"),
        consequences="divulgation possible de données de santé",
        measures_planned="restauration depuis la sauvegarde du 27/11",
    )
    d = build_drafts(folder, answers, now=NOW)
    assert d.deadline == "2026-12-01T09:30:00+00:00"
    assert d.time_left == "il reste 45 h 30 min"
    cnil = (folder / "drafts" / "cnil-notification.txt").read_text()
    for needle in (
        "notifier-une-violation-de-donnees-personnelles",
        "confidentialité",
        "disponibilité",
        "350",
        "1200",
        "article 9",
        "divulgation possible",
        "réseau coupé : nmcli networking off",
        "restauration depuis la sauvegarde",
        "Oui, très probablement",
        "il reste 45 h 30 min",
    ):
        assert needle in cnil, needle
    cyber = (folder / "drafts" / "cybermalveillance.txt").read_text()
    assert "cybermalveillance.gouv.fr" in cyber and ".kr4ck" in cyber
    data = json.loads((folder / "drafts" / "report.json").read_text())
    assert data["hours_left"] == 45.5
    last = Journal.open(folder).entries()[-1]
    assert last["kind"] == "report" and "rien n'a été envoyé" in last["action"]


def test_discovery_defaults_to_the_journal_opening(tmp_path: Path) -> None:
    folder = _incident(tmp_path)
    first = Journal.open(folder).entries()[0]["utc"]
    d = build_drafts(folder, ReportAnswers())
    assert d.discovered_at == first
    assert 71 < d.hours_left <= 72


def test_answers_file_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _incident(tmp_path)
    ans = tmp_path / "answers.toml"
    ans.write_text(
        '[report]\ndescription = "rançongiciel"\npersonal_data = "yes"\nintegrity = true\n'
        'persons_count = 12\ndata_categories = ["santé"]\n',
        encoding="utf-8",
    )
    assert load_answers(ans).persons_count == 12
    code, out, _err = run_cli(
        ["incident", "report", str(folder), "--answers", str(ans), "--json"], capsys
    )
    assert code == 0
    doc = json.loads(out)["data"]
    assert doc["answers"]["integrity"] is True and len(doc["files"]) == 3
    bad = tmp_path / "bad.toml"
    bad.write_text("nope = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_answers(bad)
