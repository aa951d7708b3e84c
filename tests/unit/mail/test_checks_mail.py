"""M04 checks and the mail state provider (table tests, ok and not ok)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, Status
from hygie.audit.registry import Facts, checks, providers
from hygie.audit.runner import run_check
from hygie.mail.store import add_relay_counts, save_exposure

TODAY = dt.date(2026, 11, 29)
_AT = "2026-11-29T10:00:00+00:00"

# Collected by tests/unit/audit/test_checks.py (every check: an ok and a non-ok case).
CHECK_CASES = {
    "M04.exposure_sent_patient_data": [
        (
            {
                "mail.exposure_sent_patient_data": 0,
                "mail.exposure_messages_examined": 10,
                "mail.exposure_scanned_at": _AT,
            },
            Status.OK,
        ),
        (
            {
                "mail.exposure_sent_patient_data": 3,
                "mail.exposure_messages_examined": 10,
                "mail.exposure_scanned_at": _AT,
            },
            Status.FAIL,
        ),
        (  # a Gmail account configured and no Sent folder found: nothing examined
            {
                "mail.exposure_sent_patient_data": 0,
                "mail.exposure_messages_examined": 0,
                "mail.exposure_scanned_at": _AT,
            },
            Status.UNKNOWN,
        ),
    ],
    "M04.relay_in_use": [
        ({"mail.relay_in_use": True, "mail.relay_blocked_30d": 0}, Status.OK),
        ({"mail.relay_in_use": False, "mail.relay_blocked_30d": 0}, Status.NOT_APPLICABLE),
    ],
}


def _facts(**values: object) -> Facts:
    return Facts(
        {
            k.replace("__", "."): Fact.known(k.replace("__", "."), v, "test")
            for k, v in values.items()
        }
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "examined", "status", "fragment"),
    [
        (0, 120, Status.OK, "aucune donnée de patient"),
        (0, 0, Status.UNKNOWN, "aucun message envoyé n'a été examiné"),
        (1, 120, Status.FAIL, "1 message envoyé hors MSSanté"),
        (7, 120, Status.FAIL, "7 messages envoyés"),
    ],
)
def test_exposure_check(n: int, examined: int, status: Status, fragment: str) -> None:
    c = checks()["M04.exposure_sent_patient_data"]
    f = _facts(
        mail__exposure_sent_patient_data=n,
        mail__exposure_messages_examined=examined,
        mail__exposure_scanned_at="2026-11-29T10:00:00+00:00",
    )
    out = c.fn(f)
    assert out.status is status
    assert fragment in out.evidence
    assert "2026-11-29" in out.evidence


def test_exposure_check_unknown_when_never_run() -> None:
    c = checks()["M04.exposure_sent_patient_data"]
    f = Facts({k: Fact.unknown(k, "pas encore examiné") for k in c.facts})
    res = run_check(c, f, required=False)
    assert res.status is Status.UNKNOWN and "pas encore" in res.evidence


@pytest.mark.parametrize(
    ("in_use", "blocked", "status", "fragment"),
    [
        (False, 0, Status.NOT_APPLICABLE, "non utilisé"),
        (True, 0, Status.OK, "actif"),
        (True, 3, Status.OK, "arrêté 3 messages"),
    ],
)
def test_relay_check(in_use: bool, blocked: int, status: Status, fragment: str) -> None:
    out = checks()["M04.relay_in_use"].fn(
        _facts(mail__relay_in_use=in_use, mail__relay_blocked_30d=blocked)
    )
    assert out.status is status and fragment in out.evidence


def _provide(tmp_path: Path) -> dict[str, Fact]:
    p = providers()["mail.state"]
    ctx = ProbeContext(now=dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC), home=tmp_path)
    return {f.key: f for f in p.fn(ctx)}


def test_provider_without_state(tmp_path: Path) -> None:
    facts = _provide(tmp_path)
    assert not facts["mail.exposure_sent_patient_data"].is_known
    assert "hygie mail exposure" in facts["mail.exposure_sent_patient_data"].reason
    assert facts["mail.relay_in_use"].value is False


def test_provider_with_state(tmp_path: Path) -> None:
    save_exposure(
        {
            "sent_patient_data_non_mssante": 2,
            "messages_in_period": 40,
            "scanned_at": "2026-11-28T09:00:00+00:00",
        }
    )
    add_relay_counts(
        {
            ("2026-11-20", "relayed_clean"): (5, 5000),
            ("2026-11-21", "rejected_patient_data"): (2, 900),
            ("2026-09-01", "quarantined"): (4, 900),  # older than 30 days
        }
    )
    facts = _provide(tmp_path)
    assert facts["mail.exposure_sent_patient_data"].value == 2
    assert facts["mail.exposure_messages_examined"].value == 40
    assert facts["mail.relay_in_use"].value is True
    assert facts["mail.relay_blocked_30d"].value == 2


def test_m04_uses_the_new_checks() -> None:
    from hygie.audit.catalogue import load_catalogue

    m04 = next(m for m in load_catalogue() if m.measure_id == "M04")
    ids = [c.check_id for c in m04.checks]
    assert "M04.exposure_sent_patient_data" in ids and "M04.relay_in_use" in ids
