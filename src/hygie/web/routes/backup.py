"""Backups (``hygie.backup``): set-up, run, restore test, recovery sheet (print view)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.errors import UsageError
from hygie.i18n import _
from hygie.web import firstrun, pickers
from hygie.web.base import (
    FormErrors,
    WebState,
    flash,
    form_of,
    in_thread,
    log,
    redirect,
    render,
    state_of,
)
from hygie.web.failures import failure_from_dict
from hygie.web.jobs import Report
from hygie.web.printview import print_view

MAX_SOURCES = 50
MAX_URL = 2048
MAX_KEY = 256
REPO_FOLDER = "hygie-sauvegarde"


def _progress(report: Report, phase_fr: str) -> Callable[[str, dict[str, Any]], None]:
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


def _run_job(st: WebState, operation: str) -> Callable[[Report], dict[str, Any]]:
    def run(report: Report) -> dict[str, Any]:
        from hygie import backup as engine

        if operation == "backup":
            result = engine.run(progress=_progress(report, _("Sauvegarde")))
        else:
            result = engine.verify(progress=_progress(report, _("Test de restauration")))
        doc = result.to_dict()
        doc["unplug"] = [o.destination for o in result.outcomes if o.removable and o.status == "ok"]
        doc["ejectable"] = [n for n in doc["unplug"] if _removable(st, n) is not None]
        for d in doc["destinations"]:
            if d.get("error"):  # her sentence, and restic's own words folded away
                d["failure"] = failure_from_dict(d["error"], destination=d["destination"])
        report(None, None, _("Mise à jour du bilan…"))
        st.reevaluate()
        return doc

    return run


def _removable(st: WebState, name: str) -> Any:
    """Destination ``name`` when it is a removable disk (hygie.backup can eject it)."""
    from hygie.backup import load_config

    cfg = load_config(st.store())
    dest = next((d for d in (cfg.destinations if cfg else ()) if d.name == name), None)
    return dest if dest is not None and dest.removable else None


async def eject(request: Request) -> Response:
    """Eject the backup disk so that she can unplug it (where the OS allows it)."""
    from hygie import backup

    st = state_of(request)
    name = str((await form_of(request)).get("destination", ""))[:100]
    dest = await in_thread(_removable, st, name)
    if dest is None:
        flash(
            request,
            _(
                "Ce disque ne peut pas être éjecté d'ici : "
                "éjectez-le depuis l'explorateur de fichiers."
            ),
            "info",
        )
        return redirect("/sauvegardes")
    if await in_thread(backup.eject, dest):
        flash(request, _("Disque éjecté : vous pouvez le débrancher et le ranger à l'abri."), "ok")
    else:
        log.warning("eject of backup destination %s failed", name)
        flash(
            request,
            _(
                "Le disque n'a pas pu être éjecté : fermez les fenêtres qui l'utilisent, "
                "puis réessayez ou éjectez-le depuis l'explorateur de fichiers."
            ),
            "error",
        )
    return redirect("/sauvegardes")


def _setup_job(
    st: WebState, sources: list[str], destination: str, s3_keys: tuple[str, str] | None = None
) -> Callable[[Report], dict[str, Any]]:
    """Add ``destination`` to the backup set-up (keeping the ones already configured)."""

    def run(report: Report) -> dict[str, Any]:
        from hygie import backup

        previous = backup.load_config(st.store())
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
        result = backup.setup(srcs, dests, pdf=False, credentials=credentials, store=st.store())
        report(None, None, _("Mise à jour du bilan…"))
        st.reevaluate()
        return {"setup": result.to_dict()}

    return run


def _gather(st: WebState) -> tuple[dict[str, Any], list[pickers.Disk]]:
    from hygie import backup as engine

    status = engine.status(live=False, store=st.store()).to_dict()
    return status, pickers.external_disks()


async def backup_page(
    request: Request,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    form_id: str = "",
) -> Response:
    from hygie.backup import hds_list

    st = state_of(request)
    status, disks = await in_thread(_gather, st)
    try:
        hosts = hds_list()
    except Exception:
        hosts = {}
    q = request.query_params
    shown = dict(values or {})
    for name in ("sources", "dossier"):
        if name in q and name not in shown:
            shown[name] = q[name][: pickers.MAX_PATH]
    job = st.jobs.latest("backup")
    return render(
        request,
        "backup.html.j2",
        active="backup",
        status=status,
        disks=disks,
        hds=hosts,
        job=job,
        busy=job if job is not None and job.busy else None,
        values=shown,
        errors=errors or FormErrors(),
        form_id=form_id,
        status_code=400 if errors else 200,
    )


async def index(request: Request) -> Response:
    return await backup_page(request)


async def start(request: Request) -> Response:
    st = state_of(request)
    operation = "verify" if request.url.path.endswith("tester") else "backup"
    title = _("Test de restauration") if operation == "verify" else _("Sauvegarde")
    form = await form_of(request)
    running = st.jobs.busy("backup")
    if running is not None and running.title != title and form.get("ensuite") != "oui":
        # never a silent redirect to another action's progress: say what runs, offer to queue
        return render(
            request,
            "busy.html.j2",
            active="backup",
            busy=running,
            title=title,
            action=request.url.path,
        )
    job, _started = st.jobs.start(
        "backup", title, _run_job(st, operation), next_url="/sauvegardes", queue=True
    )
    return redirect(f"/taches/{job.job_id}")


def _storage_url_ok(url: str) -> bool:
    """https:// (or plain http:// to this computer itself, for a test server)."""
    import urllib.parse

    if len(url) > MAX_URL:
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and local))


def _check_sources(raw: str, errors: FormErrors, required: bool) -> list[str]:
    lines = [x.strip() for x in raw.splitlines() if x.strip()]
    if not lines and required:
        errors["sources"] = _("Choisissez au moins un dossier à sauvegarder.")
    if len(lines) > MAX_SOURCES:
        errors["sources"] = _("{n} dossiers au plus.").format(n=MAX_SOURCES)
    out = []
    for line in lines[:MAX_SOURCES]:
        path, problem = pickers.checked_folder(line)
        if problem:
            errors["sources"] = problem
            break
        out.append(path)
    return out


async def setup(request: Request) -> Response:
    st = state_of(request)
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    errors = FormErrors()
    configured = await in_thread(_configured, st)
    s3_keys: tuple[str, str] | None = None
    if form.get("type") == "s3":
        sources: list[str] = []
        url = form.get("s3_url", "").strip()
        key, secret = form.get("s3_key", "").strip(), form.get("s3_secret", "").strip()
        if not configured:
            errors["s3_url"] = _(
                "Mettez d'abord en place la sauvegarde sur un disque, puis ajoutez cette copie."
            )
        elif not _storage_url_ok(url):
            errors["s3_url"] = _("Indiquez l'adresse complète, qui commence par https://")
        if not key or len(key) > MAX_KEY:
            errors["s3_key"] = _("Recopiez la clé d'accès donnée par l'hébergeur.")
        if not secret or len(secret) > MAX_KEY:
            errors["s3_secret"] = _("Recopiez la clé secrète donnée par l'hébergeur.")
        target = "s3:" + url
        s3_keys = (key, secret)
        form_id = "hds"
    else:
        form_id = "configurer"
        sources = _check_sources(form.get("sources", ""), errors, required=not configured)
        disk = form.get("disque", "").strip()
        folder = form.get("dossier", "").strip()
        target = ""
        if disk:
            known = {d.path for d in await in_thread(pickers.external_disks)}
            if disk not in known:
                errors["disque"] = _("Ce disque n'est plus branché : rebranchez-le et rechargez.")
            else:
                target = str(Path(disk) / REPO_FOLDER)
        elif folder:
            # a new folder is fine when the folder holding it exists (hygie creates it)
            path, problem = pickers.checked_folder(folder, must_exist=False)
            if not problem:
                _parent, problem = pickers.checked_folder(str(Path(path).parent))
            if not problem and Path(path).exists() and not Path(path).is_dir():
                problem = _("« {path} » est un fichier, pas un dossier.").format(path=path)
            if problem:
                errors["dossier"] = (
                    problem
                    + " "
                    + _("Choisissez un dossier existant : hygie y crée le dossier de sauvegarde.")
                )
            else:
                target = path
        else:
            errors["dossier"] = _("Choisissez un disque branché ou un dossier.")
        if target and any(Path(target).is_relative_to(s) for s in sources):
            errors["dossier"] = _(
                "La sauvegarde ne peut pas être rangée dans un dossier qu'elle sauvegarde."
            )
    if errors:
        safe = {k: v for k, v in form.items() if k not in ("s3_secret", "csrf_token")}
        return await backup_page(request, values=safe, errors=errors, form_id=form_id)
    job, _started = st.jobs.start(
        "backup",
        _("Mise en place de la sauvegarde"),
        _setup_job(st, sources, target, s3_keys),
        next_url="/sauvegardes",
        queue=True,
    )
    return redirect(f"/taches/{job.job_id}")


def _configured(st: WebState) -> bool:
    from hygie.backup import load_config

    return load_config(st.store()) is not None


async def sheet(request: Request) -> Response:
    """The recovery sheet as a page to print (it holds the backup password): never a file
    offered for download, which would land in a synchronised Downloads folder."""
    from hygie.backup import load_config, render_sheet

    st = state_of(request)
    cfg = load_config(st.store())
    if cfg is None:
        raise UsageError(detail=_("la sauvegarde n'est pas encore en place"))
    html = await in_thread(render_sheet, cfg)
    firstrun.mark(st.store(), "fiche")
    return print_view(html, back="/sauvegardes")


ROUTES = [
    Route("/sauvegardes", index),
    Route("/sauvegardes/lancer", start, methods=["POST"]),
    Route("/sauvegardes/tester", start, methods=["POST"]),
    Route("/sauvegardes/configurer", setup, methods=["POST"]),
    Route("/sauvegardes/fiche", sheet),
    Route("/sauvegardes/ejecter", eject, methods=["POST"]),
]
