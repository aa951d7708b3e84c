from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hygie.audit.answers import answer_to_fact, load_answers_file
from hygie.audit.catalogue import questions_by_fact
from hygie.audit.model import FactState
from hygie.errors import ConfigError

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "answers.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_file_with_french_words_booleans_and_dates(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        '[answers]\n"backup.exists" = "oui"\n"backup.encrypted" = false\n'
        '"ecps.ready" = { value = "je ne sais pas", date = 2026-05-01 }\n'
        '"cloud.hds_certified" = "non applicable"\n',
    )
    answers = load_answers_file(p, questions_by_fact(), NOW)
    assert answers["backup.exists"].value == "yes"
    assert answers["backup.encrypted"].value == "no"
    assert answers["ecps.ready"].value == "dont_know"
    assert answers["ecps.ready"].answered_at.date() == dt.date(2026, 5, 1)
    assert answers["cloud.hds_certified"].value == "not_applicable"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[answers]\n"backup.exists" = "oui"\n"nope.nope" = "oui"\n', 3, "nope.nope"),
        ('[answers]\n\n"backup.exists" = "peut-être"\n', 3, "peut-être"),
        ('[answers]\n"backup.exists" = 3\n', 2, "texte"),
        ('[answers]\n"backup.exists" = { value = "oui", date = 2030-01-01 }\n', 2, "futur"),
        ('[answers]\n"backup.exists" = "oui"\n"x" = \n', 3, ""),
        ('"backup.exists" = "oui"\n', 1, "[answers]"),
    ],
)
def test_bad_file_names_the_line_and_the_key(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_answers_file(p, questions_by_fact(), NOW)
    assert err.value.params["line"] == line
    assert words in str(err.value)
    assert str(p) in str(err.value)
    assert err.value.exit_code == 2


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_answers_file(tmp_path / "absent.toml", questions_by_fact(), NOW)


def test_answers_older_than_a_year_are_stale_and_askable(tmp_path: Path) -> None:
    p = write(tmp_path, '[answers]\n"backup.exists" = { value = "oui", date = 2025-10-01 }\n')
    a = load_answers_file(p, questions_by_fact(), NOW)["backup.exists"]
    assert a.is_stale(NOW)
    fact = answer_to_fact(questions_by_fact()["backup.exists"], a, NOW)
    assert fact.state is FactState.UNKNOWN and fact.askable
    assert "trop ancienne" in fact.reason


def test_yes_no_answers_become_boolean_facts(tmp_path: Path) -> None:
    p = write(tmp_path, '[answers]\n"backup.exists" = "non"\n')
    a = load_answers_file(p, questions_by_fact(), NOW)["backup.exists"]
    fact = answer_to_fact(questions_by_fact()["backup.exists"], a, NOW)
    assert fact.is_known and fact.value is False
    assert fact.source == "answer:2026-11-29"
