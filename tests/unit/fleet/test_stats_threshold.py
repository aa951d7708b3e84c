"""The anonymous campaigns' threshold: only groups of 5+ devices, never one recoverable."""

from __future__ import annotations

import random

import pytest

from hygie.fleet import ANONYMOUS_THRESHOLD
from hygie.fleet.server.stats import (
    OTHER_DEPARTMENTS,
    CampaignStats,
    DepartmentStats,
    StatusCounts,
    actions_most_needed,
    apply_threshold,
    for_display,
)


def dep(code: str, devices: int, fail: int = 0) -> DepartmentStats:
    return DepartmentStats(
        code,
        devices,
        {"M01": StatusCounts(ok=devices - fail, fail=fail), "M02": StatusCounts(warn=devices)},
    )


def shown(groups: tuple[DepartmentStats, ...]) -> dict[str, int]:
    return {g.department: g.devices for g in groups}


def test_small_departments_are_merged_into_one_group() -> None:
    out = apply_threshold([dep("75", 12), dep("13", 2), dep("69", 3), dep("2A", 7)])
    assert shown(out) == {"75": 12, "2A": 7, OTHER_DEPARTMENTS: 5}
    other = out[-1]
    assert other.measures["M01"] == StatusCounts(ok=5)
    assert other.measures["M02"] == StatusCounts(warn=5)


def test_a_lone_small_group_takes_the_smallest_shown_one_with_it() -> None:
    # "total minus 75 minus 2A" would give 13's 2 devices away: 2A (smallest) joins the merge
    out = apply_threshold([dep("75", 12), dep("13", 2), dep("2A", 7)])
    assert shown(out) == {"75": 12, OTHER_DEPARTMENTS: 9}


def test_devices_without_a_department_are_never_a_group_of_their_own() -> None:
    out = apply_threshold([dep("75", 12), dep("", 9)])
    assert shown(out) == {"75": 12, OTHER_DEPARTMENTS: 9}
    assert shown(apply_threshold([dep("", 9)])) == {OTHER_DEPARTMENTS: 9}


def test_below_the_threshold_in_total_nothing_is_shown() -> None:
    assert apply_threshold([dep("75", 2), dep("13", 2)]) == ()
    assert apply_threshold([]) == ()
    # exactly the threshold is enough
    assert shown(apply_threshold([dep("75", 5)])) == {"75": 5}


@pytest.mark.parametrize("seed", range(200))
def test_no_group_under_the_threshold_and_nothing_lost(seed: int) -> None:
    rng = random.Random(seed)
    codes = ["", *(f"{n:02d}" for n in range(1, 12))][: rng.randint(1, 12)]
    groups = [dep(code, rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 30])) for code in codes]
    total = sum(g.devices for g in groups)
    out = apply_threshold(groups)
    if total < ANONYMOUS_THRESHOLD:
        assert out == ()
        return
    assert out, "a campaign of 5 devices or more shows something"
    assert all(g.devices >= ANONYMOUS_THRESHOLD for g in out)
    assert sum(g.devices for g in out) == total
    assert sum(g.measures["M01"].total for g in out) == total
    # every department shown is shown with its own, unmerged numbers
    original = {g.department: g for g in groups}
    for g in out:
        assert g.department != ""
        if g.department != OTHER_DEPARTMENTS:
            assert g == original[g.department]


def stats(mode: str, departments: list[DepartmentStats]) -> CampaignStats:
    measures: dict[str, StatusCounts] = {}
    for d in departments:
        for mid, c in d.measures.items():
            measures[mid] = measures.get(mid, StatusCounts()) + c
    return CampaignStats(
        campaign="c",
        mode=mode,
        joined=sum(d.devices for d in departments) + 1,
        devices=sum(d.devices for d in departments),
        measures=measures,
        departments=tuple(departments),
        as_of=None,
    )


def test_for_display_hides_an_anonymous_campaign_under_five_devices() -> None:
    small = for_display(stats("anonymous", [dep("75", 3, fail=1)]))
    assert small.suppressed and small.devices == 0 and small.departments == ()
    assert all(c.total == 0 for c in small.measures.values())
    assert small.joined == 4  # how many joined is not a status: the operator sees it
    assert actions_most_needed(small) == []
    # identified campaigns (a group practice) show everything, per device even
    ident = for_display(stats("identified", [dep("75", 3, fail=1)]))
    assert not ident.suppressed and ident.departments[0].devices == 3
    big = for_display(stats("anonymous", [dep("75", 9, fail=2), dep("13", 1)]))
    assert not big.suppressed and shown(big.departments) == {OTHER_DEPARTMENTS: 10}
    assert big.threshold == ANONYMOUS_THRESHOLD


def test_actions_most_needed_rank_failures_by_weight() -> None:
    s = stats("identified", [dep("75", 10, fail=4)])
    needs = actions_most_needed(s)
    assert [n.measure_id for n in needs] == ["M01", "M02"]
    assert needs[0].fail == 4 and needs[1].warn == 10
    assert needs[0].share == pytest.approx(0.4)
    assert actions_most_needed(s, limit=1)[0].measure_id == "M01"
