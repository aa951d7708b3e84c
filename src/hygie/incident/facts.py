"""M11/M12 facts from the incident capability's recorded state (read-only).

* ``incident.contacts_ready``: from the ``[kit]`` config section (IT provider or security
  officer reachable); unknown (the question is asked) when ``hygie kit setup`` never ran.
* ``incident.sheet_printed``: hygie cannot see a printer. A kit generated (PDF or HTML) in the
  last 12 months counts as printed (the kit says "print me" and M12's fix says so) unless she
  answered the question after that (her answer is used); otherwise unknown, and the
  questionnaire answer is used.
* ``incident.drill_done``: a drill recorded in the last 12 months; otherwise unknown (a drill
  done without hygie may be declared in the questionnaire).
* ``incident.kit_age_days``: days since the kit was last generated (None: never).
* ``incident.backup_verified_age_days``: days since the last verified restore, from the backup
  module's recovery information; unknown when that module is absent or tells nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from hygie.audit import Fact, ProbeContext, provider
from hygie.i18n import _
from hygie.incident.backup_link import backup_state
from hygie.incident.kit import load_kit_config
from hygie.incident.state import kit_generated_at, last_drill_at

SOURCE = "incident.state"
YEAR_DAYS = 365
FACTS = (
    "incident.contacts_ready",
    "incident.sheet_printed",
    "incident.drill_done",
    "incident.kit_age_days",
    "incident.backup_verified_age_days",
)


def _age_days(at: dt.datetime | None, now: dt.datetime) -> float | None:
    return None if at is None else (now - at).total_seconds() / 86400


def _answered_since(ctx: ProbeContext, fact: str, since: dt.datetime) -> bool:
    """She answered the question after the kit was generated: her answer wins (a kit
    generated is not a kit printed; "non" must not read "la fiche est imprimée")."""
    if ctx.store is None:
        return False
    value = ctx.store.answers().get(fact)
    if value is None:
        return False
    try:
        at = dt.datetime.fromisoformat(value[1])
    except ValueError:
        return False
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)) >= since


@provider("incident.state", facts=FACTS, kind="state")
def incident_state(ctx: ProbeContext) -> Iterable[Fact]:
    kc = load_kit_config(ctx.config) if ctx.config else load_kit_config()
    if kc is None:
        yield Fact.unknown(
            "incident.contacts_ready",
            _("contacts d'urgence pas encore saisis dans hygie (hygie kit setup)"),
            SOURCE,
            askable=True,
        )
    else:
        yield Fact.known("incident.contacts_ready", kc.contacts_ready, SOURCE)

    kit_at = kit_generated_at(ctx.store) if ctx.store is not None else None
    drill_at = last_drill_at(ctx.store) if ctx.store is not None else None
    kit_age = _age_days(kit_at, ctx.now)
    yield Fact.known(
        "incident.kit_age_days", None if kit_age is None else round(kit_age, 1), SOURCE
    )
    if (
        kit_age is not None
        and kit_age <= YEAR_DAYS
        and kit_at is not None
        and not _answered_since(ctx, "incident.sheet_printed", kit_at)
    ):
        yield Fact.known("incident.sheet_printed", True, SOURCE)
    else:
        yield Fact.unknown(
            "incident.sheet_printed",
            _("aucun kit d'urgence édité par hygie depuis un an"),
            SOURCE,
            askable=True,
        )
    drill_age = _age_days(drill_at, ctx.now)
    if drill_age is not None and drill_age <= YEAR_DAYS:
        yield Fact.known("incident.drill_done", True, SOURCE)
    else:
        yield Fact.unknown(
            "incident.drill_done",
            _("aucun exercice enregistré par hygie depuis un an"),
            SOURCE,
            askable=True,
        )
    bs = backup_state()
    age = bs.verified_age_days(ctx.now) if bs.known else None
    if age is None:
        yield Fact.unknown(
            "incident.backup_verified_age_days",
            bs.reason or _("aucun test de restauration connu de hygie"),
            SOURCE,
        )
    elif bs.verified_ok is False:
        yield Fact.known("incident.backup_verified_age_days", -1, SOURCE)
    else:
        yield Fact.known("incident.backup_verified_age_days", round(age, 1), SOURCE)
