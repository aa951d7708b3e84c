"""What the pages compute from audit documents (pure functions)."""

from __future__ import annotations

import pytest

from hygie.audit.catalogue import load_catalogue
from hygie.audit.model import Action, AuditResult, Score, Status
from hygie.web import pages
from hygie.web.charts import score_chart


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        ("fail", "ok", "improved"),
        ("ok", "warn", "regressed"),
        ("unknown", "ok", "changed"),
        (None, "ok", "new"),
    ],
)
def test_history_changes_between_consecutive_audits(
    before: str | None, after: str, direction: str
) -> None:
    older = {"started_at": "2026-11-01T10:00:00+00:00", "statuses": {"M02": "ok"}}
    if before is not None:
        older["statuses"]["M10"] = before  # type: ignore[index]
    newer = {"started_at": "2026-11-02T10:00:00+00:00", "statuses": {"M02": "ok", "M10": after}}
    cat = {m.measure_id: m for m in load_catalogue()}
    changes = pages.history_changes([newer, older], cat)
    assert [(c.measure_id, c.before, c.after, c.direction) for c in changes] == [
        ("M10", before, after, direction)
    ]
    assert changes[0].title == cat["M10"].title


def test_chart_leaves_gaps_for_audits_without_a_score() -> None:
    svg = str(
        score_chart(
            [("2026-01-01", 40), ("2026-01-02", 60), ("2026-01-03", None), ("2026-01-04", 80)]
        )
    )
    assert svg.count("<polyline") == 1  # the first two points; the last one stands alone
    assert svg.count("<circle") == 2 and "2026-01-01" in svg and "2026-01-04" in svg
    assert 'role="img"' in svg and "<title" in svg
    assert score_chart([]).startswith("<svg")


def test_urgent_actions_keep_the_audit_order_and_stop_at_three() -> None:
    result = AuditResult(
        "2026-11-29T10:00:00+00:00", 1.0, "linux", "fr", "test", (), Score(None, 0, 0, 0),
        tuple(Action(f"M0{i}", "t", Status.FAIL, (f"étape {i}",)) for i in range(1, 6)), (),
    )  # fmt: skip
    urgent = pages.urgent_actions(result, {})
    assert [u.measure_id for u in urgent] == ["M01", "M02", "M03"]
    assert urgent[0].first_step == "étape 1"


def test_question_steps_group_by_theme_and_resume_at_the_first_unanswered() -> None:
    questions = [q for m in load_catalogue() for q in m.questions]
    steps = pages.question_steps(questions)
    assert [t for t, _ in steps] == list(dict.fromkeys(q.theme for q in questions))
    first_theme_facts = {q.fact: ("yes", "2026-11-29") for q in steps[0][1]}
    assert pages.first_unanswered_step(steps, first_theme_facts) == 1
    assert pages.first_unanswered_step(steps, {}) == 0


def test_when_formats_dates_for_people() -> None:
    assert pages.when("2026-11-29T10:04:00") == "29/11/2026 10:04"
    assert pages.when("") == "" and pages.when("not a date") == "not a date"
