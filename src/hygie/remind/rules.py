"""The reminder rules: pure functions from the audit's facts to what is due.

A rule reads only :class:`hygie.audit.model.Fact` values the audit already gathered (no new
probe) and the time since which a condition has been seen (kept by :mod:`hygie.remind.service`).
It returns :class:`Candidate` objects; the service decides what is actually notified (once a
day, snooze, quiet hours). An unknown fact never raises a reminder: a reminder is an
assertion that something slipped, and hygie only asserts what it has seen. (The audit
itself shows the unknowns.)

Each reminder has a stable ``key`` (rule id, plus the destination's name where there can be
several), a French title and the one action to take, and the dashboard page that does it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie.audit import Fact, FactState
from hygie.i18n import N_, _

__all__ = [
    "CANDIDATE_RULES",
    "DEFAULT_THRESHOLDS",
    "RULES",
    "Candidate",
    "Thresholds",
    "evaluate",
    "thresholds_from_config",
]


@dataclass(frozen=True)
class Thresholds:
    """Every threshold a reminder uses, in days (``[remind]`` in the config file)."""

    backup_days_local: float = 2.0  # the practice disk (local or removable destination)
    backup_days_offsite: float = 7.0  # the off-site copy (S3, SFTP…)
    restore_test_days: float = 30.0
    updates_pending_days: float = 7.0
    antivirus_signature_days: float = 3.0
    kit_days: float = 365.0
    drill_days: float = 365.0


DEFAULT_THRESHOLDS = Thresholds()
_THRESHOLD_KEYS = tuple(Thresholds.__dataclass_fields__)


def thresholds_from_config(section: Mapping[str, Any] | None) -> Thresholds:
    """Thresholds from the config's ``[remind]`` table; bad values raise ``ValueError``."""
    if not section:
        return DEFAULT_THRESHOLDS
    values: dict[str, float] = {}
    for key in _THRESHOLD_KEYS:
        if key not in section:
            continue
        raw = section[key]
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 3650:
            raise ValueError(key)
        values[key] = float(raw)
    return Thresholds(**values)


@dataclass(frozen=True)
class Candidate:
    """A reminder a rule finds due (before snooze, once-a-day and quiet hours)."""

    key: str
    rule: str
    severity: str  # "fail" (something is broken or long overdue) or "warn"
    title: str  # French, already translated
    action: str  # the one thing to do, French, already translated
    link: str  # the dashboard page that does it
    since_days: float | None = None  # for how long it has been true, when known
    needs_days: float = 0.0  # the condition must have been seen this long (updates)
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "action": self.action,
            "link": self.link,
            "since_days": None if self.since_days is None else round(self.since_days, 1),
        }


Facts = Mapping[str, Fact]
Rule = Callable[[Facts, Thresholds], list[Candidate]]


def _known(facts: Facts, key: str) -> Any:
    f = facts.get(key)
    if f is None or f.state is not FactState.KNOWN:
        return None
    return f.value


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _destinations(facts: Facts) -> list[dict[str, Any]]:
    value = _known(facts, "backup.destinations")
    return [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []


def backup_stale(facts: Facts, t: Thresholds) -> list[Candidate]:
    """No successful backup to a destination for N days (2 for the practice disk, 7 off-site)."""
    out: list[Candidate] = []
    for d in _destinations(facts):
        name = str(d.get("name", ""))
        if d.get("last_error") == "destination_absent" and d.get("removable"):
            continue  # "plug the disk in" says it better (backup_disk_absent)
        limit = t.backup_days_offsite if d.get("offsite") else t.backup_days_local
        age = _num(d.get("last_success_age_days"))
        if age is not None and age <= limit:
            continue
        if age is None:
            title = _("Aucune sauvegarde réussie vers « {name} »").format(name=name)
        else:
            title = _("Pas de sauvegarde réussie vers « {name} » depuis {days} jours").format(
                name=name, days=int(age)
            )
        out.append(
            Candidate(
                key=f"backup.stale:{name}",
                rule="backup.stale",
                severity="fail" if age is None or age > 2 * limit else "warn",
                title=title,
                action=_("Lancez une sauvegarde maintenant depuis la page Sauvegardes."),
                link="/sauvegardes",
                since_days=age,
                params={"destination": name},
            )
        )
    return out


def backup_disk_absent(facts: Facts, t: Thresholds) -> list[Candidate]:
    """The removable disk was not there when the backup was due."""
    out: list[Candidate] = []
    for d in _destinations(facts):
        if not d.get("removable") or d.get("last_error") != "destination_absent":
            continue
        name = str(d.get("name", ""))
        out.append(
            Candidate(
                key=f"backup.disk_absent:{name}",
                rule="backup.disk_absent",
                severity="warn",
                title=_("Branchez le disque de sauvegarde « {name} »").format(name=name),
                action=_(
                    "La dernière sauvegarde prévue n'a pas trouvé le disque : branchez-le, "
                    "puis lancez la sauvegarde depuis la page Sauvegardes."
                ),
                link="/sauvegardes",
                since_days=_num(d.get("last_success_age_days")),
                params={"destination": name},
            )
        )
    return out


def backup_left_plugged(facts: Facts, t: Thresholds) -> list[Candidate]:
    """A removable backup disk stays plugged in (a ransomware would encrypt it too)."""
    left = _known(facts, "backup.left_mounted")
    if not isinstance(left, list):
        return []
    return [
        Candidate(
            key=f"backup.left_plugged:{name}",
            rule="backup.left_plugged",
            severity="warn",
            title=_("Le disque de sauvegarde « {name} » est resté branché").format(name=name),
            action=_(
                "Éjectez-le et débranchez-le : un disque débranché échappe à un rançongiciel."
            ),
            link="/sauvegardes",
            params={"destination": str(name)},
        )
        for name in left
    ]


def restore_test(facts: Facts, t: Thresholds) -> list[Candidate]:
    """A restore test failed, was never done, or is older than 30 days (per destination)."""
    value = _known(facts, "backup.verify_state")
    if not isinstance(value, list):
        return []
    out: list[Candidate] = []
    for v in value:
        if not isinstance(v, dict):
            continue
        name = str(v.get("name", ""))
        age = _num(v.get("age_days"))
        if v.get("ok") is False:
            out.append(
                Candidate(
                    key=f"restore.failed:{name}",
                    rule="restore.failed",
                    severity="fail",
                    title=_("Le test de restauration de « {name} » a échoué").format(name=name),
                    action=_(
                        "Ouvrez la page Sauvegardes : elle indique comment réparer la "
                        "sauvegarde, puis refaites le test."
                    ),
                    link="/sauvegardes",
                    since_days=age,
                    params={"destination": name},
                )
            )
        elif age is None or age > t.restore_test_days:
            out.append(
                Candidate(
                    key=f"restore.overdue:{name}",
                    rule="restore.overdue",
                    severity="warn",
                    title=(
                        _("La sauvegarde « {name} » n'a jamais été testée").format(name=name)
                        if age is None
                        else _(
                            "Dernier test de restauration de « {name} » : il y a {days} jours"
                        ).format(name=name, days=int(age))
                    ),
                    action=_("Cliquez sur « Tester la restauration » dans la page Sauvegardes."),
                    link="/sauvegardes",
                    since_days=age,
                    params={"destination": name},
                )
            )
    return out


def updates_pending(facts: Facts, t: Thresholds) -> list[Candidate]:
    """Security updates wait (the service requires them to have been seen for 7 days)."""
    n = _num(_known(facts, "updates.security_pending"))
    if n is None or n <= 0:
        return []
    return [
        Candidate(
            key="updates.pending",
            rule="updates.pending",
            severity="warn",
            title=_("Des mises à jour de sécurité attendent depuis plus d'une semaine"),
            action=_(
                "Installez les mises à jour du système puis redémarrez l'ordinateur "
                "(la page de la mesure M05 dit où)."
            ),
            link="/mesures/M05",
            needs_days=t.updates_pending_days,
            params={"count": int(n)},
        )
    ]


def antivirus_stale(facts: Facts, t: Thresholds) -> list[Candidate]:
    """Antivirus signatures older than 3 days."""
    age = _num(_known(facts, "antivirus.signature_age_days"))
    if age is None or age <= t.antivirus_signature_days:
        return []
    return [
        Candidate(
            key="antivirus.stale",
            rule="antivirus.stale",
            severity="fail" if age > 14 else "warn",
            title=_("L'antivirus n'a pas été mis à jour depuis {days} jours").format(days=int(age)),
            action=_(
                "Connectez l'ordinateur à Internet et lancez la mise à jour de l'antivirus "
                "(la page de la mesure M03 dit comment)."
            ),
            link="/mesures/M03",
            since_days=age,
        )
    ]


def kit_overdue(facts: Facts, t: Thresholds) -> list[Candidate]:
    """The emergency kit was never printed, or is older than a year."""
    f = facts.get("incident.kit_age_days")
    if f is None or f.state is not FactState.KNOWN:
        return []  # the incident module is not there: nothing seen, nothing asserted
    age = _num(f.value)
    if age is not None and age <= t.kit_days:
        return []
    printed = _known(facts, "incident.sheet_printed")
    if age is None and printed is True:  # she said she printed it (questionnaire)
        return []
    return [
        Candidate(
            key="kit.overdue",
            rule="kit.overdue",
            severity="warn",
            title=(
                _("Le kit d'urgence n'a jamais été imprimé")
                if age is None
                else _("Le kit d'urgence imprimé a plus d'un an")
            ),
            action=_("Vérifiez les contacts et imprimez le kit depuis la page Incident."),
            link="/incident",
            since_days=age,
        )
    ]


def drill_overdue(facts: Facts, t: Thresholds) -> list[Candidate]:
    """No incident drill in the last year (recorded by hygie or declared)."""
    f = facts.get("incident.drill_done")
    if f is None:
        return []
    if f.state is FactState.KNOWN and f.value is True:
        return []
    if f.state is FactState.NOT_APPLICABLE:
        return []
    return [
        Candidate(
            key="drill.overdue",
            rule="drill.overdue",
            severity="warn",
            title=_("Pas d'exercice « cyberattaque » depuis un an"),
            action=_("Faites l'exercice de 10 minutes depuis la page Incident."),
            link="/incident",
        )
    ]


# The ``rule`` of every candidate a rule can produce (a reminder's key is ``rule[:subject]``).
CANDIDATE_RULES: frozenset[str] = frozenset(
    {
        "backup.stale",
        "backup.disk_absent",
        "backup.left_plugged",
        "restore.failed",
        "restore.overdue",
        "updates.pending",
        "antivirus.stale",
        "kit.overdue",
        "drill.overdue",
    }
)

RULES: dict[str, Rule] = {
    "backup.stale": backup_stale,
    "backup.disk_absent": backup_disk_absent,
    "backup.left_plugged": backup_left_plugged,
    "restore.test": restore_test,
    "updates.pending": updates_pending,
    "antivirus.stale": antivirus_stale,
    "kit.overdue": kit_overdue,
    "drill.overdue": drill_overdue,
}

# The French name of each rule family, for the dashboard and the docs.
RULE_LABELS_FR: dict[str, str] = {
    "backup.stale": N_("sauvegarde en retard"),
    "backup.disk_absent": N_("disque de sauvegarde absent"),
    "backup.left_plugged": N_("disque de sauvegarde resté branché"),
    "restore.test": N_("test de restauration en retard ou en échec"),
    "updates.pending": N_("mises à jour de sécurité en attente"),
    "antivirus.stale": N_("antivirus pas à jour"),
    "kit.overdue": N_("kit d'urgence à imprimer"),
    "drill.overdue": N_("exercice à faire"),
}


def evaluate(
    facts: Facts,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    seen_since: Mapping[str, dt.datetime] | None = None,
    now: dt.datetime | None = None,
) -> list[Candidate]:
    """Every due candidate. ``seen_since`` maps a key to when its condition was first seen
    (continuously); a candidate with ``needs_days`` is due only once seen that long."""
    out: list[Candidate] = []
    for rule in RULES.values():
        for c in rule(facts, thresholds):
            if c.needs_days > 0:
                first = (seen_since or {}).get(c.key)
                if first is None or now is None:
                    continue
                held = (now - first).total_seconds() / 86400
                if held < c.needs_days:
                    continue
                c = Candidate(**{**c.__dict__, "since_days": held})
            out.append(c)
    order = {"fail": 0, "warn": 1}
    out.sort(key=lambda c: (order.get(c.severity, 2), c.key))
    return out


def conditions(facts: Facts, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> set[str]:
    """The keys whose condition holds now, before any duration requirement (for tracking)."""
    return {c.key for rule in RULES.values() for c in rule(facts, thresholds)}
