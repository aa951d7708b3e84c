"""The dashboard application: the routes of :mod:`hygie.web.routes` behind the security
middleware, and the error pages (a French sentence, what to do here, details folded away)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from hygie.errors import AppError
from hygie.i18n import N_, _
from hygie.web.base import HERE, WebState, render, section_url
from hygie.web.failures import Failure, attach_log_file, failure_of, unexpected
from hygie.web.routes import all_routes
from hygie.web.security import DEFAULT_MAX_BODY, SecurityMiddleware, Sessions

# Uploads are checked in memory and never written to disk: Starlette spools a multipart
# file to a temporary file past ``spool_max_size``; keep it above the body limit.
MultiPartParser.spool_max_size = DEFAULT_MAX_BODY + 1

ERROR_TEXTS = {
    400: (N_("Demande incorrecte"), N_("La page n'a pas compris cette demande.")),
    403: (N_("Accès refusé"), N_("Cette action n'est pas autorisée.")),
    404: (N_("Page introuvable"), N_("Cette page n'existe pas. Revenez à l'accueil.")),
    405: (N_("Action impossible"), N_("Cette page ne permet pas cette action.")),
    413: (N_("Fichier trop gros"), N_("Choisissez un fichier plus petit.")),
}


def _error_page(request: Request, code: int, title: str, failure: Failure) -> Response:
    if "session" in request.scope.get("state", {}):
        return render(request, "error.html.j2", status_code=code, title=title, failure=failure)
    return HTMLResponse(f"<h1>{title}</h1>", status_code=code)  # pragma: no cover


async def http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[400])
    return _error_page(
        request, code, _(title), Failure(_(text), "", str(code), "/", _("Revenir à l'accueil"))
    )


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    failure = failure_of(exc)
    if not failure.action_url:
        section = request.url.path.split("/")[1] if request.url.path.count("/") else ""
        failure = Failure(
            failure.message,
            failure.hint,
            failure.code,
            "/" + section if section else "/",
            _("Revenir à la page"),
            failure.details,
        )
    return _error_page(request, 400 if exc.exit_code == 2 else 500, _("Action impossible"), failure)


async def server_error(request: Request, exc: Exception) -> Response:
    # logged with its traceback in the dashboard's log file; the page never shows it
    failure = unexpected(exc, f"{request.method} {request.url.path}")
    return _error_page(request, 500, _("Un problème est survenu"), failure)


def routes() -> list[Route | Mount]:
    return [*all_routes(), Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]


def create_app(
    *,
    sessions: Sessions | None = None,
    extra_hosts: frozenset[str] = frozenset(),
    max_body: int = DEFAULT_MAX_BODY,
    store_path: Path | None = None,
) -> tuple[ASGIApp, WebState]:
    """The dashboard as an ASGI app behind its security middleware, and its state."""
    attach_log_file()
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


__all__ = ["WebState", "create_app", "section_url"]
