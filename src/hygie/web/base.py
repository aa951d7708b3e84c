"""What every dashboard page shares: the server state, templates, rendering, forms, redirects.

The pages themselves live in :mod:`hygie.web.routes` (one module per capability); they call the
capabilities' public functions (the CLI calls the same ones) and never re-implement a rule.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from hygie import __version__
from hygie import audit as audit_api
from hygie.audit import (
    STATUS_ICONS,
    STATUS_LABELS_FR,
    AuditResult,
    Measure,
    Question,
    Status,
    load_catalogue,
)
from hygie.fleet.device import after_audit
from hygie.i18n import N_, _, get_language, set_language
from hygie.render.templating import template_environment
from hygie.store import Store, open_store
from hygie.web import pages
from hygie.web.jobs import JobRegistry
from hygie.web.plain import plain
from hygie.web.security import Sessions, session_of

HERE = Path(__file__).parent
T = TypeVar("T")
log = logging.getLogger("hygie.web")


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

    def latest(self) -> tuple[dict[str, Any] | None, AuditResult | None]:
        """(history row, typed result) of the last audit, or (None, None)."""
        found = audit_api.last_recorded(self.store())
        return (None, None) if found is None else found

    def askable_questions(self) -> list[Question]:
        """Questions hygie may ask on this machine (probes run once per audit and language)."""
        row = self.store().last_audit()
        key = (row["id"] if row else None, get_language())
        if key not in self._questions:
            ctx = audit_api.make_context(self.store())
            self._questions = {key: audit_api.pending_questions(ctx, all_=True)}
        return self._questions[key]

    def reevaluate(self) -> None:
        """Re-run the audit after something that changes a measure (an answer, a backup,
        a verify, the kit, a drill, a scan): the overview never shows a stale score."""
        store = self.store()
        last = store.last_audit()
        if last is None:
            return  # no overview yet: the first audit is hers to start
        old_key = (last["id"], get_language())
        kept = self._questions.get(old_key)
        result = audit_api.audit(ctx=audit_api.make_context(store))
        after_audit(result, store_path=store.path)  # the fleet report, sent in the background
        new = store.last_audit()
        if kept is not None and new is not None:
            # answers do not change which probes could not tell: the questions stay
            self._questions = {(new["id"], get_language()): kept}

    def stale(self) -> bool:
        """An answer is newer than the last audit (the questionnaire saves each step without
        re-evaluating; the next page showing a score does it)."""
        store = self.store()
        last = store.last_audit()
        if last is None:
            return False
        newest = max((at for _v, at in store.answers().values()), default="")
        return _instant(newest) > _instant(str(last["started_at"]))

    def fresh(self) -> None:
        if self.stale():
            self.reevaluate()


def _instant(iso: str) -> float:
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


@functools.cache
def environment() -> Environment:
    env = template_environment("web/templates")
    env.globals["icons"] = {s.value: i for s, i in STATUS_ICONS.items()}
    env.globals["version"] = __version__
    env.filters["status_label"] = lambda s: _(STATUS_LABELS_FR[Status(s)]) if s else ""
    env.filters["when"] = pages.when
    env.filters["plain"] = plain
    env.filters["size"] = pages.size
    env.filters["duration"] = pages.duration
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
    ("doctor", "/composants", N_("Composants")),
    ("fleet", "/parc", N_("Suivi de parc")),
)


def section_url(active: str) -> str:
    return next((url for key, url, _label in NAV if key == active), "/")


def state_of(request: Request) -> WebState:
    st = request.app.state.web
    assert isinstance(st, WebState)
    return st


def render(
    request: Request, template: str, *, active: str = "", status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    session = session_of(request)
    flash_ = session.data.pop("flash", None)
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
            path=request.url.path if request.method == "GET" else section_url(active),
            flash=flash_,
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


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form: text fields as str, uploads as (name, bytes) read in memory (the
    parser never spools below the body limit, see app.py)."""
    async with request.form() as form:
        out: dict[str, Any] = {}
        for k, v in form.multi_items():
            if isinstance(v, UploadFile):
                out[k] = (v.filename or "document", await v.read())
            else:
                out[k] = v
        return out


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work in a worker thread, in the language of the current request."""
    lang = get_language()

    def run() -> T:
        set_language(lang)
        return fn(*args)

    return await run_in_threadpool(run)


class FormErrors(dict[str, str]):
    """Field name -> French message, shown next to the field (``aria-invalid`` +
    ``aria-describedby``); the form is shown again with what she typed."""
