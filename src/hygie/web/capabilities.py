"""Pages of the capabilities built beside the audit: USB station, mail, backups, incident kit.

Each page calls the capability's own importable functions (the CLI calls the same ones).
A capability missing from this build shows what exists instead of a broken page.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.config import load_config
from hygie.errors import AppError, UsageError
from hygie.i18n import N_, _, get_language, set_language
from hygie.web.jobs import Report

Handler = Callable[[Request], Awaitable[Response]]
MAX_FILES_SHOWN = 200


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


PLANNED = {
    "backup": (
        N_("Sauvegardes"),
        N_(
            "Sauvegarde chiffrée vers un disque externe ou un hébergeur certifié HDS, "
            "et test de restauration."
        ),
    ),
    "media": (
        N_("Clé USB"),
        N_(
            "Analyse antivirus d'une clé USB ou d'un dossier, fichier par fichier, "
            "et copie des fichiers sains."
        ),
    ),
    "mail": (
        N_("Messagerie"),
        N_("Vérification des adresses (MSSanté, webmail) et des documents avant envoi."),
    ),
}


def _not_yet(kind: str) -> Handler:
    async def page(request: Request) -> Response:
        from hygie.web.app import render

        title, text = PLANNED[kind]
        return render(request, "unavailable.html.j2", active=kind, title=_(title), text=_(text))

    return page


async def _form(request: Request) -> dict[str, Any]:
    async with request.form() as form:
        out: dict[str, Any] = {}
        for k, v in form.multi_items():
            if isinstance(v, UploadFile):
                # in memory: the parser never spools below the body limit (see app.py)
                out[k] = (v.filename or "document", await v.read())
            else:
                out[k] = v
        return out


# -- Clé USB (hygie.media) --------------------------------------------------------------


def _media_progress(report: Report) -> Callable[[int, int, int, int], None]:
    def progress(done: int, done_b: int, total: int, total_b: int) -> None:
        report(
            done, total, _("{done} fichiers analysés sur {total}").format(done=done, total=total)
        )

    return progress


def _files_view(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems first (infected, then not scanned), then clean files; capped for the page."""
    order = {"infected": 0, "not_scanned": 1, "clean": 2}
    return sorted(files, key=lambda f: order.get(str(f.get("verdict")), 3))[:MAX_FILES_SHOWN]


def _scan_job(path: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie.media import service

        with service.engine_from_options() as engine:
            result = service.scan([path], engine, progress=_media_progress(report))
        doc = result.to_dict()
        return {
            "path": path,
            "counts": doc["counts"],
            "engine_error": doc["engine_error"],
            "all_clean": result.all_clean,
            "files": _files_view(doc["files"]),
            "total": len(doc["files"]),
        }

    return run


def _copy_job(source: str, destination: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie.media import service

        with service.engine_from_options() as engine:
            result = service.copy(source, destination, engine, progress=_media_progress(report))
        doc = result.to_dict()
        scan = result.scan.to_dict()
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


def _checked_folder(raw: object) -> str:
    path = str(raw or "").strip()
    if not path or not Path(path).is_absolute():
        raise UsageError(detail=_("indiquez le chemin complet d'un dossier ou d'une clé"))
    if not Path(path).exists():
        raise UsageError(detail=_("« {path} » n'existe pas").format(path=path))
    return path


async def media_page(request: Request) -> Response:
    from hygie.media.history import recent_runs
    from hygie.web.app import render, state_of

    st = state_of(request)
    return render(
        request,
        "media.html.j2",
        active="media",
        runs=recent_runs(st.store(), limit=5),
        scan_job=st.jobs.latest("scan"),
    )


async def media_scan(request: Request) -> Response:
    from hygie.web.app import redirect, state_of

    form = await _form(request)
    path = _checked_folder(form.get("chemin"))
    job, _started = state_of(request).jobs.start(
        "scan", _("Analyse antivirus"), _scan_job(path), next_url="/cle-usb"
    )
    return redirect(f"/taches/{job.job_id}")


async def media_copy(request: Request) -> Response:
    from hygie.web.app import redirect, state_of

    form = await _form(request)
    source = _checked_folder(form.get("chemin"))
    destination = str(form.get("destination") or "").strip()
    if not destination or not Path(destination).is_absolute():
        raise UsageError(detail=_("indiquez le chemin complet du dossier où copier"))
    job, _started = state_of(request).jobs.start(
        "scan", _("Copie des fichiers sains"), _copy_job(source, destination), next_url="/cle-usb"
    )
    return redirect(f"/taches/{job.job_id}")


# -- Messagerie (hygie.mail, hygie.scan) -------------------------------------------------


def _relay_status() -> dict[str, Any]:
    from hygie.mail.relay import settings_from
    from hygie.mail.store import relay_counts

    status: dict[str, Any] = {"configured": False, "settings": None, "error": ""}
    try:
        settings = settings_from(load_config())
        status["configured"] = True
        status["settings"] = settings.to_dict()
        status["listen_host"] = settings.listen_host
        status["listen_port"] = settings.listen_port
    except AppError as exc:
        status["error"] = exc.render()
    try:
        status["counts"] = relay_counts(30)
    except Exception:
        status["counts"] = None
    return status


async def mail_page(request: Request, **extra: Any) -> Response:
    from hygie.web.app import render

    return render(request, "mail.html.j2", active="mail", relay=_relay_status(), **extra)


async def mail_addresses(request: Request) -> Response:
    from hygie.mail.addresses import classify_all

    form = await _form(request)
    raw = str(form.get("adresses") or "")
    items = [a for a in raw.replace(",", "\n").replace(";", "\n").split() if a.strip()][:50]
    results = [r.to_dict() for r in classify_all(items)] if items else []
    # The typed text is never echoed back: a patient's INS would appear in clear.
    return await mail_page(request, addresses=results, asked_addresses=True)


async def mail_document(request: Request) -> Response:
    from hygie.scan.engine import scan_bytes

    form = await _form(request)
    upload = form.get("document")
    if not isinstance(upload, tuple) or not upload[1]:
        return await mail_page(request, document_error=_("Choisissez un fichier à vérifier."))
    name, data = upload
    lang = get_language()

    def check() -> dict[str, Any]:
        set_language(lang)
        return scan_bytes(data, Path(str(name)).name).to_dict()

    result = await run_in_threadpool(check)
    return await mail_page(request, document=result)


# -- Sauvegardes (hygie.backup) ---------------------------------------------------------


def _backup_progress(report: Report, phase_fr: str) -> Callable[[str, dict[str, Any]], None]:
    def progress(destination: str, event: dict[str, Any]) -> None:
        kind = event.get("message_type")
        if kind == "status" and event.get("percent_done") is not None:
            pct = round(float(event["percent_done"]) * 100)
            report(
                pct,
                100,
                _("{phase} vers « {dest} » : {pct} %").format(
                    phase=phase_fr, dest=destination, pct=pct
                ),
            )
        elif kind == "phase":
            report(None, None, _("« {dest} » : vérification en cours").format(dest=destination))

    return progress


def _backup_job(operation: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie import backup as engine

        if operation == "backup":
            result = engine.run(progress=_backup_progress(report, _("Sauvegarde")))
        else:
            result = engine.verify(progress=_backup_progress(report, _("Test de restauration")))
        doc = result.to_dict()
        doc["unplug"] = [o.destination for o in result.outcomes if o.removable and o.status == "ok"]
        if not result.ok:
            failed = [o for o in result.outcomes if o.status != "ok"]
            doc["problems"] = [
                {"destination": o.destination, "message": (o.error or {}).get("message", "")}
                for o in failed
            ]
        return doc

    return run


def _setup_job(
    sources: list[str], destination: str, s3_keys: tuple[str, str] | None = None
) -> Callable[[Report], dict[str, Any]]:
    """Add ``destination`` to the backup set-up (keeping the ones already configured)."""

    def run(report: Report) -> dict[str, Any]:
        from hygie import backup
        from hygie.store import open_store

        store = open_store()
        try:
            previous = backup.load_config(store)
        finally:
            store.close()
        dests = [d.url for d in previous.destinations] if previous else []
        srcs = sources or (list(previous.sources) if previous else [])
        # setup() names the destination and stores its keys under that name (issue #15:
        # guessing the name here overwrote the first S3 destination's keys).
        credentials = (
            {destination: {"access_key_id": s3_keys[0], "secret_access_key": s3_keys[1]}}
            if s3_keys is not None
            else None
        )
        if destination not in dests:
            dests.append(destination)
        report(None, None, _("Préparation du dépôt de sauvegarde chiffré…"))
        result = backup.setup(srcs, dests, credentials=credentials)
        return {"setup": result.to_dict()}

    return run


async def backup_page(request: Request) -> Response:
    from hygie import backup as engine
    from hygie.backup import block_devices, hds_list
    from hygie.web.app import render, state_of

    st = state_of(request)

    def gather() -> tuple[dict[str, Any], list[Any]]:
        status = engine.status(live=False, store=st.store()).to_dict()
        devices = [d for d in (block_devices() or []) if d.removable and d.target]
        return status, devices

    status, devices = await run_in_threadpool(gather)
    try:
        hosts = hds_list()
    except Exception:
        hosts = {}
    return render(
        request,
        "backup.html.j2",
        active="backup",
        status=status,
        devices=devices,
        hds=hosts,
        job=st.jobs.latest("backup"),
    )


async def backup_start(request: Request) -> Response:
    from hygie.web.app import redirect, state_of

    operation = "verify" if request.url.path.endswith("tester") else "backup"
    title = _("Test de restauration") if operation == "verify" else _("Sauvegarde")
    job, _started = state_of(request).jobs.start(
        "backup", title, _backup_job(operation), next_url="/sauvegardes"
    )
    return redirect(f"/taches/{job.job_id}")


async def backup_setup(request: Request) -> Response:
    from hygie.web.app import redirect, state_of

    form = await _form(request)
    sources = [x.strip() for x in str(form.get("sources") or "").splitlines() if x.strip()]
    s3_keys: tuple[str, str] | None = None
    if form.get("type") == "s3":
        url = str(form.get("s3_url") or "").strip()
        key, secret = str(form.get("s3_key") or ""), str(form.get("s3_secret") or "")
        if not url.startswith("https://") or not key or not secret:
            raise UsageError(
                detail=_("indiquez l'adresse https:// du stockage et ses deux clés d'accès")
            )
        target = "s3:" + url
        s3_keys = (key.strip(), secret.strip())
    else:
        target = str(form.get("disque") or "").strip() or str(form.get("dossier") or "").strip()
        if not target or not Path(target).is_absolute():
            raise UsageError(detail=_("choisissez un disque branché ou indiquez un dossier"))
        if form.get("disque"):
            target = str(Path(target) / "hygie-sauvegarde")
    job, _started = state_of(request).jobs.start(
        "backup",
        _("Mise en place de la sauvegarde"),
        _setup_job(sources, target, s3_keys),
        next_url="/sauvegardes",
    )
    return redirect(f"/taches/{job.job_id}")


async def backup_sheet(request: Request) -> Response:
    from hygie.backup import load_config, render_sheet
    from hygie.web.app import state_of

    cfg = load_config(state_of(request).store())
    if cfg is None:
        raise UsageError(detail=_("la sauvegarde n'est pas encore configurée"))
    return Response(
        render_sheet(cfg),
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="hygie-fiche-de-secours.html"'},
    )


# -- Incident (hygie.incident) -----------------------------------------------------------


def isolation_plan() -> tuple[dict[str, Any] | None, str]:
    """The commands that would cut this computer off the network (nothing is run)."""
    from hygie.incident import network

    try:
        return network.plan_isolate().to_dict(), ""
    except AppError as exc:
        return None, exc.render()


async def incident_isolate(request: Request) -> Response:
    from hygie.incident import network
    from hygie.web.app import flash, redirect

    form = await _form(request)
    if form.get("confirmer") != "oui":
        flash(
            request,
            _("Rien n'a été fait : cochez la case de confirmation pour couper le réseau."),
            "error",
        )
        return redirect("/incident#isoler")
    lang = get_language()

    def isolate() -> list[str]:
        set_language(lang)
        return list(network.apply(network.plan_isolate()).done)

    done = await run_in_threadpool(isolate)
    flash(
        request,
        _("Réseau coupé ({n} commande(s)). Débranchez aussi le câble réseau.").format(n=len(done)),
        "ok",
    )
    return redirect("/incident")


async def incident_kit(request: Request) -> Response:
    from hygie.incident.kit import build_kit, render_kit_html
    from hygie.incident.state import record_kit

    lang = get_language()

    def build() -> str:
        set_language(lang)
        page = render_kit_html(build_kit(with_password=False))
        record_kit(["html"], with_password=False)
        return page

    page = await run_in_threadpool(build)
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="hygie-kit-incident.html"'},
    )


def routes() -> list[Route]:
    out = []
    if available("hygie.media.service"):
        out += [
            Route("/cle-usb", media_page),
            Route("/cle-usb/analyse", media_scan, methods=["POST"]),
            Route("/cle-usb/copie", media_copy, methods=["POST"]),
        ]
    else:
        out.append(Route("/cle-usb", _not_yet("media")))
    if available("hygie.mail.addresses") and available("hygie.scan.engine"):
        out += [
            Route("/messagerie", mail_page),
            Route("/messagerie/adresses", mail_addresses, methods=["POST"]),
            Route("/messagerie/document", mail_document, methods=["POST"]),
        ]
    else:
        out.append(Route("/messagerie", _not_yet("mail")))
    if available("hygie.incident.network"):
        out += [
            Route("/incident/isoler", incident_isolate, methods=["POST"]),
            Route("/incident/kit", incident_kit),
        ]
    if available("hygie.backup"):
        out += [
            Route("/sauvegardes", backup_page),
            Route("/sauvegardes/lancer", backup_start, methods=["POST"]),
            Route("/sauvegardes/tester", backup_start, methods=["POST"]),
            Route("/sauvegardes/configurer", backup_setup, methods=["POST"]),
            Route("/sauvegardes/fiche", backup_sheet),
        ]
    else:
        out.append(Route("/sauvegardes", _not_yet("backup")))
    return out
