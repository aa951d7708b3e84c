"""The relay's decision for one message: relay, refuse, quarantine or flag (fail closed).

* every recipient is MSSanté → relayed unchanged (no scan needed: MSSanté is the secure channel),
  unless the upstream itself is a free webmail;
* otherwise the message is scanned by :func:`hygie.scan.scan_email` (its typed
  :class:`~hygie.scan.ScanResult`): ``clean`` → relayed unchanged; ``found`` → the policy
  (``reject`` a permanent 5xx saying which kind of data was found in which part;
  ``quarantine`` keep an encrypted copy and refuse; ``warn`` relay with an ``X-Hygie-Warning``
  header); ``unscannable`` (malformed or ambiguous MIME, encrypted content, time limit...) →
  refused, never relayed unscanned;
* a scanner crash or an oversize message → refused.

One time limit: ``scan_timeout_s`` becomes the scanner's deadline; the scanner says when it
ran out of time (``timed_out``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from hygie.i18n import _
from hygie.identifiers import mask_identifiers
from hygie.mail.addresses import classify_address
from hygie.mail.relay.quarantine import ShownFinding
from hygie.mail.relay.replies import ascii_reply, smtp_reply
from hygie.scan import ScanResult

log = logging.getLogger("hygie.mail.relay")

WARNING_HEADER = "X-Hygie-Warning"


class Scanner(Protocol):
    """What the relay calls: :func:`hygie.scan.scan_email`, or the same in worker processes."""

    def __call__(self, raw: bytes, *, deadline: float) -> ScanResult: ...


@dataclass(frozen=True)
class Verdict:
    """What the relay does with one message. ``reply`` is the SMTP reply for a refusal."""

    decision: str  # see DECISIONS
    relay: bool
    reply: str = ""
    finding_types: dict[str, int] = field(default_factory=dict)
    non_mssante: int = 0
    header: str = ""
    #: What was found, as it may be shown (kept with a quarantined copy).
    findings: tuple[ShownFinding, ...] = ()


DECISIONS = (
    "relayed_mssante",
    "relayed_clean",
    "relayed_warned",
    "rejected_patient_data",
    "quarantined",
    "refused_unscannable",
    "refused_oversize",
    "refused_timeout",
    "deferred_upstream",
    "refused_upstream",
    "deferred_local",
)


def decide(
    rcpts: Iterable[str],
    raw: bytes,
    *,
    policy: str,
    scanner: Scanner,
    scan_timeout_s: float,
    max_size: int,
    upstream_is_webmail: bool = False,
    before_scan: Callable[[], None] | None = None,
) -> Verdict:
    """The relay's decision for one message (pure but for the scanner it calls).

    MSSanté-only recipients exempt a message from the scan, except when the upstream itself
    is a free webmail (``smtp.gmail.com``...): the message would then pass through that
    provider, which is what the leaflet warns against. ``before_scan`` is called right
    before the scan, only when there is one (the relay opens the upstream transaction
    meanwhile; it sends nothing of the message before this verdict).
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
    if before_scan is not None:
        before_scan()
    try:
        result = scanner(raw, deadline=time.monotonic() + scan_timeout_s)
    except Exception as exc:  # fail closed: a scanner crash never lets the message through
        # The type only: an exception's text could quote a piece of the message.
        log.warning("scanner error %s (message refused)", type(exc).__name__)
        return _unscannable(non_mssante, "")
    if result.verdict == "clean":
        return Verdict("relayed_clean", True, non_mssante=non_mssante)
    if result.verdict == "unscannable":
        if result.timed_out:
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
        reason = _(result.unscannable_reason) if result.unscannable_reason else ""
        if result.unreadable and reason:
            reason += f" ({result.unreadable[0].part})"
        return _unscannable(non_mssante, reason)
    return _found(result, policy, non_mssante)


def _found(result: ScanResult, policy: str, non_mssante: int) -> Verdict:
    found = result.patient_findings or result.findings
    types = Counter(f.type for f in found)
    labels = Counter(_(f.label) for f in found)
    parts = list(dict.fromkeys(f.part for f in found))
    kinds = ", ".join(f"{label} ({n})" for label, n in labels.most_common()) or _(
        "données de patient"
    )
    # The scanner already masks identifiers in part names; mask again (cheap, and a reply
    # is the one place a clear identifier would leave the machine).
    where = ", ".join(mask_identifiers(p) for p in parts[:5])
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
        shown = tuple(
            ShownFinding(f.type, f.label, mask_identifiers(f.part), f.masked) for f in found
        )
        return Verdict(
            "quarantined",
            False,
            smtp_reply(550, "5.7.1", text),
            finding_types=dict(types),
            non_mssante=non_mssante,
            findings=shown,
        )
    return Verdict(
        "rejected_patient_data",
        False,
        smtp_reply(550, "5.7.1", text),
        finding_types=dict(types),
        non_mssante=non_mssante,
    )


def _unscannable(non_mssante: int, reason: str) -> Verdict:
    text = _("Message illisible pour la vérification (format MIME invalide ou chiffré)")
    if reason:
        text += " : " + mask_identifiers(reason)
    text += ". " + _("Il n'a pas été envoyé ; utilisez MSSanté pour les données de patient.")
    return Verdict(
        "refused_unscannable", False, smtp_reply(554, "5.6.0", text), non_mssante=non_mssante
    )


def add_warning_header(raw: bytes, value: str) -> bytes:
    """Prepend one ASCII header line; the rest of the message stays byte-for-byte."""
    line = f"{WARNING_HEADER}: {ascii_reply(value)}\r\n".encode("ascii")
    return line + raw
