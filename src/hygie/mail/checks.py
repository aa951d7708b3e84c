"""M04 checks fed by the mail capability (pure functions of facts)."""

from __future__ import annotations

from hygie.audit import Facts, Outcome, Status, check
from hygie.i18n import _, ngettext


def _int(f: Facts, key: str) -> int:
    v = f.value(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


@check(
    "M04.exposure_sent_patient_data",
    facts=(
        "mail.exposure_sent_patient_data",
        "mail.exposure_messages_examined",
        "mail.exposure_scanned_at",
    ),
)
def exposure_sent_patient_data(f: Facts) -> Outcome:
    n = _int(f, "mail.exposure_sent_patient_data")
    examined = _int(f, "mail.exposure_messages_examined")
    day = str(f.value("mail.exposure_scanned_at") or "")[:10]
    if n > 0:
        return Outcome(
            Status.FAIL,
            ngettext(
                "{n} message envoyé hors MSSanté contenait des données de patients "
                "(12 derniers mois, examen du {day})",
                "{n} messages envoyés hors MSSanté contenaient des données de patients "
                "(12 derniers mois, examen du {day})",
                n,
            ).format(n=n, day=day),
        )
    if examined <= 0:
        # An examination of nothing is never a pass (no Sent folder found, or empty).
        return Outcome(
            Status.UNKNOWN,
            _(
                "aucun message envoyé n'a été examiné le {day} (dossier « Envoyés » introuvable "
                "ou vide) : indiquez le dossier de vos messages envoyés à « hygie mail exposure »"
            ).format(day=day),
        )
    return Outcome(
        Status.OK,
        _(
            "aucune donnée de patient envoyée hors MSSanté ({examined} messages envoyés "
            "examinés, le {day})"
        ).format(examined=examined, day=day),
    )


@check("M04.relay_in_use", facts=("mail.relay_in_use", "mail.relay_blocked_30d"))
def relay_in_use(f: Facts) -> Outcome:
    if f.value("mail.relay_in_use") is not True:
        return Outcome(
            Status.NOT_APPLICABLE,
            _("relais de garde hygie non utilisé sur ce poste (facultatif)"),
        )
    blocked = _int(f, "mail.relay_blocked_30d")
    if blocked:
        return Outcome(
            Status.OK,
            ngettext(
                "le relais de garde est actif ; il a arrêté {n} message avec des données de "
                "patients ces 30 derniers jours",
                "le relais de garde est actif ; il a arrêté {n} messages avec des données de "
                "patients ces 30 derniers jours",
                blocked,
            ).format(n=blocked),
        )
    return Outcome(Status.OK, _("le relais de garde est actif (30 derniers jours)"))
