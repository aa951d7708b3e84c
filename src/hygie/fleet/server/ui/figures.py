"""What the operator pages and exports show, in one typed shape, from the statistics API.

The counts come from :mod:`hygie.fleet.server.stats` (fleet-scale's rollups): the campaign
now by department (:func:`~hygie.fleet.server.stats.campaign_stats`), the 5-device rule of
anonymous campaigns (:func:`~hygie.fleet.server.stats.for_display`), each measure's statuses
per day (:func:`~hygie.fleet.server.stats.statuses_over_time`, with the same threshold) and the
actions most needed. This module only arranges them for a page or an export, and reads the
per-device list of an identified campaign (:func:`device_rows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import psycopg

from hygie.fleet import ANONYMOUS_THRESHOLD
from hygie.fleet.report import STATUSES
from hygie.fleet.server.campaigns import Campaign, list_campaigns
from hygie.fleet.server.stats import (
    NO_DEPARTMENT,
    OTHER_DEPARTMENTS,
    CampaignStats,
    DayCounts,
    MeasureNeed,
    StatusCounts,
    actions_most_needed,
    campaign_stats,
    for_display,
    statuses_over_time,
)
from hygie.fleet.server.statuses import decode

STATUS_KEYS: tuple[str, ...] = STATUSES  # ok, warn, fail, unknown, not_applicable
DAYS_SHOWN = 90  # the charts cover this many days back

# Group keys as they appear in a URL (?groupe=…): the campaign, a department code, or these.
ALL = "tout"
OTHERS = "autres"  # stats.OTHER_DEPARTMENTS: small departments merged (anonymous campaigns)
NONE_GIVEN = "aucun"  # stats.NO_DEPARTMENT: computers whose nurse gave no department
_KEY_OF = {OTHER_DEPARTMENTS: OTHERS, NO_DEPARTMENT: NONE_GIVEN}
_CODE_OF = {v: k for k, v in _KEY_OF.items()}

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass
class ShownFigures:
    """What a page or an export may show (the threshold already applied)."""

    mode: str
    measures: tuple[str, ...]
    threshold: int  # 1 for identified campaigns
    stats: CampaignStats  # for_display()'s result
    now: dict[str, dict[str, StatusCounts]] = field(default_factory=dict)  # group -> measures
    sizes: dict[str, int] = field(default_factory=dict)  # group -> reporting computers
    # group -> measure -> one point per day with reports; counts None: hidden that day
    series: dict[str, dict[str, list[DayCounts]]] = field(default_factory=dict)

    @property
    def merged(self) -> bool:
        return OTHERS in self.now

    def hidden_days(self, group: str) -> int:
        per = self.series.get(group, {})
        first = next(iter(per.values()), [])
        return sum(1 for d in first if d.counts is None)

    def needed(self, group: str, limit: int = 5) -> list[MeasureNeed]:
        if group not in self.now:
            return []
        return actions_most_needed(replace(self.stats, measures=self.now[group]), limit)


def campaigns(conn: Conn) -> list[Campaign]:
    """Open campaigns first, then the newest first."""
    found = list_campaigns(conn)
    found.sort(key=lambda c: c.created_at, reverse=True)
    found.sort(key=lambda c: c.closed_at is not None)
    return found


def campaign(conn: Conn, campaign_id: int) -> Campaign | None:
    return next((c for c in list_campaigns(conn) if c.id == campaign_id), None)


def threshold_for(mode: str) -> int:
    return ANONYMOUS_THRESHOLD if mode == "anonymous" else 1


def shown_figures(
    conn: Conn, found: Campaign, *, series_for: tuple[str, ...] | None = None
) -> ShownFigures:
    """The campaign's figures under its rule; day series for the groups in ``series_for``
    (None: every group that has one)."""
    threshold = threshold_for(found.mode)
    stats = for_display(campaign_stats(conn, found), ANONYMOUS_THRESHOLD)
    out = ShownFigures(
        mode=found.mode,
        measures=tuple(stats.measures),
        threshold=threshold,
        stats=stats,
    )
    if stats.suppressed or stats.devices == 0:
        return out
    out.now[ALL] = dict(stats.measures)
    out.sizes[ALL] = stats.devices
    for dep in stats.departments:
        key = _KEY_OF.get(dep.department, dep.department)
        out.now[key] = dict(dep.measures)
        out.sizes[key] = dep.devices
    if series_for is not None:  # an unknown group (a hand-made URL) shows the campaign
        series_for = tuple(g for g in series_for if g in out.now) or (ALL,)
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=DAYS_SHOWN)
    for group in out.now:
        # the merged group changes from day to day: no series of its own (its members may
        # be shown alone some days); the whole campaign and each department have one
        if group == OTHERS or (series_for is not None and group not in series_for):
            continue
        department = None if group == ALL else _CODE_OF.get(group, group)
        out.series[group] = statuses_over_time(
            conn,
            found.id,
            out.measures,
            department=department,
            since=since,
            threshold=threshold if found.mode == "anonymous" else None,
        )
    return out


@dataclass(frozen=True)
class DeviceRow:
    label: str
    department: str
    os_family: str
    hygie_version: str
    joined_at: dt.datetime
    last_audited_at: dt.datetime | None
    score: int | None
    statuses: dict[str, str]  # measure id -> status key; {} before the first report

    def with_status(self, status: str) -> list[str]:
        return [m for m, s in self.statuses.items() if s == status]


def device_rows(conn: Conn, campaign_id: int) -> list[DeviceRow]:
    """Every computer of an identified campaign, with its latest report."""
    order = tuple(
        str(r[0]) for r in conn.execute("SELECT measure_id FROM measure ORDER BY position")
    )
    cur = conn.execute(
        "SELECT coalesce(label, ''), coalesce(department, ''), os_family, hygie_version,"
        " joined_at, last_audited_at, last_score, coalesce(last_statuses, '')"
        " FROM device WHERE campaign_id = %s",
        (campaign_id,),
    )
    rows = []
    for label, dept, os_family, version, joined, last, score, chars in cur.fetchall():
        rows.append(
            DeviceRow(
                str(label), str(dept), str(os_family), str(version), joined, last, score,  # type: ignore[arg-type]
                decode(str(chars), order) if chars else {},
            )
        )  # fmt: skip
    return rows
