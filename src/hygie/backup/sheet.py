"""The recovery sheet (HTML and PDF): print it and keep it away from the computer.

It holds what is needed to restore WITHOUT hygie: each repository's location and id, its
password, and the exact restic commands. Written 0600 in hygie's data folder (or a chosen
folder); the user is told to print it and to delete the files once printed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment

from hygie.backup.state import BackupConfig
from hygie.errors import ReportError
from hygie.fileio import private_dir, write_atomic
from hygie.i18n import _, get_language
from hygie.paths import get_paths
from hygie.render.templating import template_environment
from hygie.secrets import FALLBACK_NAME, backend_name, get_secret
from hygie.store import utcnow

log = logging.getLogger(__name__)


def _environment() -> Environment:
    return template_environment("backup/templates")


def render_sheet(cfg: BackupConfig) -> str:
    from hygie.backup.repo import password_secret

    rows: list[dict[str, Any]] = []
    for d in cfg.destinations:
        env_lines = [f"{f.env}=<{_(f.label_fr)}>" for f in d.kind_info.credentials]
        repo = d.url
        if d.removable and d.subpath:
            repo = f"<dossier du disque {d.disk_label}>/{d.subpath}"
        rows.append(
            {
                "d": d,
                "repo": repo,
                "password": get_secret(password_secret(d.name)) or "?",
                "env_lines": env_lines,
            }
        )
    backend = backend_name()
    return (
        _environment()
        .get_template("recovery_sheet.html.j2")
        .render(
            cfg=cfg,
            rows=rows,
            lang=get_language(),
            generated_at=utcnow(),
            backend=FALLBACK_NAME if backend == "file" else backend,
        )
    )


def _write_private(path: Path, data: bytes) -> None:
    try:
        private_dir(path.parent)
        write_atomic(path, data)
    except OSError as exc:
        raise ReportError(path=str(path), detail=exc.strerror or str(exc)) from exc


def write_sheet(
    cfg: BackupConfig, folder: Path | None = None, *, pdf: bool = True
) -> tuple[Path, Path | None]:
    """Write recovery-sheet.html (and .pdf); returns their paths."""
    folder = folder or (get_paths().data_dir / "backup")
    html = render_sheet(cfg)
    html_path = folder / "fiche-recuperation-sauvegarde.html"
    _write_private(html_path, html.encode("utf-8"))
    pdf_path: Path | None = None
    if pdf:
        from hygie.render.pdf import PdfEngineMissing, write_pdf

        pdf_path = folder / "fiche-recuperation-sauvegarde.pdf"
        try:
            write_pdf(html, pdf_path)
        except PdfEngineMissing:
            # No PDF engine on this computer: the printable HTML sheet is already written.
            log.warning("recovery sheet kept as HTML only: no PDF engine", exc_info=True)
            pdf_path = None
    return html_path, pdf_path
