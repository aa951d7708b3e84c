"""Each reminder rule as a table of cases: due, not due, at the threshold's boundary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hygie.audit.model import Fact
from hygie.remind.rules import (
    CANDIDATE_RULES,
    DEFAULT_THRESHOLDS,
    RULE_LABELS_FR,
    RULES,
    evaluate,
    thresholds_from_config,
)

K = Fact.known
NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def dest(
    name: str,
    age: float | None,
    *,
    removable: bool = False,
    offsite: bool = False,
    last_error: str | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "s3" if offsite else "local",
        "removable": removable,
        "offsite": offsite,
        "last_success_age_days": age,
        "last_error": last_error,
    }


def facts(*items: Fact) -> dict[str, Fact]:
    return {f.key: f for f in items}


# (case id, facts, keys expected due)
CASES: list[tuple[str, dict[str, Fact], set[str]]] = [
    ("nothing known", {}, set()),
    (
        "backup module not set up: nothing asserted",
        facts(Fact.not_applicable("backup.destinations", "pas configuré")),
        set(),
    ),
    (
        "practice disk backed up 1.9 days ago",
        facts(K("backup.destinations", [dest("disque", 1.9, removable=True)], "t")),
        set(),
    ),
    (
        "practice disk exactly at 2 days: not yet",
        facts(K("backup.destinations", [dest("disque", 2.0, removable=True)], "t")),
        set(),
    ),
    (
        "practice disk 2.1 days",
        facts(K("backup.destinations", [dest("disque", 2.1, removable=True)], "t")),
        {"backup.stale:disque"},
    ),
    (
        "off-site copy 6 days: within its 7",
        facts(K("backup.destinations", [dest("s3", 6.0, offsite=True)], "t")),
        set(),
    ),
    (
        "off-site copy 7.5 days",
        facts(K("backup.destinations", [dest("s3", 7.5, offsite=True)], "t")),
        {"backup.stale:s3"},
    ),
    (
        "never backed up",
        facts(K("backup.destinations", [dest("local", None)], "t")),
        {"backup.stale:local"},
    ),
    (
        "disk absent at the scheduled time: plug it in (not 'stale')",
        facts(
            K(
                "backup.destinations",
                [dest("disque", 3.0, removable=True, last_error="destination_absent")],
                "t",
            )
        ),
        {"backup.disk_absent:disque"},
    ),
    (
        "a local folder 'absent' is not a disk to plug in",
        facts(
            K("backup.destinations", [dest("dossier", 3.0, last_error="destination_absent")], "t")
        ),
        {"backup.stale:dossier"},
    ),
    (
        "disk left plugged in",
        facts(K("backup.left_mounted", ["disque"], "t")),
        {"backup.left_plugged:disque"},
    ),
    ("disk unplugged", facts(K("backup.left_mounted", [], "t")), set()),
    (
        "restore test 29 days old",
        facts(K("backup.verify_state", [{"name": "disque", "ok": True, "age_days": 29.0}], "t")),
        set(),
    ),
    (
        "restore test at 30 days: not yet",
        facts(K("backup.verify_state", [{"name": "disque", "ok": True, "age_days": 30.0}], "t")),
        set(),
    ),
    (
        "restore test 31 days old",
        facts(K("backup.verify_state", [{"name": "disque", "ok": True, "age_days": 31.0}], "t")),
        {"restore.overdue:disque"},
    ),
    (
        "restore test never done",
        facts(K("backup.verify_state", [{"name": "disque", "ok": None, "age_days": None}], "t")),
        {"restore.overdue:disque"},
    ),
    (
        "restore test failed yesterday",
        facts(K("backup.verify_state", [{"name": "disque", "ok": False, "age_days": 1.0}], "t")),
        {"restore.failed:disque"},
    ),
    ("no security update pending", facts(K("updates.security_pending", 0, "t")), set()),
    (
        "security updates pending, never seen before: not yet (7 days)",
        facts(K("updates.security_pending", 3, "t")),
        set(),
    ),
    ("antivirus 3 days: fine", facts(K("antivirus.signature_age_days", 3, "t")), set()),
    (
        "antivirus 4 days",
        facts(K("antivirus.signature_age_days", 4, "t")),
        {"antivirus.stale"},
    ),
    (
        "antivirus age unknown: nothing asserted",
        facts(Fact.unknown("antivirus.signature_age_days", "pas d'antivirus lisible")),
        set(),
    ),
    ("kit printed 200 days ago", facts(K("incident.kit_age_days", 200.0, "t")), set()),
    ("kit printed 400 days ago", facts(K("incident.kit_age_days", 400.0, "t")), {"kit.overdue"}),
    (
        "kit never printed by hygie",
        facts(K("incident.kit_age_days", None, "t")),
        {"kit.overdue"},
    ),
    (
        "kit never printed by hygie but she says it is printed",
        facts(K("incident.kit_age_days", None, "t"), K("incident.sheet_printed", True, "q")),
        set(),
    ),
    ("drill done", facts(K("incident.drill_done", True, "t")), set()),
    (
        "drill not done (unknown)",
        facts(Fact.unknown("incident.drill_done", "aucun exercice")),
        {"drill.overdue"},
    ),
    ("drill answered 'no'", facts(K("incident.drill_done", False, "q")), {"drill.overdue"}),
]


@pytest.mark.parametrize(("facts_", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_cases(facts_: dict[str, Fact], expected: set[str]) -> None:
    got = {c.key for c in evaluate(facts_, DEFAULT_THRESHOLDS, seen_since={}, now=NOW)}
    assert got == expected


def test_every_rule_has_a_case_that_fires_and_a_label() -> None:
    fired = {
        c.rule
        for _id, f, _exp in CASES
        for c in evaluate(
            f,
            DEFAULT_THRESHOLDS,
            seen_since={"updates.pending": NOW - dt.timedelta(days=8)},
            now=NOW,
        )
    }
    fired |= {
        c.rule
        for c in evaluate(
            {"updates.security_pending": K("updates.security_pending", 2, "t")},
            seen_since={"updates.pending": NOW - dt.timedelta(days=8)},
            now=NOW,
        )
    }
    assert fired == CANDIDATE_RULES
    assert set(RULE_LABELS_FR) == set(RULES)


@pytest.mark.parametrize(
    ("held_days", "due"), [(6.9, False), (7.0, True), (12.0, True)], ids=["6.9d", "7d", "12d"]
)
def test_updates_must_have_waited_a_week(held_days: float, due: bool) -> None:
    f = facts(K("updates.security_pending", 2, "t"))
    seen = {"updates.pending": NOW - dt.timedelta(days=held_days)}
    got = evaluate(f, seen_since=seen, now=NOW)
    assert bool(got) is due
    if due:
        assert got[0].since_days == pytest.approx(held_days)


def test_failures_come_first_and_texts_name_the_destination() -> None:
    f = facts(
        K("backup.verify_state", [{"name": "disque", "ok": False, "age_days": 1.0}], "t"),
        K("incident.kit_age_days", None, "t"),
    )
    got = evaluate(f, now=NOW)
    assert [c.rule for c in got] == ["restore.failed", "kit.overdue"]
    assert "« disque »" in got[0].title
    assert got[0].link == "/sauvegardes"


def test_thresholds_come_from_the_config() -> None:
    t = thresholds_from_config({"backup_days_local": 5, "restore_test_days": 14})
    f = facts(K("backup.destinations", [dest("disque", 4.0, removable=True)], "t"))
    assert evaluate(f, t, now=NOW) == []
    assert thresholds_from_config(None) is DEFAULT_THRESHOLDS


@pytest.mark.parametrize("bad", [0, -1, "2", True, 5000])
def test_bad_threshold_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="backup_days_local"):
        thresholds_from_config({"backup_days_local": bad})


def test_backup_facts_carry_what_the_rules_need() -> None:
    """From the backup capability's own facts: a disk absent at the last attempt, a test
    never done — the typed path the reminders read, not a copy of it."""
    from hygie.backup.destinations import Destination
    from hygie.backup.facts import DestinationState, derive_facts

    disk = Destination("disque", "local", "/media/disque/hygie", removable=True, fs_uuid="AB-12")
    states = [
        DestinationState(
            disk,
            last_success=(NOW - dt.timedelta(days=3)).isoformat(),
            last_verify_at=None,
            last_verify_ok=None,
            left_mounted=False,
            last_error="destination_absent",
        )
    ]
    f = {x.key: x for x in derive_facts(states, NOW, "0.14.0", "file")}
    keys = {c.key for c in evaluate(f, now=NOW)}
    assert keys == {"backup.disk_absent:disque", "restore.overdue:disque"}
