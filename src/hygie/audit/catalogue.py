"""The measure catalogue: one YAML file per measure in ``audit/catalogue/``.

Texts are written in French (the source language) and translated through gettext when the
catalogue is loaded for a language. See docs/how-to/add-a-measure.md for the format.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hygie.i18n import _
from hygie.platform import ALL_PLATFORMS

# libyaml's C parser when present (10x faster: the audit reads its YAML at every run)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
SEVERITY_WEIGHTS = {"critical": 3, "high": 2, "medium": 1}
ANSWER_YES, ANSWER_NO, ANSWER_DONT_KNOW, ANSWER_NA = "yes", "no", "dont_know", "not_applicable"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """A question that gives a fact (``fact``) when no probe can tell it on this OS."""

    fact: str
    measure_id: str
    theme: str
    text: str
    help: str
    platforms: frozenset[str]
    choices: tuple[Choice, ...]
    kind: str  # "yesno" or "choice"

    def parse_answer(self, raw: str) -> str:
        """Normalise an answer (value or French/English word); raises ValueError."""
        token = raw.strip().lower()
        aliases = {
            "oui": ANSWER_YES,
            "o": ANSWER_YES,
            "y": ANSWER_YES,
            "true": ANSWER_YES,
            "non": ANSWER_NO,
            "n": ANSWER_NO,
            "false": ANSWER_NO,
            "je ne sais pas": ANSWER_DONT_KNOW,
            "?": ANSWER_DONT_KNOW,
            "dont-know": ANSWER_DONT_KNOW,
            "na": ANSWER_NA,
            "n/a": ANSWER_NA,
            "non applicable": ANSWER_NA,
            "not-applicable": ANSWER_NA,
        }
        token = aliases.get(token, token)
        allowed = {c.value for c in self.choices} | {ANSWER_DONT_KNOW, ANSWER_NA}
        if token not in allowed:
            raise ValueError(token)
        return token

    def allowed_values(self) -> list[str]:
        return [c.value for c in self.choices] + [ANSWER_DONT_KNOW, ANSWER_NA]


@dataclass(frozen=True)
class CheckRef:
    check_id: str
    required: bool


@dataclass(frozen=True)
class Measure:
    measure_id: str
    theme: str
    source: str
    title: str
    why: str
    severity: str
    priority: int
    fix: dict[str, tuple[str, ...]]
    checks: tuple[CheckRef, ...]
    questions: tuple[Question, ...]
    links: tuple[str, ...]
    # the same steps worded for the dashboard (a button instead of a command), step by step
    fix_web: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHTS[self.severity]

    def fix_steps(self, platform: str) -> tuple[str, ...]:
        return self.fix.get(platform) or self.fix.get("all", ())

    def dashboard_steps(self, platform: str) -> tuple[str, ...]:
        """The fix steps as the dashboard shows them: never a command to type."""
        return self.fix_web.get(platform) or self.fix_web.get("all", ())


class CatalogueError(ValueError):
    """The shipped catalogue is malformed (a developer error, caught by the meta-tests)."""


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _step(value: Any, web: bool) -> str:
    """A fix step is a text, or ``{text: …, web: …}`` when the dashboard words it otherwise
    (the terminal names a command, the dashboard a button)."""
    if isinstance(value, dict):
        return str(value["web"] if web and "web" in value else value["text"])
    return str(value)


def _steps(value: Any, web: bool = False) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | dict):
        value = [value]
    return tuple(_step(v, web) for v in value)


def _tr(text: str) -> str:
    return _(text.strip()) if text else ""


def _yesno() -> tuple[Choice, ...]:
    return (Choice(ANSWER_YES, _("oui")), Choice(ANSWER_NO, _("non")))


def _parse_measure(raw: dict[str, Any], path: Path) -> Measure:
    try:
        mid = str(raw["id"])
        theme = _tr(raw["theme"])
        fix = {os_: tuple(_tr(s) for s in _steps(steps)) for os_, steps in raw["fix"].items()}
        fix_web = {
            os_: tuple(_tr(s) for s in _steps(steps, web=True)) for os_, steps in raw["fix"].items()
        }
        unknown_os = set(fix) - ALL_PLATFORMS - {"all"}
        if unknown_os:
            raise CatalogueError(f"{path.name}: unknown platform(s) in fix: {unknown_os}")
        questions = []
        for q in raw.get("questions", []) or []:
            kind = q.get("kind", "yesno")
            choices = (
                _yesno()
                if kind == "yesno"
                else tuple(Choice(str(c["value"]), _tr(c["label"])) for c in q["choices"])
            )
            questions.append(
                Question(
                    fact=str(q["fact"]),
                    measure_id=mid,
                    theme=theme,
                    text=_tr(q["text"]),
                    help=_tr(q.get("help", "")),
                    platforms=frozenset(q.get("platforms", ALL_PLATFORMS)),
                    choices=choices,
                    kind=kind,
                )
            )
        return Measure(
            measure_id=mid,
            theme=theme,
            source=_tr(raw["source"]),
            title=_tr(raw["title"]),
            why=_tr(raw["why"]),
            severity=str(raw["severity"]),
            priority=int(raw["priority"]),
            fix=fix,
            checks=tuple(
                CheckRef(str(c["id"]), bool(c.get("required", True))) for c in raw["checks"]
            ),
            questions=tuple(questions),
            links=_texts(raw.get("links")),
            fix_web=fix_web,
        )
    except (KeyError, TypeError) as exc:
        raise CatalogueError(f"{path.name}: missing or malformed field {exc}") from exc


@functools.cache
def _raw_catalogue() -> tuple[tuple[Path, dict[str, Any]], ...]:
    out = []
    for path in sorted(CATALOGUE_DIR.glob("M*.yaml")):
        with path.open(encoding="utf-8") as fh:
            out.append((path, yaml.load(fh, Loader=_YAML_LOADER)))
    return tuple(out)


def measure_ids() -> tuple[str, ...]:
    """The catalogue's measure ids, sorted (``M01``…), without translating any text."""
    return tuple(sorted(str(raw["id"]) for _path, raw in _raw_catalogue()))


def load_catalogue() -> tuple[Measure, ...]:
    """All measures, texts in the current language, sorted by id."""
    measures = tuple(_parse_measure(raw, path) for path, raw in _raw_catalogue())
    return tuple(sorted(measures, key=lambda m: m.measure_id))


def catalogue_source_strings() -> list[str]:
    """Every French text of the catalogue (for extraction into the .po files)."""
    texts: list[str] = []
    for _path, raw in _raw_catalogue():
        texts += [raw["theme"], raw["source"], raw["title"], raw["why"]]
        for steps in raw["fix"].values():
            texts += list(_steps(steps)) + list(_steps(steps, web=True))
        for q in raw.get("questions", []) or []:
            texts.append(q["text"])
            if q.get("help"):
                texts.append(q["help"])
            texts += [c["label"] for c in q.get("choices", [])]
    return [t.strip() for t in texts if t and t.strip()]


def questions_by_fact() -> dict[str, Question]:
    return {q.fact: q for m in load_catalogue() for q in m.questions}
