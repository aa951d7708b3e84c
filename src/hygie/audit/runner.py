"""Run an audit: collect facts concurrently, fill gaps from answers, run checks, score."""

from __future__ import annotations

import concurrent.futures as cf
import contextvars
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hygie import __version__
from hygie.audit import registry, scoring
from hygie.audit.answers import Answer, answer_to_fact, from_store
from hygie.audit.catalogue import Measure, Question, load_catalogue
from hygie.audit.context import ProbeContext
from hygie.audit.model import (
    AuditResult,
    Change,
    CheckResult,
    Fact,
    FactState,
    MeasureResult,
    Outcome,
    Status,
)
from hygie.i18n import _, get_language
from hygie.platform import PLATFORM_LABELS_FR

log = logging.getLogger("hygie.audit.runner")

ProgressFn = Callable[[int, int, str], None]
# Overall time budget for probes; a probe still running then is "unknown (timeout)".
DEADLINE_S = 8.0


@dataclass
class FactCollection:
    facts: dict[str, Fact]
    # facts no provider can tell on this platform (their question may be asked)
    unprobeable: set[str] = field(default_factory=set)


def needed_facts(measures: Iterable[Measure]) -> set[str]:
    checks = registry.checks()
    out: set[str] = set()
    for m in measures:
        for ref in m.checks:
            out.update(checks[ref.check_id].facts)
    return out


def _run_provider(p: registry.Provider, ctx: ProbeContext) -> list[Fact]:
    """The provider's facts; an error is logged with its traceback and makes only the facts
    it had not yet given unknown (a probe error never hides what was already found)."""
    out: list[Fact] = []
    try:
        for f in p.fn(ctx):
            out.append(f)
    except Exception as exc:  # a probe never breaks the audit
        log.exception("probe %s failed", p.name)
        given = {f.key for f in out}
        out += [
            Fact.unknown(
                k,
                _("erreur de la sonde : {err} (détails dans le fichier hygie.log)").format(
                    err=type(exc).__name__
                ),
                p.name,
            )
            for k in p.facts
            if k not in given
        ]
    return out


def collect_facts(
    ctx: ProbeContext,
    wanted: set[str],
    progress: ProgressFn | None = None,
    deadline_s: float = DEADLINE_S,
) -> FactCollection:
    """Run every provider of this platform that gives a wanted fact, concurrently."""
    chosen = [p for p in registry.providers_for(ctx.platform) if set(p.facts) & wanted]
    facts: dict[str, Fact] = {}
    done = 0
    total = len(chosen)
    if progress:
        progress(0, total, "")
    if chosen:
        with cf.ThreadPoolExecutor(max_workers=min(12, total)) as pool:
            # each provider runs in a copy of this context: the language (a ContextVar)
            # follows it into the worker threads, so reasons come in the chosen language
            futures = {
                pool.submit(contextvars.copy_context().run, _run_provider, p, ctx): p
                for p in chosen
            }
            try:
                for fut in cf.as_completed(futures, timeout=deadline_s):
                    p = futures[fut]
                    _merge(facts, p, fut.result())
                    done += 1
                    if progress:
                        progress(done, total, p.name)
            except cf.TimeoutError:
                for fut, p in futures.items():
                    if not fut.done():
                        fut.cancel()
                        for k in p.facts:
                            facts.setdefault(
                                k,
                                Fact.unknown(k, _("la vérification a pris trop de temps"), p.name),
                            )
    covered = {k for p in chosen for k in p.facts}
    for p in chosen:  # facts a provider promised but did not return
        for k in p.facts:
            facts.setdefault(k, Fact.unknown(k, _("la sonde n'a rien renvoyé"), p.name))
    return FactCollection(facts, wanted - covered)


def _merge(facts: dict[str, Fact], p: registry.Provider, produced: list[Fact]) -> None:
    for f in produced:
        if f.key not in p.facts:
            continue  # a provider may only give what it declared
        current = facts.get(f.key)
        # Several providers for one fact: a known answer beats an unknown one.
        if current is None or (not current.is_known and f.is_known):
            facts[f.key] = f


def fill_from_answers(
    collection: FactCollection,
    wanted: set[str],
    questions: dict[str, Question],
    answers: dict[str, Answer],
    platform: str,
    now: dt.datetime,
) -> dict[str, Fact]:
    facts = dict(collection.facts)
    for key in wanted:
        current = facts.get(key)
        if current is not None and current.state is not FactState.UNKNOWN:
            continue
        q = questions.get(key)
        if q is not None and key in answers:
            facts[key] = answer_to_fact(q, answers[key], now)
        elif current is None:
            if q is not None and platform in q.platforms:
                facts[key] = Fact.unknown(
                    key, _("à renseigner dans le questionnaire (hygie questionnaire)"), askable=True
                )
            else:
                facts[key] = Fact.unknown(
                    key,
                    _("ne peut pas être vérifié automatiquement sur {os}").format(
                        os=PLATFORM_LABELS_FR.get(platform, platform)
                    ),
                )
    return facts


def run_check(check: registry.Check, facts: registry.Facts, required: bool) -> CheckResult:
    if not check.handles_unknown:
        for key in check.facts:
            f = facts[key]
            if f.state is FactState.UNKNOWN:
                return CheckResult(check.check_id, Status.UNKNOWN, f.reason, required, check.facts)
            if f.state is FactState.NOT_APPLICABLE:
                return CheckResult(
                    check.check_id, Status.NOT_APPLICABLE, f.reason, required, check.facts
                )
    try:
        outcome = check.fn(facts)
    except Exception as exc:  # a buggy check is unknown, never ok
        log.exception("check %s failed", check.check_id)
        outcome = Outcome(
            Status.UNKNOWN,
            _("erreur interne de la vérification : {err}").format(err=type(exc).__name__),
        )
    return CheckResult(check.check_id, outcome.status, outcome.evidence, required, check.facts)


def evaluate(
    measures: Iterable[Measure], facts: dict[str, Fact], platform: str
) -> tuple[MeasureResult, ...]:
    checks = registry.checks()
    view = registry.Facts(facts)
    results = []
    for m in measures:
        crs = tuple(run_check(checks[ref.check_id], view, ref.required) for ref in m.checks)
        results.append(
            MeasureResult(
                measure_id=m.measure_id,
                title=m.title,
                theme=m.theme,
                status=scoring.measure_status(crs),
                severity=m.severity,
                weight=m.weight,
                priority=m.priority,
                checks=crs,
                fix_steps=m.fix_steps(platform),
                why=m.why,
            )
        )
    return tuple(results)


def compare(
    measures: Iterable[MeasureResult], previous: dict[str, str] | None
) -> tuple[Change, ...]:
    if previous is None:
        return ()
    out = []
    for m in measures:
        before = previous.get(m.measure_id)
        before_s = Status(before) if before else None
        if before_s is not m.status:
            out.append(Change(m.measure_id, before_s, m.status))
    return tuple(out)


def run_audit(
    ctx: ProbeContext,
    *,
    extra_answers: dict[str, Answer] | None = None,
    progress: ProgressFn | None = None,
    record: bool = True,
) -> AuditResult:
    """The whole audit. Answers from ``extra_answers`` (an answers file) win over stored ones.

    When ``record`` and a store is given, the result is added to the history.
    """
    t0 = time.monotonic()
    started = ctx.now.isoformat(timespec="seconds")
    measures = load_catalogue()
    questions = {q.fact: q for m in measures for q in m.questions}
    wanted = needed_facts(measures)
    collection = collect_facts(ctx, wanted, progress)
    answers = from_store(ctx.store.answers()) if ctx.store else {}
    answers.update(extra_answers or {})
    facts = fill_from_answers(collection, wanted, questions, answers, ctx.platform, ctx.now)
    results = evaluate(measures, facts, ctx.platform)
    previous = ctx.store.last_audit() if ctx.store else None
    audit = AuditResult(
        started_at=started,
        duration_s=time.monotonic() - t0,
        platform=ctx.platform,
        lang=get_language(),
        hygie_version=__version__,
        measures=results,
        score=scoring.score(results),
        actions=scoring.actions(results),
        facts=tuple(sorted(facts.values(), key=lambda f: f.key)),
        previous=(
            {"started_at": previous["started_at"], "score": previous["score"]} if previous else None
        ),
        changes=compare(results, previous["statuses"] if previous else None),
    )
    if record and ctx.store is not None:
        ctx.store.add_audit(audit.to_dict())
    return audit


def questions_to_ask(ctx: ProbeContext, *, include_answered: bool = False) -> list[Question]:
    """Questions for facts that no probe can tell on this OS, or that a module left open.

    Answered questions are skipped unless stale or ``include_answered``.
    """
    measures = load_catalogue()
    wanted = needed_facts(measures)
    collection = collect_facts(ctx, wanted)
    answers = from_store(ctx.store.answers()) if ctx.store else {}
    out = []
    for m in measures:
        for q in m.questions:
            if ctx.platform not in q.platforms:
                continue
            fact = collection.facts.get(q.fact)
            probeable = q.fact not in collection.unprobeable
            if probeable and fact is not None and (fact.is_known or not fact.askable):
                continue
            if fact is not None and fact.state is FactState.NOT_APPLICABLE:
                continue
            a = answers.get(q.fact)
            if a is not None and not a.is_stale(ctx.now) and not include_answered:
                continue
            out.append(q)
    return out
