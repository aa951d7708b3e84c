"""CHECK_CASES for the incident checks, read by the check-table meta-test."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.audit.test_checks import evaluate

from hygie.audit.model import Status

CHECK_CASES: dict[str, list[tuple[dict[str, Any], Status]]] = {
    "M11.kit_recent": [
        ({"incident.kit_age_days": 10.0}, Status.OK),
        ({"incident.kit_age_days": 400.0}, Status.WARN),
        ({"incident.kit_age_days": None}, Status.WARN),
    ],
    "M12.backup_verified": [
        ({"incident.backup_verified_age_days": 5.0}, Status.OK),
        ({"incident.backup_verified_age_days": 120.0}, Status.WARN),
        ({"incident.backup_verified_age_days": -1}, Status.FAIL),
    ],
}


@pytest.mark.parametrize(
    ("check_id", "values", "expected"),
    [(cid, v, e) for cid, cases in CHECK_CASES.items() for v, e in cases],
)
def test_incident_check_table(check_id: str, values: dict[str, Any], expected: Status) -> None:
    assert evaluate(check_id, values) is expected
