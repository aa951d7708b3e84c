"""The relay's decision for one message: relay, refuse, quarantine or flag (fail closed).

* every recipient is MSSanté → relayed unchanged (no scan needed: MSSanté is the secure channel),
  unless the upstream itself is a free webmail;
* otherwise the message is scanned: clean → relayed unchanged; patient data → the policy
  (``reject`` a permanent 5xx saying which kind of data was found in which part;
  ``quarantine`` keep an encrypted copy and refuse; ``warn`` relay with an ``X-Hygie-Warning``
  header);
* unscannable MIME, a scan error or time-out, an oversize message → refused, never relayed
  unscanned.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hygie.i18n import _
from hygie.mail.addresses import classify_address
from hygie.mail.relay.replies import ascii_reply, smtp_reply
from hygie.mail.relay.scanning import Scanner, finding_part, type_label

log = logging.getLogger("hygie.mail.relay")

WARNING_HEADER = "X-Hygie-Warning"


@dataclass(frozen=True)
class Verdict:
    """What the relay does with one message. ``reply`` is the SMTP reply for a refusal."""

    decision: str  # see DECISIONS
    relay: bool
    reply: str = ""
    finding_types: dict[str, int] = field(default_factory=dict)
    non_mssante: int = 0
    header: str = ""


DECISIONS = (
    "relayed_mssante",
    "relayed_clean",
    "relayed_warned",
    "rejected_patient_data",
    "quarantined",
    "refused_unscannable",
    "refused_oversize",
    "refused_timeout",
    "refused_no_scanner",
    "deferred_upstream",
    "refused_upstream",
    "deferred_local",
)


def _summarise(result: Any) -> tuple[Counter[str], list[str]]:
    types: Counter[str] = Counter()
    parts: list[str] = []
    for f in getattr(result, "findings", ()) or ():
        t = str(getattr(f, "type", "inconnu"))
        types[t] += 1
        p = finding_part(f)
        if p not in parts:
            parts.append(p)
    return types, parts


def decide(
    rcpts: Iterable[str],
    raw: bytes,
    *,
    policy: str,
    scanner: Scanner | None,
    scan_timeout_s: float,
    max_size: int,
    upstream_is_webmail: bool = False,
) -> Verdict:
    """The relay's decision for one message (pure but for the scanner it calls).

    MSSanté-only recipients exempt a message from the scan, except when the upstream itself
    is a free webmail (``smtp.gmail.com``...): the message would then pass through that
    provider, which is what the leaflet warns against.
    """
    non_mssante = sum(1 for r in rcpts if not classify_address(r).is_mssante)
    if len(raw) > max_size:
        return Verdict(
            "refused_oversize",
            False,
            smtp_reply(
                552, "5.3.4", _("Message trop gros pour être vérifié : il n'a pas été envoyé.")
            ),
            non_mssante=non_mssante,
        )
    if non_mssante == 0 and not upstream_is_webmail:
        return Verdict("relayed_mssante", True)
    if scanner is None:
        return Verdict(
            "refused_no_scanner",
            False,
            smtp_reply(
                451,
                "4.3.0",
                _("Le relais hygie ne peut pas vérifier ce message (analyseur absent)."),
            ),
            non_mssante=non_mssante,
        )
    try:
        result = scanner(raw, timeout_s=scan_timeout_s)
    except TimeoutError:
        return Verdict(
            "refused_timeout",
            False,
            smtp_reply(
                554,
                "5.7.0",
                _(
                    "Vérification trop longue : message non envoyé. Envoyez-le par votre "
                    "messagerie MSSanté ou en plusieurs fois."
                ),
            ),
            non_mssante=non_mssante,
        )
    except Exception as exc:  # fail closed: a scanner crash never lets the message through
        # The type only: an exception's text could quote a piece of the message.
        log.warning("scanner error %s (message refused)", type(exc).__name__)
        return _unscannable(non_mssante, "")
    status = str(getattr(result, "status", ""))
    types, parts = _summarise(result)
    if status == "clean" and ENCRYPTED.search(raw):
        # Encrypted content cannot be read: "clean" would be a guess (fail closed).
        return _unscannable(non_mssante, _("contenu chiffré"))
    if status == "clean":
        return Verdict("relayed_clean", True, non_mssante=non_mssante)
    if status != "patient_data":
        if "timeout" in str(getattr(result, "reason", "")).lower() or "délai" in str(
            getattr(result, "reason", "")
        ):
            return Verdict(
                "refused_timeout",
                False,
                smtp_reply(554, "5.7.0", _("Vérification trop longue : message non envoyé.")),
                non_mssante=non_mssante,
            )
        return _unscannable(non_mssante, str(getattr(result, "reason", "")))
    kinds = ", ".join(f"{type_label(t)} ({n})" for t, n in types.most_common()) or _(
        "données de patient"
    )
    where = ", ".join(parts[:5])
    if policy == "warn":
        summary = ";".join(f"{t}={n}" for t, n in sorted(types.items()))
        return Verdict(
            "relayed_warned",
            True,
            finding_types=dict(types),
            non_mssante=non_mssante,
            header=f"patient-data; {summary}; recipients-not-mssante={non_mssante}",
        )
    if non_mssante:
        text = _(
            "Données de patient détectées : {kinds}, dans : {where}. Un destinataire n'est pas "
            "MSSanté : utilisez la messagerie sécurisée de santé (MSSanté) pour ce message."
        ).format(kinds=kinds, where=where)
    else:
        text = _(
            "Données de patient détectées : {kinds}, dans : {where}. Le serveur d'envoi est une "
            "messagerie gratuite : envoyez ce message depuis votre boîte MSSanté."
        ).format(kinds=kinds, where=where)
    if policy == "quarantine":
        text += " " + _("Une copie est gardée en quarantaine par hygie.")
        return Verdict(
            "quarantined",
            False,
            smtp_reply(550, "5.7.1", text),
            finding_types=dict(types),
            non_mssante=non_mssante,
        )
    return Verdict(
        "rejected_patient_data",
        False,
        smtp_reply(550, "5.7.1", text),
        finding_types=dict(types),
        non_mssante=non_mssante,
    )


ENCRYPTED = re.compile(
    rb"(?im)^content-type:[ \t]*(?:application/(?:x-)?pkcs7-mime|multipart/encrypted|"
    rb"application/pgp-encrypted)|^-----BEGIN PGP MESSAGE-----"
)


def _unscannable(non_mssante: int, reason: str) -> Verdict:
    text = _("Message illisible pour la vérification (format MIME invalide ou chiffré)")
    if reason:
        text += " : " + reason
    text += ". " + _("Il n'a pas été envoyé ; utilisez MSSanté pour les données de patient.")
    return Verdict(
        "refused_unscannable", False, smtp_reply(554, "5.6.0", text), non_mssante=non_mssante
    )


def add_warning_header(raw: bytes, value: str) -> bytes:
    """Prepend one ASCII header line; the rest of the message stays byte-for-byte."""
    line = f"{WARNING_HEADER}: {ascii_reply(value)}\r\n".encode("ascii")
    return line + raw
