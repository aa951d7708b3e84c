"""The dashboard application: Starlette routes rendering Jinja2 templates.

Every page calls the same importable functions as the CLI (``hygie.audit.service``, and the
capabilities' own modules); nothing here re-implements a check, a backup or a scan.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from hygie import __version__
from hygie.audit import service
from hygie.audit.catalogue import ANSWER_DONT_KNOW, ANSWER_NA, Measure, Question, load_catalogue
from hygie.audit.model import STATUS_LABELS_FR, Status
from hygie.errors import AppError
from hygie.i18n import N_, SUPPORTED, _, get_language, set_language
from hygie.platform import current
from hygie.render.report import STATUS_ICONS
from hygie.render.templating import template_environment
from hygie.store import Store, open_store
from hygie.web import pages
from hygie.web.jobs import Job, JobRegistry
from hygie.web.security import DEFAULT_MAX_BODY, SecurityMiddleware, Session, Sessions, session_of

HERE = Path(__file__).parent
HISTORY_LIMIT = 1000

# Uploads are checked in memory and never written to disk: Starlette spools a multipart
# file to a temporary file past ``spool_max_size``; keep it above the body limit.
MultiPartParser.spool_max_size = DEFAULT_MAX_BODY + 1


@dataclass
class WebState:
    sessions: Sessions
    jobs: JobRegistry = field(default_factory=JobRegistry)
    port: int | None = None
    store_path: Path | None = None
    _local: threading.local = field(default_factory=threading.local)
    _questions: dict[tuple[Any, ...], list[Question]] = field(default_factory=dict)

    def store(self) -> Store:
        """One SQLite connection per thread (the server's and the jobs')."""
        s: Store | None = getattr(self._local, "store", None)
        if s is None:
            s = open_store(self.store_path)
            self._local.store = s
        return s

    def latest(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(history row, JSON document) of the last audit, or (None, None)."""
        store = self.store()
        rows = store.audit_history(limit=1)
        if not rows:
            return None, None
        return rows[0], store.audit_document(int(rows[0]["id"]))

    def askable_questions(self) -> list[Question]:
        """Questions hygie may ask on this machine (probes run once per audit and language)."""
        row = self.store().last_audit()
        key = (row["id"] if row else None, get_language())
        if key not in self._questions:
            ctx = service.make_context(self.store())
            self._questions = {key: service.pending_questions(ctx, all_=True)}
        return self._questions[key]


@functools.cache
def environment() -> Environment:
    env = template_environment("web/templates")
    env.globals["icons"] = {s.value: i for s, i in STATUS_ICONS.items()}
    env.globals["version"] = __version__
    env.filters["status_label"] = lambda s: _(STATUS_LABELS_FR[Status(s)]) if s else ""
    env.filters["when"] = pages.when
    return env


@functools.cache
def _catalogue(lang: str) -> dict[str, Measure]:
    return {m.measure_id: m for m in load_catalogue()}


def catalogue() -> dict[str, Measure]:
    return _catalogue(get_language())


NAV = (
    ("home", "/", N_("Accueil")),
    ("questionnaire", "/questionnaire", N_("Questionnaire")),
    ("backup", "/sauvegardes", N_("Sauvegardes")),
    ("media", "/cle-usb", N_("Clé USB")),
    ("mail", "/messagerie", N_("Messagerie")),
    ("history", "/historique", N_("Historique et rapports")),
    ("incident", "/incident", N_("Incident")),
)


def _section_url(active: str) -> str:
    return next((url for key, url, _label in NAV if key == active), "/")


def state_of(request: Request) -> WebState:
    st = request.app.state.web
    assert isinstance(st, WebState)
    return st


def render(
    request: Request, template: str, *, active: str = "", status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    session = session_of(request)
    flash = session.data.pop("flash", None)
    st = state_of(request)
    html = (
        environment()
        .get_template(template)
        .render(
            lang=get_language(),
            csrf=session.csrf,
            nav=[(key, url, _(label)) for key, url, label in NAV],
            active=active,
            # where the language switch comes back to: a page, never a form's target
            path=request.url.path if request.method == "GET" else _section_url(active),
            flash=flash,
            running=st.jobs.running(),
            **ctx,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def flash(request: Request, text: str, kind: str = "info") -> None:
    session_of(request).data["flash"] = {"text": text, "kind": kind}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(raw: object, default: str = "/") -> str:
    """Only a local path may be a redirect target (no open redirect)."""
    if isinstance(raw, str) and raw.startswith("/") and not raw.startswith("//"):
        return raw
    return default


# -- pages ------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    st = state_of(request)
    row, doc = st.latest()
    return render(
        request,
        "home.html.j2",
        active="home",
        row=row,
        doc=doc,
        cards=pages.cards(doc, catalogue()) if doc else [],
        urgent=pages.urgent_actions(doc, catalogue()) if doc else [],
        audit_job=st.jobs.latest("audit"),
    )


def _run_audit(st: WebState) -> Callable[[Callable[[int | None, int | None, str], None]], Any]:
    def run(report: Callable[[int | None, int | None, str], None]) -> dict[str, Any]:
        ctx = service.make_context(st.store())

        def progress(done: int, total: int, _label: str) -> None:
            report(
                done, total, _("{done} vérifications sur {total}").format(done=done, total=total)
            )

        result = service.audit(ctx=ctx, progress=progress)
        return {
            "score": result.score.value,
            "critical": result.has_critical,
            "changes": len(result.changes),
        }

    return run


async def start_audit(request: Request) -> Response:
    st = state_of(request)
    job, _started = st.jobs.start("audit", _("Bilan de l'ordinateur"), _run_audit(st), next_url="/")
    return redirect(f"/taches/{job.job_id}")


async def measure_page(request: Request) -> Response:
    st = state_of(request)
    mid = str(request.path_params["mid"]).upper()
    measure = catalogue().get(mid)
    if measure is None:
        raise HTTPException(404)
    _row, doc = st.latest()
    result = pages.measure_result(doc, mid)
    questions = [q for q in await run_in_threadpool(_questions_in, st) if q.measure_id == mid]
    answers = st.store().answers()
    return render(
        request,
        "measure.html.j2",
        active="home",
        m=measure,
        result=result,
        fix_steps=measure.fix_steps(str(doc["platform"]) if doc else current()),
        questions=[pages.question_view(q, answers) for q in questions],
        before=request.query_params.get("avant"),
    )


def _questions_in(st: WebState) -> list[Question]:
    return st.askable_questions()


def _save_answers(st: WebState, form: dict[str, str], questions: list[Question]) -> int:
    ctx = service.make_context(st.store())
    saved = 0
    for q in questions:
        raw = form.get("q:" + q.fact, "")
        if raw:
            try:
                service.save_answer(ctx, q, raw)
            except ValueError:
                continue
            saved += 1
    return saved


async def _form(request: Request) -> dict[str, str]:
    async with request.form() as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}


async def answer_measure(request: Request) -> Response:
    st = state_of(request)
    mid = str(request.path_params["mid"]).upper()
    if mid not in catalogue():
        raise HTTPException(404)
    form = await _form(request)
    questions = [q for q in await run_in_threadpool(_questions_in, st) if q.measure_id == mid]
    _row, doc = st.latest()
    before = pages.measure_result(doc, mid)
    lang = get_language()

    def save_and_reevaluate() -> int:
        set_language(lang)
        n = _save_answers(st, form, questions)
        if n:
            service.audit(ctx=service.make_context(st.store()))
        return n

    saved = await run_in_threadpool(save_and_reevaluate)
    if saved:
        flash(request, _("Réponses enregistrées : la mesure a été réévaluée."), "ok")
    else:
        flash(request, _("Aucune réponse choisie : rien n'a changé."), "info")
    query = f"?avant={before['status']}" if before and saved else ""
    return redirect(f"/mesures/{mid}{query}#etat")


async def questionnaire(request: Request) -> Response:
    st = state_of(request)
    questions = await run_in_threadpool(_questions_in, st)
    answers = st.store().answers()
    steps = pages.question_steps(questions)
    if not steps:
        return render(request, "questionnaire.html.j2", active="questionnaire", steps=[])
    raw = request.query_params.get("etape")
    if raw is None or not raw.isdigit():
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
    form = await _form(request)
    questions = await run_in_threadpool(_questions_in, st)
    steps = pages.question_steps(questions)
    try:
        index = max(0, min(len(steps) - 1, int(form.get("etape", "1")) - 1))
    except ValueError:
        index = 0
    step_questions = steps[index][1] if steps else []
    await run_in_threadpool(_save_answers, st, form, step_questions)
    action = form.get("action", "suivant")
    if action == "arreter":
        flash(
            request,
            _("Réponses enregistrées. Vous pourrez reprendre le questionnaire plus tard."),
            "ok",
        )
        return redirect("/")
    if action == "precedent":
        return redirect(f"/questionnaire?etape={max(1, index)}")
    if index + 1 >= len(steps):
        flash(
            request,
            _("Questionnaire terminé. Refaites le bilan pour voir votre nouveau score."),
            "ok",
        )
        return redirect("/")
    return redirect(f"/questionnaire?etape={index + 2}")


async def history(request: Request) -> Response:
    st = state_of(request)
    rows = st.store().audit_history(limit=HISTORY_LIMIT)
    return render(
        request,
        "history.html.j2",
        active="history",
        rows=rows[:20],
        count=len(rows),
        chart=pages.chart(rows),
        changes=pages.history_changes(rows[:21], catalogue()),
        directions=pages.DIRECTION_LABELS,
    )


def _report_doc(request: Request) -> dict[str, Any]:
    st = state_of(request)
    raw = request.query_params.get("bilan")
    if raw is not None and raw.isdigit():
        doc = st.store().audit_document(int(raw))
    else:
        _row, doc = st.latest()
    if doc is None:
        raise HTTPException(404)
    return doc


async def report_html(request: Request) -> Response:
    from hygie.render.report import render_html_document

    doc = _report_doc(request)
    html = render_html_document(doc)
    name = f"hygie-bilan-{doc['started_at'][:10]}.html"
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def report_pdf(request: Request) -> Response:
    from hygie.render.report import pdf_or_printable

    doc = _report_doc(request)
    lang = get_language()

    def build() -> tuple[bytes, str]:
        set_language(lang)
        return pdf_or_printable(doc)

    data, media_type = await run_in_threadpool(build)
    if media_type != "application/pdf":  # no PDF engine here: the page to print, inline
        return Response(data, media_type=media_type)
    name = f"hygie-bilan-{doc['started_at'][:10]}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def incident(request: Request) -> Response:
    from hygie.web import capabilities

    plan, plan_error = (None, "")
    if capabilities.available("hygie.incident.network"):
        plan, plan_error = await run_in_threadpool(capabilities.isolation_plan)
    return render(
        request,
        "incident.html.j2",
        active="incident",
        plan=plan,
        plan_error=plan_error,
        kit=capabilities.available("hygie.incident.kit"),
        **pages.incident_context(),
    )


async def fallback(request: Request) -> Response:
    return render(request, "fallback.html.j2", active="incident")


async def job_page(request: Request) -> Response:
    job = _job(request)
    return render(
        request, "job.html.j2", active=pages.nav_of_job(job.kind), job=job, current_job=job
    )


def _job(request: Request) -> Job:
    job = state_of(request).jobs.get(str(request.path_params["job_id"]))
    if job is None:
        raise HTTPException(404)
    return job


async def job_state(request: Request) -> Response:
    return JSONResponse(_job(request).to_dict())


async def job_events(request: Request) -> Response:
    job = _job(request)

    async def events() -> AsyncIterator[dict[str, str]]:
        seen = -1
        while True:
            if job.version != seen:
                seen = job.version
                yield {"event": "progress", "data": json.dumps(job.to_dict())}
                if not job.running:
                    return
            await asyncio.sleep(0.15)

    return EventSourceResponse(events(), ping=15)


async def set_lang(request: Request) -> Response:
    form = await _form(request)
    lang = form.get("lang", "fr")
    if lang in SUPPORTED:
        session: Session = session_of(request)
        session.lang = lang
    return redirect(safe_next(form.get("next")))


# -- errors -----------------------------------------------------------------------------

ERROR_TEXTS = {
    400: (N_("Demande incorrecte"), N_("La page n'a pas compris cette demande.")),
    403: (N_("Accès refusé"), N_("Cette action n'est pas autorisée.")),
    404: (N_("Page introuvable"), N_("Cette page n'existe pas. Revenez à l'accueil.")),
    405: (N_("Action impossible"), N_("Cette page ne permet pas cette action.")),
    413: (N_("Fichier trop gros"), N_("Choisissez un fichier plus petit.")),
}


async def http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[400])
    return _error_page(request, code, _(title), _(text), "")


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    code = 400 if exc.exit_code == 2 else 500
    return _error_page(request, code, _("Action impossible"), exc.render(), exc.hint())


async def server_error(request: Request, exc: Exception) -> Response:
    # The server logs the exception for the terminal; the page never shows it.
    return _error_page(
        request,
        500,
        _("Un problème est survenu"),
        _("hygie n'a pas pu afficher cette page. Rien n'a été perdu."),
        _("Revenez à l'accueil et réessayez ; si cela recommence, relancez « hygie serve »."),
    )


def _error_page(request: Request, code: int, title: str, text: str, hint: str) -> Response:
    if "session" in request.scope.get("state", {}):
        return render(request, "error.html.j2", status_code=code, title=title, text=text, hint=hint)
    return HTMLResponse(f"<h1>{title}</h1>", status_code=code)  # pragma: no cover


# -- assembly ---------------------------------------------------------------------------


def routes() -> list[Route | Mount]:
    from hygie.web import capabilities

    return [
        Route("/", home),
        Route("/bilan", start_audit, methods=["POST"]),
        Route("/mesures/{mid}", measure_page),
        Route("/mesures/{mid}", answer_measure, methods=["POST"]),
        Route("/questionnaire", questionnaire),
        Route("/questionnaire", answer_questionnaire, methods=["POST"]),
        Route("/historique", history),
        Route("/rapport.html", report_html),
        Route("/rapport.pdf", report_pdf),
        Route("/incident", incident),
        Route("/logiciel-indisponible", fallback),
        Route("/taches/{job_id}", job_page),
        Route("/taches/{job_id}/etat", job_state),
        Route("/taches/{job_id}/flux", job_events),
        Route("/langue", set_lang, methods=["POST"]),
        *capabilities.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def create_app(
    *,
    sessions: Sessions | None = None,
    extra_hosts: frozenset[str] = frozenset(),
    max_body: int = DEFAULT_MAX_BODY,
    store_path: Path | None = None,
) -> tuple[ASGIApp, WebState]:
    """The dashboard as an ASGI app behind its security middleware, and its state."""
    st = WebState(sessions=sessions or Sessions(), store_path=store_path)
    inner = Starlette(
        debug=False,
        routes=routes(),
        exception_handlers={
            HTTPException: http_error,
            AppError: app_error,
            Exception: server_error,
        },
    )
    inner.state.web = st
    app = SecurityMiddleware(
        inner,
        sessions=st.sessions,
        port_of=lambda: st.port,
        extra_hosts=extra_hosts,
        max_body=max_body,
    )
    return app, st


__all__ = ["ANSWER_DONT_KNOW", "ANSWER_NA", "WebState", "create_app"]
