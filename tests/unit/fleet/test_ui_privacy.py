"""The 5-device rule of anonymous campaigns: groups, secondary suppression, hidden weeks."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hygie.fleet.server.ui.figures import CampaignFigures, Counts
from hygie.fleet.server.ui.privacy import (
    ALL,
    OTHERS,
    group_departments,
    most_needed,
    shown_figures,
)

T = 5


def test_small_departments_merge_into_others() -> None:
    g = group_departments({"75": 7, "69": 6, "13": 4, "": 2}, T)
    assert g.shown == ("69", "75")
    assert set(g.merged) == {"13", ""}
    assert g.groups() == [ALL, "69", "75", OTHERS]


def test_others_under_threshold_pulls_the_smallest_department_in() -> None:
    # 13 alone (4) would be total - 75 - 69: 69 (the smallest) joins it
    g = group_departments({"75": 7, "69": 6, "13": 4}, T)
    assert g.shown == ("75",)
    assert set(g.merged) == {"13", "69"}
    assert g.others_size == 10


def test_everything_merged_is_the_campaign_alone() -> None:
    g = group_departments({"75": 6, "13": 4}, T)
    assert g.shown == ()
    assert g.groups() == [ALL]


def test_campaign_under_threshold_shows_nothing() -> None:
    assert group_departments({"75": 4}, T).groups() == []
    assert group_departments({}, T).groups() == []


@given(st.dictionaries(st.sampled_from(["", "01", "13", "2A", "69", "75", "974"]),
                       st.integers(min_value=1, max_value=12)))  # fmt: skip
def test_no_group_and_no_difference_is_under_the_threshold(sizes: dict[str, int]) -> None:
    g = group_departments(sizes, T)
    groups = g.groups()
    size = {grp: sum(sizes.get(d, 0) for d in g.members(grp)) for grp in groups}
    assert all(n >= T for n in size.values())
    if groups:
        # the campaign minus every department shown on its own: never 1-4 devices
        rest = size[ALL] - sum(size[d] for d in g.shown)
        assert rest == 0 or rest >= T
        assert "" not in g.shown
    else:
        assert sum(sizes.values()) < T


def _counts(ok: int = 0, fail: int = 0) -> dict[str, Counts]:
    return {"M01": Counts(ok=ok, fail=fail), "M02": Counts(ok=ok + fail)}


def test_a_week_with_a_small_group_is_hidden_for_everyone() -> None:
    w1, w2 = dt.date(2027, 1, 4), dt.date(2027, 1, 11)
    raw = CampaignFigures(
        measures=("M01", "M02"),
        devices_by_department={"75": 6, "13": 3, "": 3},
        now={"75": _counts(6), "13": _counts(0, 3), "": _counts(3)},
        weeks=(w1, w2),
        by_week={
            "75": {w1: _counts(6), w2: _counts(6)},
            "13": {w1: _counts(0, 3), w2: _counts(0, 3)},
            "": {w2: _counts(3)},
        },
    )
    shown = shown_figures("anonymous", raw)
    assert list(shown.now) == [ALL, "75", OTHERS]
    assert shown.hidden_weeks == (w1,)  # others had 3 that week (13 only)
    assert shown.series[ALL]["M01"] == [(w1, None), (w2, Counts(ok=9, fail=3))]
    assert shown.series[OTHERS]["M01"] == [(w1, None), (w2, Counts(ok=3, fail=3))]
    assert most_needed(shown)[0][0] == "M01"
    # identified: everything, every week
    ident = shown_figures("identified", raw)
    assert ident.hidden_weeks == ()
    assert "13" in ident.now
