"""The overview, the measures, the questionnaire (``hygie.audit``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie import audit as audit_api
from hygie.audit import Question
from hygie.fleet.device import after_audit
from hygie.i18n import _
from hygie.platform import current
from hygie.web import firstrun, pages
from hygie.web.base import (
    WebState,
    catalogue,
    flash,
    form_of,
    in_thread,
    redirect,
    render,
    state_of,
)
from hygie.web.jobs import Report
from hygie.web.routes import remind


async def home(request: Request) -> Response:
    st = state_of(request)
    await in_thread(st.fresh)
    row, doc = st.latest()
    cat = catalogue()
    return render(
        request,
        "home.html.j2",
        active="home",
        row=row,
        doc=doc,
        cards=pages.cards(doc, cat) if doc else [],
        urgent=pages.urgent_actions(doc, cat) if doc else [],
        audit_job=st.jobs.latest("audit"),
        path_steps=await in_thread(firstrun.progress, st.store()),
        reminders=await in_thread(remind.banner, st),
    )


def run_audit(st: WebState) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        ctx = audit_api.make_context(st.store())

        def progress(done: int, total: int, _label: str) -> None:
            report(
                done, total, _("{done} vérifications sur {total}").format(done=done, total=total)
            )

        result = audit_api.audit(ctx=ctx, progress=progress)
        after_audit(result, store_path=st.store().path)  # fleet report: queued, sent in background
        return {
            "score": result.score.value,
            "critical": result.has_critical,
            "changes": len(result.changes),
        }

    return run


async def start_audit(request: Request) -> Response:
    st = state_of(request)
    job, _started = st.jobs.start("audit", _("Bilan de l'ordinateur"), run_audit(st), next_url="/")
    return redirect(f"/taches/{job.job_id}")


async def measure_page(request: Request) -> Response:
    st = state_of(request)
    mid = str(request.path_params["mid"]).upper()
    measure = catalogue().get(mid)
    if measure is None:
        raise HTTPException(404)
    await in_thread(st.fresh)
    _row, doc = st.latest()
    result = pages.measure_result(doc, mid)
    questions = [q for q in await in_thread(st.askable_questions) if q.measure_id == mid]
    answers = st.store().answers()
    return render(
        request,
        "measure.html.j2",
        active="home",
        m=measure,
        result=result,
        fix_steps=measure.dashboard_steps(doc.platform if doc else current()),
        actions=pages.measure_actions(mid),
        questions=[pages.question_view(q, answers) for q in questions],
        before=request.query_params.get("avant"),
    )


def _save_answers(st: WebState, form: dict[str, Any], questions: list[Question]) -> int:
    ctx = audit_api.make_context(st.store())
    saved = 0
    for q in questions:
        raw = form.get("q:" + q.fact, "")
        if isinstance(raw, str) and raw:
            try:
                audit_api.save_answer(ctx, q, raw)
            except ValueError:
                continue
            saved += 1
    return saved


def _save_and_reevaluate(st: WebState, form: dict[str, Any], questions: list[Question]) -> int:
    n = _save_answers(st, form, questions)
    if n:
        st.reevaluate()
    return n


async def answer_measure(request: Request) -> Response:
    st = state_of(request)
    mid = str(request.path_params["mid"]).upper()
    if mid not in catalogue():
        raise HTTPException(404)
    form = await form_of(request)
    questions = [q for q in await in_thread(st.askable_questions) if q.measure_id == mid]
    _row, doc = st.latest()
    before = pages.measure_result(doc, mid)
    saved = await in_thread(_save_and_reevaluate, st, form, questions)
    if saved:
        flash(request, _("Réponses enregistrées : la mesure a été réévaluée."), "ok")
    else:
        flash(request, _("Aucune réponse choisie : rien n'a changé."), "info")
    query = f"?avant={before.status}" if before and saved else ""
    return redirect(f"/mesures/{mid}{query}#etat")


async def questionnaire(request: Request) -> Response:
    st = state_of(request)
    questions = await in_thread(st.askable_questions)
    answers = st.store().answers()
    steps = pages.question_steps(questions)
    if not steps:
        return render(request, "questionnaire.html.j2", active="questionnaire", steps=[])
    raw = request.query_params.get("etape")
    if raw is None or not raw.isdigit() or len(raw) > 4:
        index = pages.first_unanswered_step(steps, answers)
    else:
        index = max(0, min(len(steps) - 1, int(raw) - 1))
    theme, qs = steps[index]
    answered = sum(1 for q in questions if q.fact in answers)
    return render(
        request,
        "questionnaire.html.j2",
        active="questionnaire",
        steps=steps,
        index=index,
        theme=theme,
        questions=[pages.question_view(q, answers) for q in qs],
        answered=answered,
        total=len(questions),
    )


async def answer_questionnaire(request: Request) -> Response:
    st = state_of(request)
    form = await form_of(request)
    questions = await in_thread(st.askable_questions)
    steps = pages.question_steps(questions)
    try:
        index = max(0, min(len(steps) - 1, int(str(form.get("etape", "1"))[:4]) - 1))
    except ValueError:
        index = 0
    step_questions = steps[index][1] if steps else []
    action = form.get("action", "suivant")
    last = index + 1 >= len(steps)
    if action == "arreter" or last:
        # leaving the questionnaire: the overview shows the new score, never a stale one
        await in_thread(_save_and_reevaluate, st, form, step_questions)
    else:  # a page showing a score re-evaluates first if she leaves by another way
        await in_thread(_save_answers, st, form, step_questions)
    if action == "arreter":
        flash(
            request,
            _(
                "Réponses enregistrées et bilan mis à jour. "
                "Vous pourrez reprendre le questionnaire plus tard."
            ),
            "ok",
        )
        return redirect("/")
    if action == "precedent":
        return redirect(f"/questionnaire?etape={max(1, index)}")
    if last:
        flash(request, _("Questionnaire terminé : le bilan a été mis à jour."), "ok")
        return redirect("/")
    return redirect(f"/questionnaire?etape={index + 2}")


async def skip_step(request: Request) -> Response:
    form = await form_of(request)
    firstrun.skip(state_of(request).store(), str(form.get("etape", "")))
    flash(request, _("Étape passée : vous pourrez la reprendre depuis l'accueil."), "info")
    return redirect("/#premiers-pas")


async def resume_steps(request: Request) -> Response:
    firstrun.resume(state_of(request).store())
    return redirect("/#premiers-pas")


ROUTES = [
    Route("/premiers-pas/passer", skip_step, methods=["POST"]),
    Route("/premiers-pas/reprendre", resume_steps, methods=["POST"]),
    Route("/", home),
    Route("/bilan", start_audit, methods=["POST"]),
    Route("/mesures/{mid}", measure_page),
    Route("/mesures/{mid}", answer_measure, methods=["POST"]),
    Route("/questionnaire", questionnaire),
    Route("/questionnaire", answer_questionnaire, methods=["POST"]),
]
