"""How check results become a measure status, a 0-100 score and an action list.

The rules (documented in docs/explanation/scoring.md, pinned by tests/unit/audit/test_scoring.py):

* A measure is ``fail`` if any check fails, else ``warn`` if any warns, else ``unknown`` if a
  *required* check is unknown, else ``ok`` if at least one check is ok; a measure whose checks
  are all not applicable is ``not_applicable``. (An advisory check that is unknown does not
  block ``ok``, but is shown.)
* Weights: critical 3, high 2, medium 1. Points: ok 1, warn 0.5, fail 0.
* Score = round(100 * sum(weight * points) / sum(weight)) over measures that are ok, warn or
  fail. ``unknown`` and ``not_applicable`` are left out and counted separately. No counted
  measure gives no score (None), never 100.
* Actions: measures that are fail, then warn, then unknown; within a status by priority rank
  (1 = most urgent), then by weight (heavier first), then id. At most six are shown, and at
  least three when that many need attention.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hygie.audit.model import Action, CheckResult, MeasureResult, Score, Status

POINTS = {Status.OK: 1.0, Status.WARN: 0.5, Status.FAIL: 0.0}
MAX_ACTIONS = 6
STATUS_ORDER = {Status.FAIL: 0, Status.WARN: 1, Status.UNKNOWN: 2}


def measure_status(checks: Sequence[CheckResult]) -> Status:
    statuses = [c.status for c in checks]
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.WARN in statuses:
        return Status.WARN
    if any(c.status is Status.UNKNOWN and c.required for c in checks):
        return Status.UNKNOWN
    if Status.OK in statuses:
        return Status.OK
    if statuses and all(s is Status.NOT_APPLICABLE for s in statuses):
        return Status.NOT_APPLICABLE
    return Status.UNKNOWN


def score(measures: Iterable[MeasureResult]) -> Score:
    ms = list(measures)
    counted = [m for m in ms if m.status in POINTS]
    by_status: dict[str, int] = {s.value: 0 for s in Status}
    for m in ms:
        by_status[m.status.value] += 1
    total_weight = sum(m.weight for m in counted)
    value = (
        round(100 * sum(m.weight * POINTS[m.status] for m in counted) / total_weight)
        if total_weight
        else None
    )
    return Score(
        value=value,
        counted=len(counted),
        unknown=by_status[Status.UNKNOWN.value],
        not_applicable=by_status[Status.NOT_APPLICABLE.value],
        by_status=by_status,
    )


def actions(measures: Iterable[MeasureResult], limit: int = MAX_ACTIONS) -> tuple[Action, ...]:
    todo = [m for m in measures if m.status in STATUS_ORDER]
    todo.sort(key=lambda m: (STATUS_ORDER[m.status], m.priority, -m.weight, m.measure_id))
    return tuple(Action(m.measure_id, m.title, m.status, m.fix_steps) for m in todo[:limit])
