"""The audit pipeline: facts (probes, module state, answers) -> checks -> measures -> score.

The public surface (``__all__``): what the fronts (CLI, dashboard), the renderers and the other
capabilities use. A capability gives facts with :func:`provider` (reading a
:class:`ProbeContext`) and checks with :func:`check` (reading :class:`Facts`, returning an
:class:`Outcome`); the fronts run :func:`audit` and read the typed :class:`AuditResult`.
Everything else in the package (runner, scoring, answers, probes) is internal.

The renderers (:mod:`hygie.audit.render`: the terminal view, the HTML/PDF report) are imported
on first use: a capability's facts and checks import this package without Jinja2 or Rich.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hygie.audit.catalogue import (
    Measure,
    Question,
    catalogue_source_strings,
    load_catalogue,
    measure_ids,
)
from hygie.audit.context import ProbeContext
from hygie.audit.history import fact_history, last_recorded, recorded_result
from hygie.audit.model import (
    STATUS_ICONS,
    STATUS_LABELS_FR,
    STATUS_RANK,
    AuditResult,
    CheckResult,
    Fact,
    FactState,
    MeasureResult,
    Outcome,
    Status,
)
from hygie.audit.registry import Facts, check, provider
from hygie.audit.service import (
    answer_choices,
    audit,
    make_context,
    pending_questions,
    save_answer,
)

if TYPE_CHECKING:
    from rich.console import Console


def render_audit(result: AuditResult, console: Console) -> None:
    """The audit in the terminal (:func:`hygie.audit.render.terminal.render_audit`)."""
    from hygie.audit.render.terminal import render_audit as render

    render(result, console)


def render_compare(result: AuditResult, console: Console) -> None:
    """What changed since the previous audit (:mod:`hygie.audit.render.terminal`)."""
    from hygie.audit.render.terminal import render_compare as render

    render(result, console)


def render_html(result: AuditResult, *, for_pdf: bool = False, notice: str = "") -> str:
    """The printable report's HTML page (:func:`hygie.audit.render.report.render_html`)."""
    from hygie.audit.render.report import render_html as render

    return render(result, for_pdf=for_pdf, notice=notice)


def write_html(result: AuditResult, path: Path) -> Path:
    """The report written as HTML (:mod:`hygie.audit.render.report`)."""
    from hygie.audit.render.report import write_html as write

    return write(result, path)


def write_pdf(result: AuditResult, path: Path) -> Path:
    """The report written as PDF (:mod:`hygie.audit.render.report`)."""
    from hygie.audit.render.report import write_pdf as write

    return write(result, path)


def pdf_or_printable(result: AuditResult) -> tuple[bytes, str]:
    """The report as PDF, else the page to print (:mod:`hygie.audit.render.report`)."""
    from hygie.audit.render.report import pdf_or_printable as make

    return make(result)


__all__ = [
    "STATUS_ICONS",
    "STATUS_LABELS_FR",
    "STATUS_RANK",
    "AuditResult",
    "CheckResult",
    "Fact",
    "FactState",
    "Facts",
    "Measure",
    "MeasureResult",
    "Outcome",
    "ProbeContext",
    "Question",
    "Status",
    "answer_choices",
    "audit",
    "catalogue_source_strings",
    "check",
    "fact_history",
    "last_recorded",
    "load_catalogue",
    "make_context",
    "measure_ids",
    "pdf_or_printable",
    "pending_questions",
    "provider",
    "recorded_result",
    "render_audit",
    "render_compare",
    "render_html",
    "save_answer",
    "write_html",
    "write_pdf",
]
