"""USB key / folder scanning station (``hygie.media``): scan, copy the clean files, engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.i18n import _
from hygie.web import pickers
from hygie.web.base import FormErrors, WebState, form_of, in_thread, redirect, render, state_of
from hygie.web.jobs import Report

MAX_FILES_SHOWN = 200


def _progress(report: Report) -> Callable[[int, int, int, int], None]:
    def progress(done: int, done_b: int, total: int, total_b: int) -> None:
        report(
            done, total, _("{done} fichiers analysés sur {total}").format(done=done, total=total)
        )

    return progress


def _files_view(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems first (infected, then not scanned), then clean files; capped for the page."""
    order = {"infected": 0, "not_scanned": 1, "clean": 2}
    return sorted(files, key=lambda f: order.get(str(f.get("verdict")), 3))[:MAX_FILES_SHOWN]


def _scan_job(st: WebState, path: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie import media

        with media.engine_from_options() as engine:
            result = media.scan([path], engine, progress=_progress(report))
        doc = result.to_dict()
        report(None, None, _("Mise à jour du bilan…"))
        st.reevaluate()
        return {
            "path": path,
            "counts": doc["counts"],
            "engine_error": doc["engine_error"],
            "all_clean": result.all_clean,
            "files": _files_view(doc["files"]),
            "total": len(doc["files"]),
        }

    return run


def _copy_job(st: WebState, source: str, destination: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie import media

        with media.engine_from_options() as engine:
            result = media.copy(source, destination, engine, progress=_progress(report))
        doc = result.to_dict()
        scan = result.scan.to_dict()
        report(None, None, _("Mise à jour du bilan…"))
        st.reevaluate()
        return {
            "path": source,
            "destination": destination,
            "copied": doc["copied"],
            "refused": doc["refused"],
            "not_copied": doc["not_copied"],
            "destination_full": doc["destination_full"],
            "counts": scan["counts"],
            "engine_error": scan["engine_error"],
            "all_clean": result.scan.all_clean,
            "files": _files_view(scan["files"]),
            "total": len(scan["files"]),
        }

    return run


def _engine_job(report: Report) -> dict[str, Any]:
    """Is the antivirus ready? Said in plain words; a failure is a job failure (its page
    says what to do)."""
    from hygie import media

    report(None, None, _("Démarrage de l'antivirus…"))
    with media.engine_from_options() as engine:
        return {"engine": media.engine_status(engine)}


async def media_page(
    request: Request, values: dict[str, Any] | None = None, errors: FormErrors | None = None
) -> Response:
    from hygie.media import recent_runs

    st = state_of(request)
    shown = dict(values or {})
    for name in ("chemin", "source", "destination"):
        if name in request.query_params and name not in shown:
            shown[name] = request.query_params[name][: pickers.MAX_PATH]
    engine_job = st.jobs.latest("engine")
    return render(
        request,
        "media.html.j2",
        active="media",
        runs=recent_runs(st.store(), limit=5),
        scan_job=st.jobs.latest("scan"),
        engine_job=engine_job,
        disks=await in_thread(pickers.external_disks),
        values=shown,
        errors=errors or FormErrors(),
        status_code=400 if errors else 200,
    )


async def index(request: Request) -> Response:
    return await media_page(request)


async def scan(request: Request) -> Response:
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    path, problem = pickers.checked_folder(form.get("chemin"))
    if problem:
        return await media_page(request, form, FormErrors(chemin=problem))
    st = state_of(request)
    job, _started = st.jobs.start(
        "scan", _("Analyse antivirus"), _scan_job(st, path), next_url="/cle-usb"
    )
    return redirect(f"/taches/{job.job_id}")


async def copy(request: Request) -> Response:
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    errors = FormErrors()
    source, problem = pickers.checked_folder(form.get("source"))
    if problem:
        errors["source"] = problem
    destination, problem = pickers.checked_folder(form.get("destination"))
    if problem:
        errors["destination"] = problem
    if errors:
        return await media_page(request, form, errors)
    st = state_of(request)
    job, _started = st.jobs.start(
        "scan",
        _("Copie des fichiers sains"),
        _copy_job(st, source, destination),
        next_url="/cle-usb",
    )
    return redirect(f"/taches/{job.job_id}")


async def engine(request: Request) -> Response:
    job, _started = state_of(request).jobs.start(
        "engine", _("Vérification de l'antivirus"), _engine_job, next_url="/cle-usb"
    )
    return redirect(f"/taches/{job.job_id}")


ROUTES = [
    Route("/cle-usb", index),
    Route("/cle-usb/analyse", scan, methods=["POST"]),
    Route("/cle-usb/copie", copy, methods=["POST"]),
    Route("/cle-usb/antivirus", engine, methods=["POST"]),
]
