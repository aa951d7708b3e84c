"""PDFs from hygie's HTML on every OS, from one set of templates and one print stylesheet.

Engines, tried in this order:

1. **WeasyPrint**, when it imports (it needs the Pango libraries: present on Debian, usually
   absent on Windows and macOS);
2. **the system's Chromium-family browser** in headless print-to-PDF mode: Microsoft Edge
   (on every Windows 10/11), Google Chrome or Chromium (macOS, Linux). The HTML goes
   through a temporary file in a private folder (it may hold a backup password), the browser
   runs with its own throw-away profile, the page under a Content-Security-Policy (no
   script, no external resource) and no name resolution, under a time-out that kills its
   whole process tree;
3. otherwise :class:`PdfEngineMissing`: a French message saying what to install for this OS,
   and the page kept as HTML next to the requested PDF so it can be printed from a browser.

``HYGIE_PDF_ENGINE`` (``auto``, ``weasyprint``, ``browser``) forces one engine (IT providers,
tests, the benchmark); ``HYGIE_PDF_BROWSER`` names a browser program to use.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from hygie import proc
from hygie.errors import AppError, ReportError, ToolMissing
from hygie.fileio import private_dir, write_atomic, write_text_atomic
from hygie.i18n import N_
from hygie.platform import PlatformName, current

log = logging.getLogger(__name__)

EngineKind = Literal["weasyprint", "browser", "none"]
BROWSER_TIMEOUT_S = 90.0
ENGINE_ENV = "HYGIE_PDF_ENGINE"
BROWSER_ENV = "HYGIE_PDF_BROWSER"

# Standard install places, most likely first. Windows: Edge ships with Windows 10/11.
_WINDOWS_DIRS = ("PROGRAMFILES(X86)", "PROGRAMFILES", "LOCALAPPDATA")
_WINDOWS_PROGRAMS = (
    ("Microsoft", "Edge", "Application", "msedge.exe"),
    ("Google", "Chrome", "Application", "chrome.exe"),
    ("Chromium", "Application", "chrome.exe"),
)
_DARWIN_APPS = (
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "Chromium.app/Contents/MacOS/Chromium",
)
_PATH_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
    "chrome",
)

# Flags that keep a headless print quiet, local and reproducible.
_BROWSER_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)
# The page may show only itself: no script, no fetch (inline styles, data: images and fonts).
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "script-src 'none'"
)
_HEAD = re.compile(r"<head(\s[^>]*)?>", re.I)


def with_csp(html: str) -> str:
    """``html`` with a Content-Security-Policy that forbids scripts and external requests."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    m = _HEAD.search(html)
    if m:
        return html[: m.end()] + meta + html[m.end() :]
    return meta + html


# Chromium refuses to start as root with its sandbox on (CI containers): retry without it.
_ROOT_REFUSAL = "--no-sandbox"


def browser_candidates(
    platform: PlatformName | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> list[str]:
    """Where a Chromium-family browser usually is on ``platform`` (absolute paths first)."""
    platform = platform or current()
    env = os.environ if env is None else env
    found: list[str] = []
    if platform == "windows":
        import ntpath

        for var in _WINDOWS_DIRS:
            base = env.get(var)
            if base:
                found.extend(ntpath.join(base, *parts) for parts in _WINDOWS_PROGRAMS)
    elif platform == "darwin":
        roots = ["/Applications"]
        if home is not None or env.get("HOME"):
            roots.append(str((home or Path(env["HOME"])) / "Applications"))
        found.extend(f"{root}/{app}" for root in roots for app in _DARWIN_APPS)
    return found


def find_browser(
    *,
    platform: PlatformName | None = None,
    env: Mapping[str, str] | None = None,
    exists: Callable[[str], bool] | None = None,
    which: Callable[[str], str | None] | None = None,
) -> str | None:
    """The browser program to print with, or None. ``HYGIE_PDF_BROWSER`` wins when set."""
    env = os.environ if env is None else env
    exists = exists or (lambda p: os.path.isfile(p) and os.access(p, os.X_OK))
    which_fn: Callable[[str], str | None] = which or proc.which
    chosen = env.get(BROWSER_ENV, "").strip()
    if chosen:
        return chosen if exists(chosen) else which_fn(chosen)  # None: the named one is missing
    for path in browser_candidates(platform, env):
        if exists(path):
            return path
    for name in _PATH_NAMES:
        found = which_fn(name)
        if found:
            return found
    return None


class PdfEngine(Protocol):
    """Turns one self-contained HTML page (inline CSS, no external asset) into PDF bytes."""

    kind: EngineKind
    name: str

    def render(self, html: str) -> bytes: ...


class WeasyPrintEngine:
    kind: EngineKind = "weasyprint"

    def __init__(self, version: str) -> None:
        self.name = f"WeasyPrint {version}"

    def render(self, html: str) -> bytes:
        from weasyprint import HTML

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)

        def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
            raise ValueError(f"external resource refused: {url}")

        return bytes(HTML(string=html, url_fetcher=no_fetch).write_pdf())


class BrowserEngine:
    kind: EngineKind = "browser"
    _needs_no_sandbox = False

    def __init__(self, path: str, *, timeout: float = BROWSER_TIMEOUT_S) -> None:
        self.path = path
        self.timeout = timeout
        self.name = which_browser_name(path)

    def command(self, page: Path, out: Path, profile: Path, *, no_sandbox: bool) -> list[str]:
        args = [self.path, *_BROWSER_FLAGS, f"--user-data-dir={profile}"]
        if no_sandbox:
            args.append(_ROOT_REFUSAL)
        args += [f"--print-to-pdf={out}", page.as_uri()]
        return args

    def render(self, html: str) -> bytes:
        # Windows may hold a killed browser's files a moment: never fail on the clean-up.
        with tempfile.TemporaryDirectory(prefix="hygie-pdf-", ignore_cleanup_errors=True) as tmp:
            folder = private_dir(Path(tmp) / "work")
            page = folder / "page.html"
            write_text_atomic(page, with_csp(html), fsync=False)
            out = folder / "page.pdf"
            no_sandbox = BrowserEngine._needs_no_sandbox
            res = self._run(page, out, folder, no_sandbox=no_sandbox)
            if not no_sandbox and not out.exists() and "--no-sandbox" in res.stderr:
                BrowserEngine._needs_no_sandbox = True
                res = self._run(page, out, folder, no_sandbox=True)
            data = out.read_bytes() if out.exists() else b""
        if not data.startswith(b"%PDF"):
            log.warning("browser print failed: %s\n%s", res.why(), res.stderr[-2000:])
            raise BrowserPrintFailed(browser=self.name, detail=res.why())
        return data

    def _run(self, page: Path, out: Path, folder: Path, *, no_sandbox: bool) -> proc.Completed:
        profile = folder / f"profile-{int(no_sandbox)}"
        args = self.command(page, out, profile, no_sandbox=no_sandbox)
        return proc.stream(args, timeout=self.timeout, on_line=lambda _line: None)


class BrowserPrintFailed(ReportError):
    """The browser ran but produced no PDF (crash, time-out, refused start)."""

    code = "pdf_browser_failed"
    message_fr = "Le navigateur {browser} n'a pas pu fabriquer le PDF : {detail}"
    hint_fr = (
        "Réessayez ; si cela recommence, ouvrez la page HTML dans votre navigateur et "
        "choisissez « Imprimer » puis « Enregistrer au format PDF »."
    )


class PdfEngineMissing(ToolMissing):
    """No PDF engine: WeasyPrint does not load and no Chromium-family browser was found."""

    code = "pdf_engine_missing"
    message_fr = "Aucun moyen de fabriquer un PDF sur cet ordinateur : {path} n'a pas été créé."
    hint_fr = "{install}{then}"


INSTALL_HINTS_FR: dict[str, str] = {
    "windows": N_(
        "Installez (ou réparez) Microsoft Edge depuis microsoft.com/edge, ou Google Chrome."
    ),
    "darwin": N_("Installez Google Chrome ou Microsoft Edge (dans le dossier Applications)."),
    "linux": N_(
        "Installez le navigateur Chromium (paquet « chromium ») ou WeasyPrint avec ses "
        "bibliothèques Pango."
    ),
}
PRINT_IT_FR = N_(
    "La page est prête en HTML : {html} — ouvrez-la dans votre navigateur et choisissez "
    "« Imprimer » puis « Enregistrer au format PDF »."
)


@dataclass(frozen=True)
class EngineStatus:
    """Which engine would make PDFs here, and why the others cannot (for ``hygie doctor``)."""

    kind: EngineKind
    name: str
    path: str | None
    weasyprint_reason: str
    browser_reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "weasyprint": self.weasyprint_reason or "ok",
            "browser": self.browser_reason or "ok",
        }


@functools.cache
def _weasyprint() -> WeasyPrintEngine | str:
    """The WeasyPrint engine, or why it does not load (missing module, missing Pango...)."""
    try:
        import weasyprint
    except ImportError as exc:
        return f"WeasyPrint not installed ({exc})"
    except OSError as exc:  # Pango, GObject or Harfbuzz libraries missing
        return f"WeasyPrint cannot load its libraries ({exc})"
    return WeasyPrintEngine(str(getattr(weasyprint, "__version__", "?")))


def _preference() -> str:
    pref = os.environ.get(ENGINE_ENV, "auto").strip().lower() or "auto"
    return pref if pref in ("auto", "weasyprint", "browser") else "auto"


def engines() -> tuple[list[PdfEngine], EngineStatus]:
    """The usable engines in order of preference, and the status that describes them."""
    pref = _preference()
    usable: list[PdfEngine] = []
    weasy = _weasyprint() if pref in ("auto", "weasyprint") else "not chosen (HYGIE_PDF_ENGINE)"
    if isinstance(weasy, WeasyPrintEngine):
        usable.append(weasy)
        weasy_reason = ""
    else:
        weasy_reason = weasy
    browser_reason = ""
    path = find_browser() if pref in ("auto", "browser") else None
    if path:
        usable.append(BrowserEngine(path))
    elif pref == "weasyprint":
        browser_reason = "not chosen (HYGIE_PDF_ENGINE)"
    else:
        browser_reason = "no Chromium-family browser found (Edge, Chrome, Chromium)"
    first = usable[0] if usable else None
    status = EngineStatus(
        kind=first.kind if first else "none",
        name=first.name if first else "",
        path=getattr(first, "path", None) if first else None,
        weasyprint_reason=weasy_reason,
        browser_reason=browser_reason,
    )
    return usable, status


def engine_status() -> EngineStatus:
    return engines()[1]


def install_hint(platform: PlatformName | None = None) -> str:
    from hygie.i18n import _

    return _(INSTALL_HINTS_FR[platform or current()])


def html_to_pdf(html: str, *, path: Path | None = None) -> bytes:
    """Render self-contained HTML to PDF bytes with the first engine that works.

    Raises :class:`PdfEngineMissing` when there is no engine (the caller keeps the HTML), or
    the last engine's error when every engine failed.
    """
    usable, _status = engines()
    if not usable:
        raise PdfEngineMissing(path=str(path or "PDF"), install=install_hint(), then="")
    last: Exception | None = None
    for engine in usable:
        try:
            return engine.render(html)
        except (OSError, ReportError) as exc:
            log.warning("PDF engine %s failed", engine.name, exc_info=True)
            last = exc
    assert last is not None
    raise last


def write_pdf(html: str, path: Path, *, error: type[AppError] = ReportError) -> Path:
    """Write ``html`` as the PDF ``path`` (owner-only, atomic).

    Without an engine the HTML is kept beside it (``<name>.html``) and
    :class:`PdfEngineMissing` says what to install and where the page is.
    """
    from hygie.i18n import _

    path = Path(path)
    try:
        private_dir(path.parent)
        usable, _status = engines()
        if not usable:
            html_path = path.with_suffix(".html")
            write_text_atomic(html_path, html)
            then = " " + _(PRINT_IT_FR).format(html=html_path)
            raise PdfEngineMissing(path=str(path), install=install_hint(), then=then)
        data = html_to_pdf(html, path=path)
        write_atomic(path, data)
    except OSError as exc:
        raise error(path=str(path), detail=exc.strerror or str(exc)) from exc
    return path


def which_browser_name(path: str) -> str:
    """A human label for a browser program path."""
    low = Path(path).name.lower()
    if "edge" in low:
        return "Microsoft Edge"
    if "chrome" in low and "chromium" not in low:
        return "Google Chrome"
    if "chromium" in low:
        return "Chromium"
    return Path(path).name


__all__ = [
    "BrowserEngine",
    "BrowserPrintFailed",
    "EngineStatus",
    "PdfEngine",
    "PdfEngineMissing",
    "WeasyPrintEngine",
    "browser_candidates",
    "engine_status",
    "engines",
    "find_browser",
    "html_to_pdf",
    "install_hint",
    "which_browser_name",
    "write_pdf",
]
