"""Classify e-mail addresses: MSSanté professional, MSSanté patient, free webmail, other.

The rules (docs/reference/mail-addresses.md):

* **MSSanté professional**: the domain is ``mssante.fr`` or a sub-domain of it
  (``infirmiers.mssante.fr``, ``ch-exemple.mssante.fr``), compared label by label in ASCII.
* **MSSanté patient**: exactly ``<INS>@patient.mssante.fr`` where ``<INS>`` is the 15-character
  matricule (13 characters, Corsica ``2A``/``2B`` allowed, and a valid 2-digit key).
* **Free webmail**: the domain or a parent of it is in the shipped list
  (``hygie/data/webmail.yaml``).
* **Other**: everything else, including every look-alike: ``mssante.fr.example.com``,
  ``fakemssante.fr``, a trailing dot, any non-ASCII character in the domain (IDN homographs,
  Cyrillic ``а``, full-width letters) — MSSanté has no internationalised domain names, so a
  non-ASCII domain that *looks* like one is never trusted.

A patient address holds the INS, which is a patient identifier: :class:`AddressInfo` only
ever carries it masked (:func:`hygie.identifiers.mask_digits`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from enum import StrEnum
from typing import Any

from hygie.i18n import N_, _
from hygie.identifiers import mask_digits, nir_is_valid
from hygie.mail.errors import InvalidNir
from hygie.mail.webmail import is_webmail_domain

MSSANTE_DOMAIN = "mssante.fr"
PATIENT_DOMAIN = "patient.mssante.fr"

_LDH = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SEPARATORS = re.compile(r"[\s.\-_\u00a0\u202f\u2009]+")


class AddressKind(StrEnum):
    MSSANTE_PRO = "mssante_pro"
    MSSANTE_PATIENT = "mssante_patient"
    MSSANTE_PATIENT_BAD_KEY = "mssante_patient_invalid"
    WEBMAIL = "webmail"
    OTHER = "other"
    INVALID = "invalid"


KIND_LABELS_FR: dict[AddressKind, str] = {
    AddressKind.MSSANTE_PRO: N_("MSSanté (professionnel)"),
    AddressKind.MSSANTE_PATIENT: N_("MSSanté (patient, Mon Espace Santé)"),
    AddressKind.MSSANTE_PATIENT_BAD_KEY: N_("adresse patient MSSanté invalide (clé INS fausse)"),
    AddressKind.WEBMAIL: N_("messagerie gratuite (non sécurisée)"),
    AddressKind.OTHER: N_("autre messagerie (non MSSanté)"),
    AddressKind.INVALID: N_("adresse invalide"),
}


@dataclass(frozen=True)
class AddressInfo:
    """One classified address. ``shown`` is safe to print (a patient's INS is masked)."""

    shown: str
    domain: str
    kind: AddressKind
    reason: str

    @property
    def is_mssante(self) -> bool:
        return self.kind in (AddressKind.MSSANTE_PRO, AddressKind.MSSANTE_PATIENT)

    @property
    def label(self) -> str:
        return _(KIND_LABELS_FR[self.kind])

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.shown,
            "domain": self.domain,
            "kind": self.kind.value,
            "label": self.label,
            "is_mssante": self.is_mssante,
            "reason": self.reason,
        }


# --- NIR / INS -----------------------------------------------------------------------------
def _nir_is_valid(nir: str) -> bool:
    """15 characters (13 + key), checked by the scanner's validator (sex digit, month sanity)."""
    return nir_is_valid(nir)


def normalize_nir(text: str) -> str:
    """Remove the separators people type (spaces, dots, dashes, no-break spaces); upper-case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", text)).upper()


def patient_address(nir_text: str) -> str:
    """The patient's Mon Espace Santé address ``<INS>@patient.mssante.fr``; raises InvalidNir.

    The caller prints it because the user typed the number for that purpose; it is never
    logged nor stored.
    """
    nir = normalize_nir(nir_text)
    if not re.fullmatch(r"[0-9AB]+", nir):
        raise InvalidNir(detail=_("il ne doit contenir que des chiffres (et 2A/2B pour la Corse)"))
    if len(nir) == 13:
        raise InvalidNir(
            detail=_("la clé (les 2 derniers chiffres) manque : 15 caractères attendus")
        )
    if len(nir) != 15:
        raise InvalidNir(
            detail=_("{n} caractères au lieu de 15 (13 chiffres et la clé)").format(n=len(nir))
        )
    if not _nir_is_valid(nir):
        raise InvalidNir(detail=_("la clé ne correspond pas au numéro (faute de frappe ?)"))
    return f"{nir}@{PATIENT_DOMAIN}"


# --- addresses -----------------------------------------------------------------------------
def _ascii_domain(domain: str) -> tuple[str | None, str]:
    """The domain in lower-case ASCII, or None with the reason it is not trustworthy."""
    if not domain:
        return None, _("pas de domaine après @")
    if domain.endswith("."):
        return None, _("le domaine se termine par un point")
    if not domain.isascii():
        return None, _(
            "le domaine contient des caractères non ASCII (possible imitation d'un nom connu)"
        )
    d = domain.lower()
    labels = d.split(".")
    if len(labels) < 2 or not all(_LDH.match(label) for label in labels):
        return None, _("le domaine n'est pas un nom de domaine valide")
    for label in labels:
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return None, _("le domaine contient un label IDN invalide")
    return d, ""


def _under(domain: str, parent: str) -> bool:
    return domain == parent or domain.endswith("." + parent)


#: A plain address: dot-atom local part of common characters, host name labels. For these
#: the standard library's two parsers (``parseaddr`` then ``Address``) give back the text
#: itself and its two halves, so they are skipped (they took ~0.2 ms per recipient; the
#: relay classifies every recipient of every message). Checked against the parsers by
#: ``tests/unit/mail/test_addresses.py``.
_PLAIN = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def classify_address(text: str) -> AddressInfo:
    """Classify one address (``a@b.fr`` or ``Name <a@b.fr>``)."""
    raw = text.strip()
    if _PLAIN.fullmatch(raw):
        local, _at, domain_typed = raw.partition("@")
        return _classify(raw, local, domain_typed)
    return _classify_parsed(raw)


def _classify_parsed(raw: str) -> AddressInfo:
    """:func:`classify_address` through the standard library's parsers (any address)."""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in raw):
        return AddressInfo(_safe_shown(raw), "", AddressKind.INVALID, _("caractères invisibles"))
    _name, spec = parseaddr(raw)
    if not spec or "@" not in spec:
        return AddressInfo(
            _safe_shown(raw), "", AddressKind.INVALID, _("pas de la forme nom@domaine")
        )
    if spec.endswith("."):
        return AddressInfo(
            _safe_shown(spec), "", AddressKind.OTHER, _("le domaine se termine par un point")
        )
    try:
        addr = Address(addr_spec=spec)
    except (HeaderParseError, ValueError, IndexError):
        _local, _sep, dom = spec.rpartition("@")
        return AddressInfo(_safe_shown(spec), dom, AddressKind.INVALID, _("adresse mal formée"))
    return _classify(spec, addr.username, addr.domain)


def _classify(spec: str, local: str, domain_typed: str) -> AddressInfo:
    if not local:
        return AddressInfo(
            _safe_shown(spec), domain_typed, AddressKind.INVALID, _("partie locale vide")
        )
    domain, why = _ascii_domain(domain_typed)
    if domain is None:
        kind = AddressKind.OTHER if domain_typed else AddressKind.INVALID
        return AddressInfo(_safe_shown(spec), domain_typed, kind, why)
    if domain == PATIENT_DOMAIN:
        ins = normalize_nir(local)
        shown = f"{mask_digits(ins)}@{domain}"
        if len(ins) == 15 and re.fullmatch(r"[0-9AB]+", ins) and _nir_is_valid(ins):
            return AddressInfo(
                shown, domain, AddressKind.MSSANTE_PATIENT, _("matricule INS valide (clé vérifiée)")
            )
        return AddressInfo(
            shown,
            domain,
            AddressKind.MSSANTE_PATIENT_BAD_KEY,
            _("la partie avant @ n'est pas un matricule INS valide (15 caractères, clé juste)"),
        )
    if _under(domain, PATIENT_DOMAIN):
        return AddressInfo(
            _safe_shown(spec),
            domain,
            AddressKind.OTHER,
            _("sous-domaine inconnu de patient.mssante.fr"),
        )
    if _under(domain, MSSANTE_DOMAIN):
        return AddressInfo(
            f"{local}@{domain}",
            domain,
            AddressKind.MSSANTE_PRO,
            _("domaine de l'espace de confiance MSSanté"),
        )
    if is_webmail_domain(domain):
        return AddressInfo(
            f"{local}@{domain}",
            domain,
            AddressKind.WEBMAIL,
            _("messagerie gratuite de la liste fournie"),
        )
    return AddressInfo(f"{local}@{domain}", domain, AddressKind.OTHER, _("domaine hors MSSanté"))


def _safe_shown(text: str) -> str:
    """What we print for an address we could not parse: masked if it carries a long number."""
    return re.sub(r"[0-9AaBb]{13,15}", lambda m: mask_digits(m.group(0)), text)


def is_mssante(address: str) -> bool:
    return classify_address(address).is_mssante


def classify_all(addresses: list[str]) -> list[AddressInfo]:
    return [classify_address(a) for a in addresses]
