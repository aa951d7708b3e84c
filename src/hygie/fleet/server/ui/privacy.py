"""The 5-device rule of anonymous campaigns, applied once for the pages and the exports.

In an anonymous campaign no figure may describe fewer than
:data:`hygie.fleet.ANONYMOUS_THRESHOLD` devices. :func:`group_departments` turns the
departments into groups that all reach it:

* a department with at least 5 reporting devices is shown on its own;
* the others (and the devices without a department) are merged into "autres départements";
* if that merged group is not empty but under 5, the smallest shown departments join it until
  it reaches 5, otherwise "the whole campaign minus the shown departments" would give the
  small group's figures away by subtraction (secondary suppression);
* a campaign under 5 reporting devices shows no figure at all.

Weekly figures follow the same groups; a week in which any group has between 1 and 4
reporting devices is hidden for every group and for the whole campaign (the same subtraction
would give that group's week away). Identified campaigns (a group practice, a provider's
clients) show everything: threshold 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hygie.fleet import ANONYMOUS_THRESHOLD
from hygie.fleet.server.ui.figures import CampaignFigures, Counts

ALL = "*"  # the whole campaign
OTHERS = "autres"  # the merged small departments


def threshold_for(mode: str) -> int:
    return ANONYMOUS_THRESHOLD if mode == "anonymous" else 1


@dataclass(frozen=True)
class Grouping:
    shown: tuple[str, ...]  # departments shown on their own, by code
    merged: tuple[str, ...]  # departments (or "" = none given) counted in OTHERS
    others_size: int
    total_size: int
    threshold: int

    @property
    def total_shown(self) -> bool:
        return self.total_size >= self.threshold and self.total_size > 0

    @property
    def others_shown(self) -> bool:
        return self.total_shown and self.others_size >= self.threshold and self.others_size > 0

    def groups(self) -> list[str]:
        """The group keys that may be shown: ALL, departments, OTHERS."""
        if not self.total_shown:
            return []
        out = [ALL, *self.shown]
        if self.others_size > 0 and len(self.shown) > 0:
            out.append(OTHERS)
        return out

    def members(self, group: str) -> tuple[str, ...]:
        if group == ALL:
            return (*self.shown, *self.merged)
        if group == OTHERS:
            return self.merged
        return (group,) if group in self.shown else ()


def group_departments(sizes: dict[str, int], threshold: int) -> Grouping:
    total = sum(sizes.values())
    shown = sorted(
        (d for d, n in sizes.items() if d and n >= threshold), key=lambda d: (sizes[d], d)
    )
    merged = [d for d in sizes if d not in shown]
    others = sum(sizes[d] for d in merged)
    while shown and 0 < others < threshold:
        smallest = shown.pop(0)
        merged.append(smallest)
        others += sizes[smallest]
    if not shown:
        # everything is one group: the campaign itself
        return Grouping((), tuple(sorted(merged)), others, total, threshold)
    return Grouping(tuple(sorted(shown)), tuple(sorted(merged)), others, total, threshold)


def _sum(parts: list[dict[str, Counts]], measures: tuple[str, ...]) -> dict[str, Counts]:
    out = {m: Counts() for m in measures}
    for part in parts:
        for m, c in part.items():
            out[m] = out.get(m, Counts()) + c
    return out


@dataclass
class ShownFigures:
    """Figures that may be shown (threshold applied): what pages and exports read."""

    mode: str
    measures: tuple[str, ...]
    grouping: Grouping
    now: dict[str, dict[str, Counts]] = field(default_factory=dict)  # group -> measure -> counts
    sizes: dict[str, int] = field(default_factory=dict)  # group -> reporting devices
    weeks: tuple[dt.date, ...] = ()
    hidden_weeks: tuple[dt.date, ...] = ()
    # group -> measure -> [(week, counts)]; None: a hidden week (a gap on the chart)
    series: dict[str, dict[str, list[tuple[dt.date, Counts | None]]]] = field(default_factory=dict)

    @property
    def threshold(self) -> int:
        return self.grouping.threshold


def shown_figures(mode: str, raw: CampaignFigures) -> ShownFigures:
    threshold = threshold_for(mode)
    grouping = group_departments(raw.devices_by_department, threshold)
    out = ShownFigures(mode=mode, measures=raw.measures, grouping=grouping)
    groups = grouping.groups()
    for g in groups:
        members = grouping.members(g)
        out.sizes[g] = sum(raw.devices_by_department.get(d, 0) for d in members)
        out.now[g] = _sum([raw.now[d] for d in members if d in raw.now], raw.measures)
    if not groups:
        return out
    first = raw.measures[0] if raw.measures else None
    visible: list[dt.date] = []
    hidden: list[dt.date] = []
    weekly: dict[str, dict[dt.date, dict[str, Counts]]] = {}
    for week in raw.weeks:
        per_group = {
            g: _sum(
                [raw.by_week[d][week] for d in grouping.members(g)
                 if week in raw.by_week.get(d, {})],
                raw.measures,
            )
            for g in groups
        }  # fmt: skip
        # the merged group counts even when it is not shown on its own (subtraction)
        per_group_sizes = [per_group[g][first].total if first else 0 for g in groups] + [
            sum(
                raw.by_week[d][week][first].total
                for d in grouping.merged
                if first and week in raw.by_week.get(d, {})
            )
        ]
        if any(0 < n < threshold for n in per_group_sizes):
            hidden.append(week)
            continue
        visible.append(week)
        for g in groups:
            if first and per_group[g][first].total:
                weekly.setdefault(g, {})[week] = per_group[g]
    out.weeks, out.hidden_weeks = tuple(visible), tuple(hidden)
    for g in groups:
        # from the group's first week on: a hidden week stays a visible gap
        mine = weekly.get(g, {})
        start = min((w for d in grouping.members(g) for w in raw.by_week.get(d, {})), default=None)
        out.series[g] = {
            m: [
                (w, mine[w][m] if w in mine else None)
                for w in raw.weeks
                if start is not None and w >= start and (w in mine or w in hidden)
            ]
            for m in raw.measures
        }
    return out


def most_needed(fig: ShownFigures, group: str = ALL, limit: int = 5) -> list[tuple[str, Counts]]:
    """The measures with the most devices in ``fail`` then ``warn`` (none when hidden)."""
    now = fig.now.get(group)
    if not now:
        return []
    ranked = sorted(now.items(), key=lambda mc: (-(mc[1].fail + mc[1].warn), -mc[1].fail, mc[0]))
    return [(m, c) for m, c in ranked if c.fail + c.warn > 0][:limit]
