"""Questionnaire answers: stored in the local store, or read from an answers TOML file.

Answers file format (docs/reference/answers-file.md)::

    # hygie answers
    [answers]
    "backup.restore_tested" = "oui"          # today's date
    "wifi.router_password_changed" = { value = "non", date = 2026-05-01 }

An answer older than :data:`MAX_AGE_DAYS` is stale: it no longer counts and is asked again.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hygie.audit.catalogue import ANSWER_DONT_KNOW, ANSWER_NA, ANSWER_NO, ANSWER_YES, Question
from hygie.audit.model import Fact, JSONValue
from hygie.errors import ConfigError
from hygie.i18n import _

MAX_AGE_DAYS = 365


@dataclass(frozen=True)
class Answer:
    fact: str
    value: str
    answered_at: dt.datetime

    def age_days(self, now: dt.datetime) -> float:
        return (now - self.answered_at).total_seconds() / 86400

    def is_stale(self, now: dt.datetime) -> bool:
        return self.age_days(now) > MAX_AGE_DAYS


def _parse_date(raw: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(raw)
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def from_store(rows: dict[str, tuple[str, str]]) -> dict[str, Answer]:
    return {f: Answer(f, v, _parse_date(a)) for f, (v, a) in rows.items()}


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(r"^[ \t]*\"?" + re.escape(key) + r"\"?[ \t]*=", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def load_answers_file(
    path: Path, questions: dict[str, Question], now: dt.datetime
) -> dict[str, Answer]:
    """Read and validate an answers file; a bad one raises ConfigError naming key and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path=str(path), line=0, detail=exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path=str(path), line=0, detail=_("le fichier n'est pas en UTF-8")
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(getattr(exc, "lineno", 0) or (m[1] if m else 0))
        raise ConfigError(path=str(path), line=line, detail=str(exc)) from exc
    table = data.get("answers")
    if not isinstance(table, dict):
        raise ConfigError(path=str(path), line=1, detail=_("il manque la section [answers]"))
    out: dict[str, Answer] = {}
    for key, raw in table.items():
        line = _line_of(text, key)
        question = questions.get(key)
        if question is None:
            raise ConfigError(
                path=str(path),
                line=line,
                detail=_("la question « {key} » n'existe pas").format(key=key),
            )
        date = now
        if isinstance(raw, dict):
            value_raw = raw.get("value")
            if "date" in raw:
                d = raw["date"]
                if isinstance(d, dt.datetime):
                    date = d if d.tzinfo else d.replace(tzinfo=dt.UTC)
                elif isinstance(d, dt.date):
                    date = dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
                else:
                    raise ConfigError(
                        path=str(path),
                        line=line,
                        detail=_("la date de « {key} » doit être au format AAAA-MM-JJ").format(
                            key=key
                        ),
                    )
        else:
            value_raw = raw
        if isinstance(value_raw, bool):
            value_raw = ANSWER_YES if value_raw else ANSWER_NO
        if not isinstance(value_raw, str):
            raise ConfigError(
                path=str(path),
                line=line,
                detail=_("la réponse à « {key} » doit être un texte").format(key=key),
            )
        try:
            value = question.parse_answer(value_raw)
        except ValueError:
            raise ConfigError(
                path=str(path),
                line=line,
                detail=_("réponse « {value} » invalide pour « {key} » (choix : {allowed})").format(
                    value=value_raw, key=key, allowed=", ".join(question.allowed_values())
                ),
            ) from None
        if date > now + dt.timedelta(days=1):
            raise ConfigError(
                path=str(path),
                line=line,
                detail=_("la date de « {key} » est dans le futur").format(key=key),
            )
        out[key] = Answer(key, value, date)
    return out


def answer_to_fact(question: Question, answer: Answer, now: dt.datetime) -> Fact:
    """Turn an answer into the fact its question stands for."""
    source = "answer:" + answer.answered_at.date().isoformat()
    if answer.is_stale(now):
        return Fact.unknown(
            question.fact,
            _("réponse du {date} trop ancienne (plus d'un an) : à redonner").format(
                date=answer.answered_at.date().isoformat()
            ),
            source,
            askable=True,
        )
    if answer.value == ANSWER_DONT_KNOW:
        return Fact.unknown(
            question.fact, _("vous avez répondu « je ne sais pas »"), source, askable=True
        )
    if answer.value == ANSWER_NA:
        return Fact.not_applicable(question.fact, _("vous avez répondu « non applicable »"), source)
    value: JSONValue
    value = answer.value == ANSWER_YES if question.kind == "yesno" else answer.value
    return Fact.known(question.fact, value, source)
