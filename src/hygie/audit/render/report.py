"""The printable report: one self-contained HTML page (inline CSS, no external asset), and
the same page as PDF through :mod:`hygie.render.pdf` (WeasyPrint or the system's browser).
Part of the audit's public surface (``hygie.audit``)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from hygie.audit.model import STATUS_ICONS, STATUS_LABELS_FR, AuditResult, Status
from hygie.errors import ReportError
from hygie.i18n import N_, _, get_language
from hygie.platform import PLATFORM_LABELS_FR
from hygie.render.templating import template_environment


def environment() -> Environment:
    return template_environment("audit/render/templates")


def css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def status_label(status: str | Status) -> str:
    return _(STATUS_LABELS_FR[Status(status)])


def render_html(result: AuditResult, *, for_pdf: bool = False, notice: str = "") -> str:
    """The report of an audit (just run, or a recorded one read back typed).

    ``notice`` is shown on screen above the report, never printed (the dashboard's PDF
    export uses it when no PDF engine is available: the page is then printed by the browser).
    The template reads the result's JSON form (:meth:`AuditResult.to_dict`), the same
    document ``--json`` prints and the history keeps.
    """
    platform = result.platform
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            r=result.to_dict(),
            lang=get_language(),
            platform_label=PLATFORM_LABELS_FR.get(platform, platform),
            status_label=status_label,
            icons={s.value: i for s, i in STATUS_ICONS.items()},
            css=css(),
            for_pdf=for_pdf,
            notice=notice,
        )
    )


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise ReportError(path=str(path), detail=exc.strerror or str(exc)) from exc


def write_html(result: AuditResult, path: Path) -> Path:
    _write(path, render_html(result).encode("utf-8"))
    return path


def write_pdf(result: AuditResult, path: Path) -> Path:
    from hygie.render.pdf import write_pdf as write_pdf_page

    return write_pdf_page(render_html(result, for_pdf=True), path)


NO_PDF_NOTICE_FR = N_(
    "Le PDF n'a pas pu être fabriqué sur cet ordinateur. Voici le rapport à imprimer : "
    "choisissez « Imprimer » dans le menu de votre navigateur, puis « Enregistrer au format "
    "PDF » pour en garder une copie. {why}"
)


def pdf_or_printable(result: AuditResult) -> tuple[bytes, str]:
    """The report as PDF, or — when no PDF engine works here — the printable HTML page with a
    notice saying how to print it from the browser. Returns (content, media type)."""
    import logging

    from hygie.errors import AppError
    from hygie.render.pdf import html_to_pdf

    try:
        return html_to_pdf(render_html(result, for_pdf=True)), "application/pdf"
    except (AppError, OSError) as exc:
        logging.getLogger(__name__).warning("report PDF not made", exc_info=True)
        # What to install (no engine) or what went wrong (the engine failed).
        why = (exc.hint() or exc.render()) if isinstance(exc, AppError) else str(exc)
        page = render_html(result, notice=_(NO_PDF_NOTICE_FR).format(why=why))
        return page.encode("utf-8"), "text/html; charset=utf-8"
