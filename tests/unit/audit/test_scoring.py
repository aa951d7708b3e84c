"""Pins the scoring arithmetic documented in docs/explanation/scoring.md."""

from __future__ import annotations

import pytest

from hygie.audit.model import CheckResult, MeasureResult, Status
from hygie.audit.scoring import actions, measure_status, score


def cr(status: Status, required: bool = True) -> CheckResult:
    return CheckResult("MXX.c", status, "vu", required, ())


def mr(mid: str, status: Status, weight: int = 1, priority: int = 5) -> MeasureResult:
    sev = {3: "critical", 2: "high", 1: "medium"}[weight]
    return MeasureResult(
        mid, f"titre {mid}", "t", status, sev, weight, priority, (), ("étape",), ""
    )


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        ([cr(Status.OK), cr(Status.FAIL)], Status.FAIL),
        ([cr(Status.OK), cr(Status.WARN), cr(Status.UNKNOWN)], Status.WARN),
        ([cr(Status.OK), cr(Status.UNKNOWN)], Status.UNKNOWN),
        ([cr(Status.OK), cr(Status.UNKNOWN, required=False)], Status.OK),
        ([cr(Status.NOT_APPLICABLE), cr(Status.NOT_APPLICABLE)], Status.NOT_APPLICABLE),
        ([cr(Status.OK), cr(Status.NOT_APPLICABLE)], Status.OK),
        ([cr(Status.UNKNOWN, required=False)], Status.UNKNOWN),
        ([], Status.UNKNOWN),
    ],
)
def test_measure_status(checks: list[CheckResult], expected: Status) -> None:
    assert measure_status(checks) is expected


def test_score_arithmetic_by_hand() -> None:
    # weights 3 (ok) + 2 (warn) + 1 (fail) = 6; points 3*1 + 2*0.5 + 1*0 = 4 -> 66.67 -> 67
    ms = [
        mr("M01", Status.OK, 3),
        mr("M02", Status.WARN, 2),
        mr("M03", Status.FAIL, 1),
        mr("M04", Status.UNKNOWN, 3),
        mr("M05", Status.NOT_APPLICABLE, 2),
    ]
    s = score(ms)
    assert s.value == 67
    assert (s.counted, s.unknown, s.not_applicable) == (3, 1, 1)
    assert s.by_status == {"ok": 1, "warn": 1, "fail": 1, "unknown": 1, "not_applicable": 1}


def test_score_is_none_when_nothing_counted_never_100() -> None:
    s = score([mr("M01", Status.UNKNOWN), mr("M02", Status.NOT_APPLICABLE)])
    assert s.value is None
    assert s.counted == 0


def test_all_ok_is_100_and_all_fail_is_0() -> None:
    assert score([mr("M01", Status.OK, 3), mr("M02", Status.OK, 1)]).value == 100
    assert score([mr("M01", Status.FAIL, 3), mr("M02", Status.FAIL, 1)]).value == 0


def test_actions_order_fail_then_warn_then_unknown_then_priority_and_weight() -> None:
    ms = [
        mr("M01", Status.WARN, 3, priority=1),
        mr("M02", Status.FAIL, 1, priority=9),
        mr("M03", Status.FAIL, 3, priority=2),
        mr("M04", Status.FAIL, 1, priority=2),
        mr("M05", Status.UNKNOWN, 3, priority=1),
        mr("M06", Status.OK, 3, priority=1),
        mr("M07", Status.NOT_APPLICABLE, 3, priority=1),
    ]
    ids = [a.measure_id for a in actions(ms)]
    assert ids == ["M03", "M04", "M02", "M01", "M05"]


def test_actions_capped_at_six() -> None:
    ms = [mr(f"M{i:02d}", Status.FAIL) for i in range(1, 11)]
    assert len(actions(ms)) == 6
