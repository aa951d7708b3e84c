"""What the pages show, computed from the audit's typed results (pure functions, no I/O).

A past audit is read back as an :class:`hygie.audit.AuditResult`; the catalogue is read only
for what the result does not hold: titles in the language the dashboard shows now (the result
keeps the audit's language) and the fix steps worded for the dashboard.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from hygie import audit as audit_api
from hygie.audit import STATUS_RANK, AuditResult, CheckResult, Measure, Question, Status
from hygie.i18n import N_, _
from hygie.web.charts import score_chart


def when(iso: str | None) -> str:
    """``2026-11-29T10:04:00+00:00`` -> ``29/11/2026 10:04`` (local time of this computer)."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Card:
    measure_id: str
    title: str
    theme: str
    status: str
    summary: str


def cards(result: AuditResult, cat: Mapping[str, Measure]) -> list[Card]:
    out = []
    for m in result.measures:
        known = cat.get(m.measure_id)
        out.append(
            Card(
                m.measure_id,
                known.title if known else m.title,
                known.theme if known else m.theme,
                m.status.value,
                m.summary,
            )
        )
    return out


@dataclass(frozen=True)
class Urgent:
    measure_id: str
    title: str
    status: str
    first_step: str


def urgent_actions(result: AuditResult, cat: Mapping[str, Measure], n: int = 3) -> list[Urgent]:
    """The audit's own action list (already in priority order), first ``n``; each first step
    worded for the dashboard (a button, never a command) on the audited OS."""
    from hygie.web.plain import plain

    out = []
    for a in result.actions[:n]:
        known = cat.get(a.measure_id)
        steps: Sequence[str] = a.steps
        if known is not None and result.platform:
            steps = known.dashboard_steps(result.platform) or steps
        out.append(
            Urgent(
                a.measure_id,
                known.title if known else a.title,
                a.status.value,
                plain(steps[0]) if steps else "",
            )
        )
    return out


# What each measure's "Comment corriger" offers as buttons (the fix steps name them).
MEASURE_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "M04": ((N_("Vérifier une adresse ou un document"), "/messagerie"),),
    "M06": ((N_("Analyser une clé USB"), "/cle-usb"),),
    "M07": (
        (N_("Mettre en place la sauvegarde"), "/sauvegardes#configurer"),
        (N_("Sauvegarder ou tester la restauration"), "/sauvegardes"),
    ),
    "M10": ((N_("Ajouter un hébergeur certifié HDS"), "/sauvegardes#hds"),),
    "M11": (
        (N_("Que faire si le logiciel est indisponible"), "/logiciel-indisponible"),
        (N_("Imprimer le kit"), "/incident/kit/imprimer"),
    ),
    "M12": (
        (N_("Noter mes contacts"), "/incident/contacts"),
        (N_("Imprimer le kit"), "/incident/kit/imprimer"),
        (N_("Faire un exercice"), "/incident/exercice"),
    ),
}


def measure_actions(mid: str) -> list[tuple[str, str]]:
    return [(_(label), url) for label, url in MEASURE_ACTIONS.get(mid, ())]


def size(n: object) -> str:
    """Bytes for people: ``1,5 Go``."""
    if not isinstance(n, int | float):
        return "?"
    value = float(n)
    for unit in (N_("octets"), N_("Ko"), N_("Mo"), N_("Go"), N_("To")):
        if value < 1024 or unit == "To":
            text = f"{value:.0f}" if unit == "octets" or value >= 100 else f"{value:.1f}"
            return f"{text.replace('.', ',')} {_(unit)}"
        value /= 1024
    return "?"  # pragma: no cover


def duration(seconds: object) -> str:
    """``75.2`` -> ``1 min 15 s``."""
    if not isinstance(seconds, int | float):
        return "?"
    s = round(float(seconds))
    if s < 60:
        return _("{s} s").format(s=max(s, 1) if seconds else 0)
    return _("{m} min {s} s").format(m=s // 60, s=s % 60)


@dataclass(frozen=True)
class MeasureView:
    """A measure's result as its page shows it."""

    status: str
    checks_shown: tuple[CheckResult, ...]


def measure_result(result: AuditResult | None, mid: str) -> MeasureView | None:
    if result is None:
        return None
    for m in result.measures:
        if m.measure_id == mid:
            # several checks often give the same reason ("not set up"): say it once
            seen: set[tuple[str, str]] = set()
            shown = []
            for c in m.checks:
                key = (c.status.value, c.evidence)
                if key not in seen:
                    seen.add(key)
                    shown.append(c)
            return MeasureView(m.status.value, tuple(shown))
    return None


@dataclass(frozen=True)
class QuestionView:
    fact: str
    text: str
    help: str
    choices: tuple[tuple[str, str], ...]
    current: str
    answered_at: str


def question_view(q: Question, answers: Mapping[str, tuple[str, str]]) -> QuestionView:
    value, at = answers.get(q.fact, ("", ""))
    return QuestionView(
        q.fact, q.text, q.help, tuple(audit_api.answer_choices(q)), value, at[:10] if at else ""
    )


def question_steps(questions: Sequence[Question]) -> list[tuple[str, list[Question]]]:
    """One step per theme, in catalogue order."""
    steps: list[tuple[str, list[Question]]] = []
    for q in questions:
        if not steps or steps[-1][0] != q.theme:
            steps.append((q.theme, []))
        steps[-1][1].append(q)
    return steps


def first_unanswered_step(
    steps: Sequence[tuple[str, Sequence[Question]]], answers: Mapping[str, Any]
) -> int:
    for i, (_theme, qs) in enumerate(steps):
        if any(q.fact not in answers for q in qs):
            return i
    return 0


def chart(rows: Sequence[Mapping[str, Any]]) -> Markup:
    """Rows are newest first (as the store gives them)."""
    points = [(str(r["started_at"]), r["score"]) for r in reversed(rows)]
    return score_chart(points)


@dataclass(frozen=True)
class HistoryChange:
    started_at: str
    measure_id: str
    title: str
    before: str | None
    after: str
    direction: str


def _direction(before: str | None, after: str) -> str:
    if before is None:
        return "new"
    unsure = {Status.UNKNOWN.value, Status.NOT_APPLICABLE.value}
    if before in unsure or after in unsure:
        return "changed"
    delta = STATUS_RANK[Status(before)] - STATUS_RANK[Status(after)]
    return "improved" if delta > 0 else "regressed" if delta < 0 else "same"


def history_changes(
    rows: Sequence[Mapping[str, Any]], cat: Mapping[str, Measure]
) -> list[HistoryChange]:
    """What changed between consecutive audits (rows newest first)."""
    out = []
    for newer, older in itertools.pairwise(rows):
        for mid, after in sorted(newer["statuses"].items()):
            before = older["statuses"].get(mid)
            if before != after:
                known = cat.get(mid)
                out.append(
                    HistoryChange(
                        str(newer["started_at"]),
                        mid,
                        known.title if known else mid,
                        before,
                        after,
                        _direction(before, after),
                    )
                )
    return out


DIRECTION_LABELS = {
    "improved": N_("en progrès"),
    "regressed": N_("en recul"),
    "changed": N_("changé"),
    "new": N_("nouvelle"),
    "same": N_("inchangé"),
}

JOB_NAV = {
    "audit": "home",
    "backup": "backup",
    "restore": "backup",
    "scan": "media",
    "engine": "media",
}


def nav_of_job(kind: str) -> str:
    return JOB_NAV.get(kind.split(":", 1)[0], "")
