"""Table tests of the M07/M10 checks hygie backup adds (ok and not-ok cases for each)."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.audit.model import Fact, Status
from hygie.audit.registry import Facts, checks

ONE_FRESH = [{"name": "disque", "last_success_age_days": 0.5}]
CASES: list[tuple[str, str, Any, Status, str]] = [
    # check id, fact, value, expected status, evidence fragment
    ("M07.last_backup_age", "backup.destinations", ONE_FRESH, Status.OK, "moins d'un jour"),
    (
        "M07.last_backup_age",
        "backup.destinations",
        [*ONE_FRESH, {"name": "s3", "last_success_age_days": 12.0}],
        Status.WARN,
        "plus de 7 jours",
    ),
    (
        "M07.last_backup_age",
        "backup.destinations",
        [{"name": "disque", "last_success_age_days": None}],
        Status.FAIL,
        "jamais",
    ),
    ("M07.last_backup_age", "backup.destinations", [], Status.FAIL, "aucune destination"),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": True, "age_days": 3}],
        Status.OK,
        "réussi",
    ),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": True, "age_days": 50}],
        Status.WARN,
        "ancien",
    ),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": True, "age_days": 3}, {"name": "s3", "ok": None}],
        Status.WARN,
        "incomplet",
    ),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": False, "age_days": 0}],
        Status.FAIL,
        "échoué : disque",
    ),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": None, "age_days": None}],
        Status.FAIL,
        "aucun test",
    ),
    (
        "M07.restore_test_result",
        "backup.verify_state",
        [{"name": "disque", "ok": True, "age_days": 0, "damaged_since": "2026-11-02T10:00"}],
        Status.FAIL,
        "endommagée, pas encore réparée : disque (depuis le 2026-11-02)",
    ),
    (
        "M07.open_files",
        "backup.fs_snapshot",
        [{"name": "disque", "fs_snapshot": False}, {"name": "s3", "fs_snapshot": True}],
        Status.WARN,
        "sans les droits d'administrateur",
    ),
    (
        "M07.open_files",
        "backup.fs_snapshot",
        [{"name": "disque", "fs_snapshot": True}],
        Status.OK,
        "VSS",
    ),
    ("M07.removable_unplugged", "backup.left_mounted", [], Status.OK, "débranché"),
    ("M07.removable_unplugged", "backup.left_mounted", ["disque"], Status.WARN, "disque"),
    ("M07.restic_version", "backup.restic_version", "0.18.1", Status.OK, "à jour"),
    ("M07.restic_version", "backup.restic_version", "0.14.0", Status.WARN, "0.18.0"),
    ("M07.restic_version", "backup.restic_version", "", Status.FAIL, "pas installé"),
    (
        "M07.password_storage",
        "backup.secrets_backend",
        "keyring:SecretService",
        Status.OK,
        "trousseau",
    ),
    ("M07.password_storage", "backup.secrets_backend", "file", Status.WARN, "fichier protégé"),
    (
        "M10.backup_endpoints",
        "backup.cloud_endpoints",
        [{"host": "s3.gra.io.cloud.ovh.net", "private": False, "hds_provider": "OVHcloud"}],
        Status.OK,
        "OVHcloud",
    ),
    (
        "M10.backup_endpoints",
        "backup.cloud_endpoints",
        [{"host": "s3.amazonaws.com", "private": False, "hds_provider": None}],
        Status.FAIL,
        "s3.amazonaws.com",
    ),
    (
        "M10.backup_endpoints",
        "backup.cloud_endpoints",
        [{"host": "127.0.0.1", "private": True, "hds_provider": None}],
        Status.NOT_APPLICABLE,
        "aucune",
    ),
]


# Read by the check-table meta-test of tests/unit/audit/test_checks.py (main's layout):
# every check needs an ok case and a non-ok case.
CHECK_CASES: dict[str, list[tuple[dict[str, Any], Status]]] = {}
for _cid, _fact, _value, _status, _frag in CASES:
    CHECK_CASES.setdefault(_cid, []).append(({_fact: _value}, _status))


@pytest.mark.parametrize(("check_id", "fact", "value", "status", "fragment"), CASES)
def test_backup_checks(check_id: str, fact: str, value: Any, status: Status, fragment: str) -> None:
    chk = checks()[check_id]
    outcome = chk.fn(Facts({fact: Fact.known(fact, value, "test")}))
    assert outcome.status is status, outcome
    assert fragment in outcome.evidence


def test_every_backup_check_has_ok_and_not_ok_cases() -> None:
    ids = {c for c in checks() if c.startswith(("M07.", "M10."))} - {
        "M07.backup_exists",
        "M07.restore_tested",
        "M07.encrypted",
        "M07.two_places",
        "M07.disconnected",
        "M10.hds_hosting",
    }
    for cid in ids:
        statuses = {st for _v, st in CHECK_CASES[cid]}
        assert Status.OK in statuses and statuses - {Status.OK}, cid
