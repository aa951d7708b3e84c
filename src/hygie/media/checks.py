"""M06 checks fed by the media station: engine and signature age, last scans."""

from __future__ import annotations

from typing import Any

from hygie.audit import Facts, Outcome, Status, check
from hygie.i18n import _

FRESH_DAYS = 7
STALE_DAYS = 30


@check("M06.engine_signatures", facts=("media.engine",))
def engine_signatures(f: Facts) -> Outcome:
    eng = f.value("media.engine")
    if isinstance(eng, dict) and eng.get("engine") == "defender" and not eng.get("present"):
        return Outcome(
            Status.WARN,
            _("Microsoft Defender est introuvable : la station ne peut pas analyser les clés"),
        )
    if not isinstance(eng, dict) or not eng.get("present"):
        return Outcome(
            Status.WARN,
            _("aucun moteur antivirus (ClamAV) pour analyser les clés : installez-le"),
        )
    if eng.get("signature_count") == 0:
        return Outcome(
            Status.FAIL, _("le moteur antivirus n'a aucune signature : il ne détecte rien")
        )
    age = eng.get("signature_age_days")
    if not isinstance(age, int | float):
        return Outcome(Status.UNKNOWN, _("date des signatures antivirus inconnue"))
    days = int(age)
    if age > STALE_DAYS:
        return Outcome(
            Status.FAIL,
            _("signatures antivirus vieilles de {days} jours : mettez-les à jour").format(
                days=days
            ),
        )
    if age > FRESH_DAYS:
        return Outcome(
            Status.WARN,
            _("signatures antivirus vieilles de {days} jours").format(days=days),
        )
    return Outcome(
        Status.OK,
        _("moteur antivirus présent, signatures de moins de {n} jours").format(n=FRESH_DAYS),
    )


@check("M06.last_media_scans", facts=("media.last_scans",))
def last_media_scans(f: Facts) -> Outcome:
    runs: Any = f.value("media.last_scans")
    if not isinstance(runs, list) or not runs:
        return Outcome(Status.UNKNOWN, _("aucune analyse de clé enregistrée par hygie"))
    last = runs[0]
    date = str(last.get("started_at", ""))[:10]
    if last.get("engine_error"):
        return Outcome(
            Status.WARN,
            _("la dernière analyse ({date}) a été interrompue : moteur arrêté").format(date=date),
        )
    if last.get("not_scanned"):
        return Outcome(
            Status.WARN,
            _("la dernière analyse ({date}) n'a pas pu analyser {n} fichier(s)").format(
                date=date, n=last["not_scanned"]
            ),
        )
    if not last.get("files"):
        return Outcome(
            Status.UNKNOWN,
            _(
                "la dernière analyse ({date}) n'a examiné aucun fichier : rien n'est prouvé sain"
            ).format(date=date),
        )
    if last.get("infected"):
        return Outcome(
            Status.OK,
            _("la dernière analyse ({date}) a bloqué {n} fichier(s) infecté(s)").format(
                date=date, n=last["infected"]
            ),
        )
    return Outcome(
        Status.OK,
        _("dernière analyse le {date} : {n} fichier(s), aucun virus").format(
            date=date, n=last.get("files", 0)
        ),
    )
