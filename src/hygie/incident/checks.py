"""Checks of the incident capability, referenced from M11.yaml and M12.yaml."""

from __future__ import annotations

from hygie.audit import Facts, Outcome, Status, check
from hygie.i18n import _

KIT_MAX_AGE_DAYS = 365
BACKUP_VERIFY_MAX_DAYS = 90


@check("M11.kit_recent", facts=("incident.kit_age_days",), handles_unknown=True)
def kit_recent(f: Facts) -> Outcome:
    if not f.known("incident.kit_age_days"):
        return Outcome(Status.UNKNOWN, f["incident.kit_age_days"].reason)
    age = f.value("incident.kit_age_days")
    if not isinstance(age, int | float):
        return Outcome(
            Status.WARN,
            _("le kit d'urgence (accès dmp.fr, six gestes) n'a jamais été édité : hygie kit --pdf"),
        )
    days = int(age)
    if age <= KIT_MAX_AGE_DAYS:
        return Outcome(Status.OK, _("kit d'urgence édité il y a {n} jours").format(n=days))
    return Outcome(
        Status.WARN,
        _("kit d'urgence édité il y a {n} jours : rééditez-le (une fois par an)").format(n=days),
    )


@check("M12.backup_verified", facts=("incident.backup_verified_age_days",))
def backup_verified(f: Facts) -> Outcome:
    age = f.value("incident.backup_verified_age_days")
    if not isinstance(age, int | float):
        return Outcome(Status.UNKNOWN, _("dernier test de restauration inconnu"))
    if age < 0:
        return Outcome(Status.FAIL, _("le dernier test de restauration a échoué"))
    days = int(age)
    if age <= BACKUP_VERIFY_MAX_DAYS:
        return Outcome(Status.OK, _("dernière sauvegarde vérifiée il y a {n} jours").format(n=days))
    return Outcome(
        Status.WARN,
        _("dernière vérification de sauvegarde il y a {n} jours (90 au plus)").format(n=days),
    )
