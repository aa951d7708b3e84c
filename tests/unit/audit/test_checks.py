"""Table tests for every registered check: at least one passing and one non-passing case each.

Capability modules add their own cases in their test packages by extending CASES through
``tests/unit/<cap>/test_checks_<cap>.py``; the meta-test below looks at every table it finds.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from hygie.audit import registry
from hygie.audit.model import Fact, Status
from hygie.audit.registry import Facts
from hygie.audit.runner import run_check

S = Status
UNIT_DIR = Path(__file__).resolve().parents[1]
CASES: dict[str, list[tuple[dict[str, Any], Status]]] = {
    "M01.account_password": [
        ({"account.password_set": True}, S.OK),
        ({"account.password_set": False}, S.FAIL),
    ],
    "M01.password_manager": [
        ({"password_manager.installed": ["KeePassXC"]}, S.OK),
        ({"password_manager.installed": []}, S.WARN),
    ],
    "M01.unique_passwords": [
        ({"passwords.unique": True}, S.OK),
        ({"passwords.unique": False}, S.FAIL),
    ],
    "M02.lock_enabled": [
        ({"screenlock.enabled": True}, S.OK),
        ({"screenlock.enabled": False}, S.FAIL),
    ],
    "M02.lock_delay": [
        ({"screenlock.enabled": True, "screenlock.delay_s": 300}, S.OK),
        ({"screenlock.enabled": True, "screenlock.delay_s": 900}, S.WARN),
        ({"screenlock.enabled": True, "screenlock.delay_s": 0}, S.WARN),
        ({"screenlock.enabled": False, "screenlock.delay_s": 60}, S.NOT_APPLICABLE),
    ],
    "M02.cps_card": [
        ({"cps.removed_when_away": True}, S.OK),
        ({"cps.removed_when_away": False}, S.WARN),
    ],
    "M03.antivirus": [
        ({"antivirus.products": ["ClamAV"]}, S.OK),
        ({"antivirus.products": []}, S.FAIL),
    ],
    "M03.signatures": [
        ({"antivirus.signature_age_days": 1.5}, S.OK),
        ({"antivirus.signature_age_days": 30}, S.WARN),
        ({"antivirus.signature_age_days": "?"}, S.UNKNOWN),
    ],
    "M03.realtime": [({"antivirus.realtime": True}, S.OK), ({"antivirus.realtime": False}, S.FAIL)],
    "M03.firewall": [({"firewall.enabled": True}, S.OK), ({"firewall.enabled": False}, S.FAIL)],
    "M04.webmail_accounts": [
        ({"mail.webmail_accounts": []}, S.OK),
        ({"mail.webmail_accounts": ["gmail.com", "orange.fr"]}, S.WARN),
    ],
    "M04.mssante_used": [
        ({"mail.mssante_used": True}, S.OK),
        ({"mail.mssante_used": False}, S.FAIL),
    ],
    "M05.pending_updates": [
        ({"updates.pending": 0, "updates.security_pending": 0}, S.OK),
        ({"updates.pending": 3, "updates.security_pending": 0}, S.WARN),
        ({"updates.pending": 3, "updates.security_pending": 1}, S.FAIL),
    ],
    "M05.automatic_updates": [
        ({"updates.automatic": True}, S.OK),
        ({"updates.automatic": False}, S.WARN),
    ],
    "M05.os_supported": [
        ({"os.support": {"name": "Debian 12", "eol": "2028-06-30", "supported": True}}, S.OK),
        ({"os.support": {"name": "Windows 10", "eol": "2025-10-14", "supported": False}}, S.FAIL),
        ({"os.support": {"name": "Exotic 1", "eol": None, "supported": None}}, S.UNKNOWN),
    ],
    "M06.autorun_disabled": [
        ({"media.autorun_disabled": True}, S.OK),
        ({"media.autorun_disabled": False}, S.FAIL),
    ],
    "M06.scan_unknown_media": [
        ({"media.scan_unknown_keys": True}, S.OK),
        ({"media.scan_unknown_keys": False}, S.WARN),
    ],
    "M07.backup_exists": [({"backup.exists": True}, S.OK), ({"backup.exists": False}, S.FAIL)],
    "M07.restore_tested": [
        ({"backup.restore_tested": True}, S.OK),
        ({"backup.restore_tested": False}, S.FAIL),
    ],
    "M07.encrypted": [({"backup.encrypted": True}, S.OK), ({"backup.encrypted": False}, S.WARN)],
    "M07.two_places": [({"backup.two_places": True}, S.OK), ({"backup.two_places": False}, S.WARN)],
    "M07.disconnected": [
        ({"backup.disconnected": True}, S.OK),
        ({"backup.disconnected": False}, S.WARN),
    ],
    "M08.professional_only": [
        ({"device.professional_only": True}, S.OK),
        ({"device.professional_only": False}, S.FAIL),
    ],
    "M08.personal_apps": [({"apps.personal": []}, S.OK), ({"apps.personal": ["Steam"]}, S.WARN)],
    "M08.daily_user_not_admin": [
        ({"user.is_admin": False}, S.OK),
        ({"user.is_admin": True}, S.WARN),
    ],
    "M09.wifi_security": [
        ({"wifi.security": "wpa2"}, S.OK),
        ({"wifi.security": "wpa3"}, S.OK),
        ({"wifi.security": "wpa"}, S.WARN),
        ({"wifi.security": "wep"}, S.FAIL),
        ({"wifi.security": "open"}, S.FAIL),
        ({"wifi.security": "owe-transition?"}, S.UNKNOWN),
    ],
    "M09.hidden_ssid": [({"wifi.hidden": True}, S.OK), ({"wifi.hidden": False}, S.WARN)],
    "M09.router_password": [
        ({"wifi.router_password_changed": True}, S.OK),
        ({"wifi.router_password_changed": False}, S.WARN),
    ],
    "M10.hds_hosting": [
        ({"cloud.hds_certified": True}, S.OK),
        ({"cloud.hds_certified": False}, S.FAIL),
    ],
    "M11.ecps_ready": [({"ecps.ready": True}, S.OK), ({"ecps.ready": False}, S.WARN)],
    "M11.dmp_tested": [({"dmp.access_tested": True}, S.OK), ({"dmp.access_tested": False}, S.WARN)],
    "M12.contacts_ready": [
        ({"incident.contacts_ready": True}, S.OK),
        ({"incident.contacts_ready": False}, S.FAIL),
    ],
    "M12.sheet_printed": [
        ({"incident.sheet_printed": True}, S.OK),
        ({"incident.sheet_printed": False}, S.WARN),
    ],
    "M12.drill_done": [
        ({"incident.drill_done": True}, S.OK),
        ({"incident.drill_done": False}, S.WARN),
    ],
    "M13.system_disk_encrypted": [
        ({"disk.system_encrypted": True}, S.OK),
        ({"disk.system_encrypted": False}, S.FAIL),
        ({"disk.system_encrypted": "suspended"}, S.FAIL),  # BitLocker protection suspended
    ],
}


def all_case_tables() -> dict[str, list[tuple[dict[str, Any], Status]]]:
    """CASES here plus every ``CHECK_CASES`` table in tests/unit/**/test_checks_*.py."""
    tables = {k: list(v) for k, v in CASES.items()}
    for path in sorted(UNIT_DIR.rglob("test_checks_*.py")):
        spec = importlib.util.spec_from_file_location(f"_cases_{path.stem}", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for cid, cases in getattr(mod, "CHECK_CASES", {}).items():
            tables.setdefault(cid, []).extend(cases)
    return tables


def evaluate(check_id: str, values: dict[str, Any]) -> Status:
    chk = registry.checks()[check_id]
    facts = Facts({k: Fact.known(k, v, "test") for k, v in values.items()})
    return run_check(chk, facts, required=True).status


@pytest.mark.parametrize(
    ("check_id", "values", "expected"),
    [(cid, v, e) for cid, cases in CASES.items() for v, e in cases],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_check_table(check_id: str, values: dict[str, Any], expected: Status) -> None:
    assert evaluate(check_id, values) is expected


def test_every_check_has_a_passing_and_a_non_passing_case() -> None:
    tables = all_case_tables()
    for check_id in registry.checks():
        statuses = {e for _v, e in tables.get(check_id, [])}
        assert Status.OK in statuses, f"{check_id}: no ok case"
        assert statuses - {Status.OK}, f"{check_id}: no non-ok case"


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_unknown_fact_makes_check_unknown_never_ok(check_id: str) -> None:
    chk = registry.checks()[check_id]
    facts = Facts({k: Fact.unknown(k, "sonde en échec", "test") for k in chk.facts})
    result = run_check(chk, facts, required=True)
    assert result.status is Status.UNKNOWN
    assert result.evidence == "sonde en échec"


def test_not_applicable_fact_makes_check_not_applicable() -> None:
    chk = registry.checks()["M09.wifi_security"]
    facts = Facts({"wifi.security": Fact.not_applicable("wifi.security", "pas de Wi-Fi")})
    assert run_check(chk, facts, required=True).status is Status.NOT_APPLICABLE


# -- An examination of nothing is never a pass (issue #14) ----------------------------------
# A count of what was examined is recognised by its name, in a fact or inside a fact's value
# (dicts and lists are walked): ``files``, ``examined``, ``compared``, ``scanned``,
# ``sampled``, or ``<something>_`` + one of the last four (``messages_examined``,
# ``files_compared``…). ``not_scanned`` counts the opposite and is not one.
_COUNTER = re.compile(r"(?:\w+_)?(?:examined|compared|scanned|sampled)|files")
_NOTHING_EXAMINED = re.compile(
    r"(?<![\d.,])0 (?:messages?|fichiers?|documents?|éléments?)\b", re.IGNORECASE
)
# Checks owned by a capability whose fix is on its way in another branch (issue #14): strict
# xfail, so the entry must be removed the day the fix lands (an XPASS fails the suite).
PENDING_NOTHING_EXAMINED: dict[str, str] = {}


def _is_counter(key: str) -> bool:
    leaf = key.rsplit(".", 1)[-1]
    return not leaf.startswith("not_") and bool(_COUNTER.fullmatch(leaf))


def _zeroed(value: Any, found: list[str], key: str = "") -> Any:
    """``value`` with every examined-count set to 0 (names collected in ``found``)."""
    if isinstance(value, dict):
        return {k: _zeroed(v, found, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_zeroed(v, found, key) for v in value]
    if key and _is_counter(key) and isinstance(value, int) and not isinstance(value, bool):
        found.append(key)
        return 0
    return value


def _nothing_examined_cases() -> list[Any]:
    out = []
    for cid, cases in sorted(all_case_tables().items()):
        for i, (values, expected) in enumerate(cases):
            found: list[str] = []
            zeroed = {k: _zeroed(v, found, k) for k, v in values.items()}
            if expected is Status.OK and found:
                marks = (
                    [pytest.mark.xfail(strict=True, reason=PENDING_NOTHING_EXAMINED[cid])]
                    if cid in PENDING_NOTHING_EXAMINED
                    else []
                )
                out.append(pytest.param(cid, zeroed, sorted(set(found)), id=f"{cid}-{i}",
                                        marks=marks))  # fmt: skip
    return out


@pytest.mark.parametrize(("check_id", "values", "counters"), _nothing_examined_cases())
def test_an_examination_of_nothing_is_never_ok(
    check_id: str, values: dict[str, Any], counters: list[str]
) -> None:
    """Every ok case of every table, with its examined-counts set to 0, is not ok."""
    chk = registry.checks()[check_id]
    facts = Facts({k: Fact.known(k, v, "test") for k, v in values.items()})
    result = run_check(chk, facts, required=True)
    assert result.status is not Status.OK, (
        f"{check_id} is ok although {', '.join(counters)} = 0: {result.evidence}"
    )
    assert result.evidence  # the reason is said


def test_no_case_says_ok_about_nothing_examined() -> None:
    """No case of any table answers ok with evidence like "0 messages examinés"."""
    bad = []
    for cid, cases in all_case_tables().items():
        chk = registry.checks()[cid]
        for values, _expected in cases:
            r = run_check(chk, Facts({k: Fact.known(k, v, "t") for k, v in values.items()}), True)
            if r.status is Status.OK and _NOTHING_EXAMINED.search(r.evidence):
                bad.append((cid, r.evidence))
    assert [b for b in bad if b[0] not in PENDING_NOTHING_EXAMINED] == []


def test_the_examined_counters_are_recognised() -> None:
    found: list[str] = []
    sample = {"files": 3, "not_scanned": 2, "mail.exposure_messages_examined": 9,
              "runs": [{"files_compared": 4}], "sampled": 1, "files_count_ok": True}  # fmt: skip
    _zeroed(sample, found)
    assert sorted(found) == ["files", "files_compared", "mail.exposure_messages_examined",
                             "sampled"]  # fmt: skip
    assert _is_counter("mail.exposure_messages_examined")
    assert not _is_counter("backup.verify_state") and not _is_counter("not_scanned")


def test_every_counter_fact_is_met_by_an_ok_case() -> None:
    """A check reading a counter fact must have an ok case, so the rule above is exercised."""
    tables = all_case_tables()
    for cid, chk in registry.checks().items():
        if any(_is_counter(k) for k in chk.facts):
            assert any(
                e is Status.OK and any(_is_counter(k) for k in v) for v, e in tables.get(cid, [])
            ), cid
