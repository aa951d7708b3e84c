"""The audit pipeline: facts (probes, module state, answers) -> checks -> measures -> score.

The public surface (``__all__``): what the fronts (CLI, dashboard), the renderers and the other
capabilities use. A capability gives facts with :func:`provider` (reading a
:class:`ProbeContext`) and checks with :func:`check` (reading :class:`Facts`, returning an
:class:`Outcome`); the fronts run :func:`audit` and read the typed :class:`AuditResult`.
Everything else in the package (runner, scoring, answers, probes) is internal.
"""

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
from hygie.audit.render.report import (
    STATUS_ICONS,
    pdf_or_printable,
    render_html,
    write_html,
    write_pdf,
)
from hygie.audit.render.terminal import render_audit, render_compare
from hygie.audit.service import (
    answer_choices,
    audit,
    make_context,
    pending_questions,
    save_answer,
)

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
