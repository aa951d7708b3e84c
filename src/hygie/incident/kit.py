"""The emergency kit: the practice's contacts (config section ``[kit]``) and the printable kit
(HTML, PDF through :func:`hygie.render.pdf.write_pdf`), in French by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment

from hygie import __version__
from hygie.config import load_config, save_section
from hygie.i18n import N_, _, get_language
from hygie.incident import steps as steps_mod
from hygie.incident.backup_link import RecoveryPage, recovery_page
from hygie.incident.errors import KitError
from hygie.render.templating import template_environment

SECTION = "kit"
ROLES: tuple[str, ...] = ("it_provider", "security_officer", "insurer", "colleague")
ROLE_LABELS = {
    "it_provider": N_("Prestataire informatique"),
    "security_officer": N_("Responsable de la sécurité"),
    "insurer": N_("Assureur"),
    "colleague": N_("Confrère ou consœur pour la continuité des soins"),
}
FIELDS = ("name", "phone", "email", "note")
FIELD_LABELS = {
    "name": N_("Nom"),
    "phone": N_("Téléphone"),
    "email": N_("E-mail"),
    "note": N_("Remarque (n° de contrat, horaires...)"),
}


@dataclass(frozen=True)
class Contact:
    role: str
    name: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self.role])

    @property
    def reachable(self) -> bool:
        return bool(self.name.strip() and (self.phone.strip() or self.email.strip()))

    @property
    def empty(self) -> bool:
        return not any((self.name, self.phone, self.email, self.note))

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "label": self.label,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "note": self.note,
        }


@dataclass(frozen=True)
class KitConfig:
    practice: str
    contacts: tuple[Contact, ...]

    def contact(self, role: str) -> Contact:
        for c in self.contacts:
            if c.role == role:
                return c
        return Contact(role)

    @property
    def contacts_ready(self) -> bool:
        """Step 4 can be done: the IT provider or the security officer can be reached."""
        return self.contact("it_provider").reachable or self.contact("security_officer").reachable

    def missing(self) -> list[str]:
        return [r for r in ROLES if not self.contact(r).reachable]

    def to_dict(self) -> dict[str, Any]:
        return {
            "practice": self.practice,
            "contacts": [self.contact(r).to_dict() for r in ROLES],
            "contacts_ready": self.contacts_ready,
            "missing": self.missing(),
        }

    def to_section(self) -> dict[str, str]:
        out = {"practice": self.practice}
        for r in ROLES:
            c = self.contact(r)
            for f in FIELDS:
                out[f"{r}_{f}"] = str(getattr(c, f))
        return out


def empty_config() -> KitConfig:
    return KitConfig("", tuple(Contact(r) for r in ROLES))


def load_kit_config(config: dict[str, Any] | None = None) -> KitConfig | None:
    """The ``[kit]`` section, or None when ``hygie kit setup`` was never run."""
    cfg = load_config() if config is None else config
    section = cfg.get(SECTION)
    if not isinstance(section, dict):
        return None

    def get(key: str) -> str:
        v = section.get(key, "")
        return str(v).strip() if v is not None else ""

    contacts = tuple(Contact(r, **{f: get(f"{r}_{f}") for f in FIELDS}) for r in ROLES)
    return KitConfig(get("practice"), contacts)


def update_kit_config(
    base: KitConfig | None, practice: str | None, changes: dict[str, dict[str, str]]
) -> KitConfig:
    """Apply given fields (None = unchanged) to the saved configuration."""
    kc = base or empty_config()
    contacts = []
    for r in ROLES:
        c = kc.contact(r)
        fields = {f: v.strip() for f, v in changes.get(r, {}).items() if v is not None}
        contacts.append(replace(c, **fields) if fields else c)
    return KitConfig(kc.practice if practice is None else practice.strip(), tuple(contacts))


def save_kit_config(kc: KitConfig) -> Path:
    return save_section(SECTION, kc.to_section())


# -- the printable kit ---------------------------------------------------------------------
@dataclass(frozen=True)
class KitDocument:
    generated_at: dt.datetime
    version: str
    config: KitConfig
    recovery: RecoveryPage
    with_password: bool
    journal_code: str = ""  # last check code of an incident journal on this computer
    journal_code_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "journal_code": self.journal_code,
            "journal_code_at": self.journal_code_at,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "hygie_version": self.version,
            "kit": self.config.to_dict(),
            "steps": [s.to_dict() for s in steps_mod.STEPS],
            "recovery": self.recovery.to_dict(),
            "with_password": self.with_password,
        }


def build_kit(
    *, with_password: bool = False, now: dt.datetime | None = None, config: KitConfig | None = None
) -> KitDocument:
    from hygie.incident.anchors import last_recorded_code

    kc = config or load_kit_config() or empty_config()
    code, code_at = last_recorded_code() or ("", "")
    return KitDocument(
        generated_at=now or dt.datetime.now().astimezone(),
        version=__version__,
        config=kc,
        recovery=recovery_page(include_password=with_password),
        with_password=with_password,
        journal_code=code,
        journal_code_at=code_at[:16].replace("T", " "),
    )


def _environment() -> Environment:
    return template_environment("incident/templates")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_kit_html(doc: KitDocument) -> str:
    date = doc.generated_at.strftime("%d/%m/%Y")
    footer = _("Kit d'urgence {practice} — édité le {date} — hygie {version}").format(
        practice=doc.config.practice or "", date=date, version=doc.version
    )
    footer = " ".join(footer.split())
    css = (Path(__file__).parent / "templates" / "kit.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("kit.html.j2")
        .render(
            d=doc,
            kc=doc.config,
            roles=ROLES,
            steps=steps_mod.STEPS,
            urls={
                "cybermalveillance": steps_mod.CYBERMALVEILLANCE_URL,
                "cnil": steps_mod.CNIL_BREACH_URL,
                "signal_spam": steps_mod.SIGNAL_SPAM_URL,
                "dmp": steps_mod.DMP_URL,
            },
            date=date,
            lang=get_language(),
            css=css,
            footer_css=_css_string(footer),
            footer=footer,
            page_label=_css_string(_("page ")),
        )
    )


def _write(path: Path, data: bytes) -> None:
    from hygie.fileio import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)  # owner-only: the kit may hold the backup password
    except OSError as exc:
        raise KitError(path=str(path), detail=exc.strerror or str(exc)) from exc


@dataclass(frozen=True)
class KitWritten:
    html: str | None
    pdf: str | None
    generated_at: str
    contacts_ready: bool
    missing: tuple[str, ...]
    recovery_available: bool
    with_password: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "html": self.html,
            "pdf": self.pdf,
            "generated_at": self.generated_at,
            "contacts_ready": self.contacts_ready,
            "missing": list(self.missing),
            "recovery_available": self.recovery_available,
            "with_password": self.with_password,
        }


def write_kit(
    *, pdf: Path | None = None, html: Path | None = None, with_password: bool = False
) -> KitWritten:
    """Write the kit and record its generation in the store (for M11/M12)."""
    from hygie.incident.state import record_kit

    doc = build_kit(with_password=with_password)
    page = render_kit_html(doc)
    formats: list[str] = []
    if html is not None:
        _write(html, page.encode("utf-8"))
        formats.append("html")
    if pdf is not None:
        from hygie.render.pdf import write_pdf

        write_pdf(page, pdf, error=KitError)
        formats.append("pdf")
    at = record_kit(formats, with_password=with_password)
    return KitWritten(
        html=str(html) if html else None,
        pdf=str(pdf) if pdf else None,
        generated_at=at,
        contacts_ready=doc.config.contacts_ready,
        missing=tuple(doc.config.missing()),
        recovery_available=doc.recovery.available,
        with_password=with_password,
    )
