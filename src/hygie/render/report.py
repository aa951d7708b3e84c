"""The printable report: one self-contained HTML page (inline CSS, no external asset), and
the same page as PDF through WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment

from hygie.audit.model import STATUS_LABELS_FR, AuditResult, Status
from hygie.errors import ReportError
from hygie.i18n import _, get_language
from hygie.platform import PLATFORM_LABELS_FR
from hygie.render.templating import template_environment

STATUS_ICONS = {
    Status.OK: "✔",
    Status.WARN: "▲",
    Status.FAIL: "✖",
    Status.UNKNOWN: "?",
    Status.NOT_APPLICABLE: "–",
}


def environment() -> Environment:
    return template_environment("render/templates")


def css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def status_label(status: str | Status) -> str:
    return _(STATUS_LABELS_FR[Status(status)])


def render_html(result: AuditResult, *, for_pdf: bool = False) -> str:
    return render_html_document(result.to_dict(), for_pdf=for_pdf)


def render_html_document(doc: dict[str, Any], *, for_pdf: bool = False) -> str:
    """The report from an audit's JSON document (as kept in the history)."""
    platform = str(doc.get("platform", ""))
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            r=doc,
            lang=get_language(),
            platform_label=PLATFORM_LABELS_FR.get(platform, platform),
            status_label=status_label,
            icons={s.value: i for s, i in STATUS_ICONS.items()},
            css=css(),
            for_pdf=for_pdf,
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


def html_to_pdf(html: str) -> bytes:
    """Render self-contained HTML to PDF bytes (WeasyPrint; no network access)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"external resource refused: {url}")

    pdf = HTML(string=html, url_fetcher=no_fetch).write_pdf()
    return bytes(pdf)


def write_pdf(result: AuditResult, path: Path) -> Path:
    try:
        data = html_to_pdf(render_html(result, for_pdf=True))
    except OSError as exc:  # missing Pango and friends
        raise ReportError(path=str(path), detail=str(exc)) from exc
    _write(path, data)
    return path
