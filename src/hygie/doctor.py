"""``hygie doctor``: is every component hygie relies on usable on this computer?

One public function, :func:`run_doctor`, used by the CLI (``hygie doctor [--json]``) and the
dashboard. Each :class:`Component` says what was seen, whether the features configured here
need it, and — in French, for this OS — what to do when it is missing. A component that
could not be examined is ``unknown``, never ``ok``; the report is healthy only when every
component the configured features need is ``ok`` or ``warn`` (usable, with advice).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hygie import proc
from hygie.i18n import N_, _
from hygie.platform import PLATFORM_LABELS_FR, PlatformName

log = logging.getLogger(__name__)

State = Literal["ok", "warn", "missing", "unknown", "not_configured"]
STATE_LABELS: dict[str, str] = {
    "ok": N_("prêt"),
    "warn": N_("utilisable, à améliorer"),
    "missing": N_("manquant"),
    "unknown": N_("impossible à vérifier"),
    "not_configured": N_("non configuré"),
}
SIGNATURES_FRESH_DAYS = 7.0
SIGNATURES_MAX_DAYS = 30.0
RELAY_CONNECT_TIMEOUT_S = 5.0

LABELS: dict[str, str] = {
    "restic": N_("Moteur de sauvegarde (restic)"),
    "antivirus": N_("Antivirus de la station blanche"),
    "pdf": N_("Fabrication des PDF (rapport, kit d'urgence, fiche de récupération)"),
    "secrets": N_("Coffre des mots de passe"),
    "schedule": N_("Planification des sauvegardes"),
    "relay": N_("Serveur d'envoi du relais de messagerie"),
    "dashboard": N_("Port du tableau de bord"),
}


@dataclass(frozen=True)
class Component:
    id: str
    state: State
    needed: bool
    seen: str  # what was seen (developer/IT wording, never patient data)
    fix: str = ""  # French next step, for this OS; empty when nothing to do
    version: str | None = None

    @property
    def usable(self) -> bool:
        return self.state in ("ok", "warn")

    @property
    def label(self) -> str:
        return _(LABELS[self.id])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "state": self.state,
            "usable": self.usable,
            "needed": self.needed,
            "seen": self.seen,
            "fix": self.fix,
            "version": self.version,
        }


@dataclass(frozen=True)
class DoctorReport:
    platform: PlatformName
    components: tuple[Component, ...]
    features: dict[str, bool] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        """Every component the configured features need is usable."""
        return all(c.usable for c in self.components if c.needed)

    @property
    def problems(self) -> list[Component]:
        return [c for c in self.components if c.needed and not c.usable]

    def get(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "platform_label": PLATFORM_LABELS_FR.get(self.platform, self.platform),
            "healthy": self.healthy,
            "features": dict(self.features),
            "components": [c.to_dict() for c in self.components],
        }


# -- what to do, per OS ---------------------------------------------------------------------
FIX_FR: dict[tuple[str, str], str] = {
    ("restic", "windows"): N_(
        "Installez restic : téléchargez restic_…_windows_amd64.zip sur restic.net (ou "
        "« winget install restic.restic »), puis relancez hygie. L'installateur de hygie "
        "pour Windows inclut restic."
    ),
    ("restic", "darwin"): N_(
        "Installez restic (« brew install restic ») ; l'application hygie pour macOS l'inclut."
    ),
    ("restic", "linux"): N_("Installez restic (« sudo apt install restic » sur Debian/Ubuntu)."),
    ("restic_old", "any"): N_(
        "restic {version} fonctionne, mais la version 0.18 ou plus récente est conseillée "
        "(vérification plus rapide, codes d'erreur précis) : mettez restic à jour."
    ),
    ("antivirus", "windows"): N_(
        "Activez Microsoft Defender (Sécurité Windows → Protection contre les virus et "
        "menaces) : la station blanche utilise son analyseur en ligne de commande."
    ),
    ("antivirus", "darwin"): N_(
        "Installez ClamAV (« brew install clamav ») puis lancez « freshclam » pour les signatures."
    ),
    ("antivirus", "linux"): N_(
        "Installez ClamAV (« sudo apt install clamav-daemon clamav-freshclam »)."
    ),
    ("signatures", "windows"): N_(
        "Les signatures de l'antivirus sont anciennes : lancez Windows Update (ou « Rechercher "
        "des mises à jour » dans Sécurité Windows)."
    ),
    ("signatures", "any"): N_(
        "Les signatures de l'antivirus sont anciennes : lancez « freshclam » (ou vérifiez "
        "que le service clamav-freshclam tourne)."
    ),
    ("signatures_unknown", "any"): N_(
        "La date des signatures de l'antivirus n'a pas pu être lue : mettez-les à jour "
        "(« freshclam » avec ClamAV, Windows Update avec Defender) puis relancez « hygie doctor »."
    ),
    ("secrets_file", "any"): N_(
        "Les mots de passe sont gardés dans un fichier protégé de hygie, faute de trousseau "
        "du système. Sur un bureau Linux, installez gnome-keyring (ou KWallet) et ouvrez une "
        "session graphique ; sur Windows et macOS le trousseau du système est utilisé."
    ),
    ("schedule", "windows"): N_(
        "Installez la planification : tableau de bord → Sauvegardes → « Planifier », ou "
        "« hygie backup schedule --install » (Planificateur de tâches, sans droits "
        "d'administrateur)."
    ),
    ("schedule", "darwin"): N_(
        "Installez la planification : tableau de bord → Sauvegardes → « Planifier », ou "
        "« hygie backup schedule --install » (launchd)."
    ),
    ("schedule", "linux"): N_(
        "Installez la planification : « hygie backup schedule --install » (minuteries "
        "systemd de l'utilisateur)."
    ),
    ("relay", "any"): N_(
        "Le serveur d'envoi {upstream} ne répond pas : vérifiez la connexion Internet et "
        "l'adresse du serveur (fournie par votre messagerie), puis vérifiez à nouveau."
    ),
    ("dashboard", "any"): N_(
        "Le port {port} est déjà pris sur cet ordinateur : choisissez-en un autre dans le "
        "fichier de configuration ([web] port) ou laissez 0 (un port libre)."
    ),
}


def fix_text(key: str, platform: str, **params: Any) -> str:
    text = FIX_FR.get((key, platform)) or FIX_FR.get((key, "any")) or ""
    return _(text).format(**params) if text else ""


# -- what the dashboard says (no command, no option: a link or a person to ask) -------------
ASK_IT_FR = N_("Demandez à votre prestataire informatique de s'en occuper.")
WEB_ADVICE_FR: dict[tuple[str, str], str] = {
    ("restic", "missing"): N_(
        "Le moteur de sauvegarde (restic) n'est pas installé sur cet ordinateur. "
        "L'installateur de hygie pour Windows et macOS l'inclut."
    ),
    ("restic", "warn"): N_(
        "Le moteur de sauvegarde fonctionne, mais une version plus récente est conseillée."
    ),
    ("antivirus", "missing"): N_(
        "La station blanche n'a pas d'antivirus utilisable : sans lui, aucune clé n'est "
        "déclarée saine."
    ),
    ("antivirus", "warn"): N_("Les signatures de l'antivirus ont plus d'une semaine."),
    ("antivirus", "unknown"): N_("La date des signatures de l'antivirus n'a pas pu être lue."),
    ("pdf", "missing"): N_(
        "Les PDF ne peuvent pas être fabriqués ici ; les rapports restent imprimables depuis "
        "le navigateur (bouton « Imprimer »)."
    ),
    ("secrets", "warn"): N_(
        "Les mots de passe des sauvegardes sont gardés dans un fichier protégé de hygie, "
        "faute de trousseau du système."
    ),
    ("schedule", "missing"): N_(
        "Les sauvegardes ne sont pas planifiées : elles ne se feront pas toutes seules."
    ),
    ("schedule", "unknown"): N_("La planification des sauvegardes n'a pas pu être vérifiée."),
    ("relay", "missing"): N_(
        "Le serveur d'envoi de la messagerie ne répond pas : vérifiez la connexion Internet."
    ),
    ("dashboard", "missing"): N_("Le port prévu pour le tableau de bord est déjà pris."),
}
WINDOWS_DEFENDER_FR = N_(
    "Ouvrez Sécurité Windows → Protection contre les virus et menaces, et lancez la "
    "recherche de mises à jour."
)
# Where in the dashboard the nurse can act herself (None: someone must install something).
WEB_LINKS: dict[str, str] = {"schedule": "/sauvegardes", "relay": "/messagerie"}


def web_advice(component: Component, platform: PlatformName) -> tuple[str, str | None]:
    """What the dashboard says about a component that is not ``ok``, and where to act.

    Never a command: either a page of the dashboard (link) or who to ask."""
    if component.state in ("ok", "not_configured"):
        return "", None
    if component.id == "pdf" and component.state == "missing":
        return _(WEB_ADVICE_FR[("pdf", "missing")]) + " " + install_hint(platform), None
    text = WEB_ADVICE_FR.get((component.id, component.state)) or WEB_ADVICE_FR.get(
        (component.id, "missing"), ""
    )
    said = _(text) if text else component.label
    link = WEB_LINKS.get(component.id)
    if link:
        return said, link
    if component.id == "antivirus" and platform == "windows":
        return said + " " + _(WINDOWS_DEFENDER_FR), None
    return said + " " + _(ASK_IT_FR), None


def install_hint(platform: PlatformName) -> str:
    from hygie.render.pdf import install_hint as pdf_install_hint

    return pdf_install_hint(platform)


# -- the checks -------------------------------------------------------------------------------
def check_restic(platform: str, needed: bool) -> Component:
    from hygie.backup.errors import ResticNotFound
    from hygie.backup.restic import RECOMMENDED_VERSION, restic_version, version_str

    try:
        v = restic_version()
    except ResticNotFound:
        where = proc.which("restic")
        seen = f"restic at {where} does not answer 'restic version'" if where else "not found"
        return Component("restic", "missing", needed, seen, fix_text("restic", platform))
    text = version_str(v)
    if v < RECOMMENDED_VERSION:
        return Component(
            "restic",
            "warn",
            needed,
            f"restic {text} (< {version_str(RECOMMENDED_VERSION)})",
            fix_text("restic_old", platform, version=text),
            version=text,
        )
    return Component("restic", "ok", needed, f"restic {text}", version=text)


def check_antivirus(platform: str, needed: bool, engine: dict[str, Any] | None) -> Component:
    if engine is None:
        return Component("antivirus", "unknown", needed, "engine state could not be read")
    if not engine.get("present"):
        return Component(
            "antivirus",
            "missing",
            needed,
            "no antivirus engine found",
            fix_text("antivirus", platform),
        )
    version = engine.get("version")
    age = engine.get("signature_age_days")
    seen = f"{engine.get('mode', '?')} engine {version or '(version unknown)'}"
    if age is None:
        return Component(
            "antivirus",
            "unknown",
            needed,
            seen + ", signature date unknown",
            fix_text("signatures_unknown", platform),
            version=version,
        )
    seen += f", signatures {float(age):.1f} days old"
    if age <= SIGNATURES_FRESH_DAYS:
        return Component("antivirus", "ok", needed, seen, version=version)
    state: State = "warn" if age <= SIGNATURES_MAX_DAYS else "missing"
    return Component("antivirus", state, needed, seen, fix_text("signatures", platform), version)


def check_pdf(platform: PlatformName, needed: bool) -> Component:
    from hygie.render.pdf import engine_status

    status = engine_status()
    if status.kind == "none":
        seen = f"WeasyPrint: {status.weasyprint_reason}; browser: {status.browser_reason}"
        return Component("pdf", "missing", needed, seen, install_hint(platform))
    seen = status.name if status.kind == "weasyprint" else f"{status.name} ({status.path})"
    if status.kind == "browser":
        seen += f"; WeasyPrint: {status.weasyprint_reason}"
    return Component("pdf", "ok", needed, seen)


def check_secrets(platform: str, needed: bool) -> Component:
    from hygie.secrets import backend_name

    try:
        name = backend_name()
    except Exception as exc:  # a broken keyring backend must not stop the doctor
        log.warning("secrets backend probe failed", exc_info=True)
        return Component("secrets", "unknown", needed, f"probe failed: {exc}")
    if name == "file":
        return Component(
            "secrets",
            "warn",
            needed,
            "fallback file (owner-only)",
            fix_text("secrets_file", platform),
        )
    return Component("secrets", "ok", needed, name)


def _schedule_probe(platform: str, home: Path) -> tuple[bool | None, str]:
    """(installed?, what was seen); None when the OS could not tell."""
    if platform == "linux":
        cp = proc.run(["systemctl", "--user", "is-enabled", "hygie-backup.timer"], timeout=10)
        if cp.missing or cp.timed_out:
            return None, cp.why()
        answer = cp.stdout.strip()
        if answer in ("enabled", "static", "linked"):
            return True, f"hygie-backup.timer {answer}"
        if answer in ("disabled", "not-found", "masked") or "No such file" in cp.stderr:
            return False, f"hygie-backup.timer {answer or 'not-found'}"
        return None, cp.why()
    if platform == "windows":
        cp = proc.run(["schtasks", "/Query", "/TN", "hygie\\hygie-backup"], timeout=15)
        if cp.missing or cp.timed_out:
            return None, cp.why()
        return cp.ok, "scheduled task hygie\\hygie-backup " + ("found" if cp.ok else "absent")
    plist = home / "Library" / "LaunchAgents" / "fr.hygie.backup.plist"
    if not plist.exists():
        return False, f"{plist.name} absent"
    cp = proc.run(["launchctl", "list"], timeout=10)
    if not cp.ok:
        return None, cp.why()
    loaded = "fr.hygie.backup" in cp.stdout
    return loaded, f"{plist.name} " + ("loaded" if loaded else "present, not loaded")


def check_schedule(platform: str, needed: bool, home: Path) -> Component:
    installed, seen = _schedule_probe(platform, home)
    if installed is None:
        return Component("schedule", "unknown", needed, seen, fix_text("schedule", platform))
    if not installed:
        return Component("schedule", "missing", needed, seen, fix_text("schedule", platform))
    return Component("schedule", "ok", needed, seen)


def check_relay(config: dict[str, Any], needed: bool, platform: str) -> Component:
    if not needed:
        return Component("relay", "not_configured", False, "mail relay not configured")
    from hygie.mail import settings_from

    try:
        settings = settings_from(config)
    except Exception as exc:
        return Component("relay", "missing", True, f"relay configuration invalid: {exc}")
    upstream = f"{settings.upstream_host}:{settings.upstream_port}"
    try:
        with socket.create_connection(
            (settings.upstream_host, settings.upstream_port), timeout=RELAY_CONNECT_TIMEOUT_S
        ):
            pass
    except OSError as exc:
        return Component(
            "relay",
            "missing",
            True,
            f"{upstream}: {exc.strerror or exc}",
            fix_text("relay", platform, upstream=upstream),
        )
    return Component("relay", "ok", True, f"{upstream} accepts connections")


def check_dashboard(
    config: dict[str, Any], platform: str, serving_port: int | None = None
) -> Component:
    web = config.get("web") if isinstance(config.get("web"), dict) else {}
    try:
        port = int((web or {}).get("port", 0))
    except (TypeError, ValueError):
        return Component("dashboard", "missing", True, "[web] port is not a number")
    if port and port == serving_port:
        return Component("dashboard", "ok", True, f"127.0.0.1:{port} (this dashboard)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
        bound = sock.getsockname()[1]
    except OSError as exc:
        return Component(
            "dashboard",
            "missing",
            True,
            f"127.0.0.1:{port}: {exc.strerror or exc}",
            fix_text("dashboard", platform, port=port),
        )
    finally:
        sock.close()
    what = f"127.0.0.1:{port} free" if port else f"a free port on 127.0.0.1 (e.g. {bound})"
    return Component("dashboard", "ok", True, what)


# -- the report -------------------------------------------------------------------------------
def _features(config: dict[str, Any], store: Any) -> dict[str, bool]:
    from hygie.backup import load_config

    cfg = load_config(store)  # a store that cannot be read stops the doctor (exit 3)
    backup = cfg is not None and bool(cfg.destinations)
    media = isinstance(config.get("media"), dict)
    try:
        from hygie.media import recent_runs

        media = media or bool(recent_runs(store, limit=1))
    except Exception:  # the media table may not exist yet: the station was never used
        log.info("no media history", exc_info=True)
    mail = config.get("mail")
    relay_section = mail.get("relay") if isinstance(mail, dict) else None
    relay = isinstance(relay_section, dict) and bool(relay_section.get("upstream"))
    return {"backup": backup, "media_station": media, "mail_relay": relay}


def _media_engine(ctx: Any) -> dict[str, Any] | None:
    try:
        from hygie.media import engine_fact_value

        return engine_fact_value(ctx)
    except Exception:
        log.warning("antivirus engine probe failed", exc_info=True)
        return None


def run_doctor(
    *, progress: Callable[[str], None] | None = None, serving_port: int | None = None
) -> DoctorReport:
    """Examine every component on this computer (never raises for a component's failure).

    ``serving_port``: the port the calling dashboard listens on (it is taken, by itself)."""
    from hygie.audit import make_context

    ctx = make_context()
    platform = ctx.platform
    features = _features(ctx.config, ctx.store)
    checks: list[tuple[str, Callable[[], Component]]] = [
        ("restic", lambda: check_restic(platform, features["backup"])),
        (
            "antivirus",
            lambda: check_antivirus(platform, features["media_station"], _media_engine(ctx)),
        ),
        ("pdf", lambda: check_pdf(platform, True)),
        ("secrets", lambda: check_secrets(platform, features["backup"] or features["mail_relay"])),
        ("schedule", lambda: check_schedule(platform, features["backup"], Path.home())),
        ("relay", lambda: check_relay(ctx.config, features["mail_relay"], platform)),
        ("dashboard", lambda: check_dashboard(ctx.config, platform, serving_port)),
    ]
    components: list[Component] = []
    for cid, fn in checks:
        if progress is not None:
            progress(_(LABELS[cid]))
        try:
            components.append(fn())
        except Exception as exc:  # one broken probe never hides the others
            log.warning("doctor: %s probe failed", cid, exc_info=True)
            components.append(Component(cid, "unknown", True, f"probe failed: {exc}"))
    return DoctorReport(platform, tuple(components), features)


__all__ = ["STATE_LABELS", "Component", "DoctorReport", "run_doctor", "web_advice"]
