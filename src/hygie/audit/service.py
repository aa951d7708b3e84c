"""The audit as the CLI and the dashboard call it: context, answers, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from hygie.audit.answers import Answer, load_answers_file
from hygie.audit.catalogue import ANSWER_DONT_KNOW, Question, questions_by_fact
from hygie.audit.context import ProbeContext
from hygie.audit.model import AuditResult
from hygie.audit.runner import ProgressFn, questions_to_ask, run_audit
from hygie.config import load_config
from hygie.paths import get_paths
from hygie.store import Store, open_store


def make_context(store: Store | None = None) -> ProbeContext:
    paths = get_paths().ensure()
    return ProbeContext(paths=paths, config=load_config(), store=store or open_store())


def audit(
    *,
    answers_file: Path | None = None,
    progress: ProgressFn | None = None,
    record: bool = True,
    ctx: ProbeContext | None = None,
) -> AuditResult:
    """Run the audit on this machine. An answers file is validated before anything runs."""
    ctx = ctx or make_context()
    extra: dict[str, Answer] = {}
    if answers_file is not None:
        extra = load_answers_file(answers_file, questions_by_fact(), ctx.now)
        if ctx.store is not None:  # answers given in a file are remembered like typed ones
            for a in extra.values():
                ctx.store.put_answer(a.fact, a.value, a.answered_at.isoformat(timespec="seconds"))
    return run_audit(ctx, extra_answers=extra, progress=progress, record=record)


def pending_questions(ctx: ProbeContext | None = None, *, all_: bool = False) -> list[Question]:
    ctx = ctx or make_context()
    return questions_to_ask(ctx, include_answered=all_)


def save_answer(ctx: ProbeContext, question: Question, raw: str) -> str:
    """Validate and store one answer; returns the normalised value (raises ValueError)."""
    value = question.parse_answer(raw)
    assert ctx.store is not None
    ctx.store.put_answer(question.fact, value, ctx.now.isoformat(timespec="seconds"))
    return value


def answer_choices(question: Question) -> list[tuple[str, str]]:
    from hygie.i18n import _

    return [(c.value, c.label) for c in question.choices] + [
        (ANSWER_DONT_KNOW, _("je ne sais pas")),
        ("not_applicable", _("non applicable")),
    ]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


ProgressCallback = Callable[[int, int, str], None]
