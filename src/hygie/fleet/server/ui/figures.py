"""What the operator pages and exports show, read from the database in one typed shape.

:func:`campaign_figures` gathers a campaign's counts (devices per department, status counts
per department and measure now and per week) and :func:`device_rows` the per-device list of an
identified campaign. The pages never read tables themselves; the 5-device rule of anonymous
campaigns is applied afterwards by :mod:`hygie.fleet.server.ui.privacy`, on these figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg

from hygie.fleet.report import STATUSES
from hygie.fleet.server.campaigns import Campaign, list_campaigns
from hygie.fleet.server.statuses import decode

STATUS_KEYS: tuple[str, ...] = STATUSES  # ok, warn, fail, unknown, not_applicable
NO_DEPARTMENT = ""  # the nurse did not give one


@dataclass(frozen=True)
class Counts:
    """Devices by status for one measure (a device counts once)."""

    ok: int = 0
    warn: int = 0
    fail: int = 0
    unknown: int = 0
    not_applicable: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.warn + self.fail + self.unknown + self.not_applicable

    def get(self, status: str) -> int:
        return int(getattr(self, status))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(self.get(s) + other.get(s) for s in STATUS_KEYS))


@dataclass
class CampaignFigures:
    """Raw counts (no threshold applied): department -> measure id -> counts."""

    measures: tuple[str, ...]
    devices_by_department: dict[str, int] = field(default_factory=dict)  # devices that reported
    now: dict[str, dict[str, Counts]] = field(default_factory=dict)
    weeks: tuple[dt.date, ...] = ()
    # department -> week -> measure -> counts (devices by their latest report of that week)
    by_week: dict[str, dict[dt.date, dict[str, Counts]]] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceRow:
    label: str
    department: str
    os_family: str
    hygie_version: str
    joined_at: dt.datetime
    last_audited_at: dt.datetime | None
    score: int | None
    statuses: dict[str, str]  # measure id -> status key

    def with_status(self, status: str) -> list[str]:
        return [m for m, s in self.statuses.items() if s == status]


Conn = psycopg.Connection[tuple[object, ...]]


def campaigns(conn: Conn) -> list[Campaign]:
    """Open campaigns first, then the newest first."""
    found = list_campaigns(conn)
    found.sort(key=lambda c: c.created_at, reverse=True)
    found.sort(key=lambda c: c.closed_at is not None)
    return found


def campaign(conn: Conn, campaign_id: int) -> Campaign | None:
    return next((c for c in list_campaigns(conn) if c.id == campaign_id), None)


def measure_order(conn: Conn) -> tuple[str, ...]:
    cur = conn.execute("SELECT measure_id FROM measure ORDER BY position")
    return tuple(str(r[0]) for r in cur.fetchall())


def _statuses(measures: tuple[str, ...], chars: str) -> dict[str, str]:
    """Measure id -> status of a stored status string; {} for a device that never reported."""
    return decode(chars, measures) if chars else {}


def _add(target: dict[str, Counts], measure: str, status: str, n: int) -> None:
    old = target.get(measure, Counts())
    target[measure] = Counts(*(old.get(s) + (n if s == status else 0) for s in STATUS_KEYS))


def campaign_figures(conn: Conn, campaign_id: int, *, weeks: int = 26) -> CampaignFigures:
    measures = measure_order(conn)
    figures = CampaignFigures(measures=measures)
    cur = conn.execute(
        "SELECT coalesce(department, ''), last_statuses, count(*) FROM device "
        "WHERE campaign_id = %s AND last_statuses IS NOT NULL GROUP BY 1, 2",
        (campaign_id,),
    )
    for dept, chars, n in cur.fetchall():
        d, count = str(dept), int(n)  # type: ignore[call-overload]
        figures.devices_by_department[d] = figures.devices_by_department.get(d, 0) + count
        per = figures.now.setdefault(d, {m: Counts() for m in measures})
        for m, s in _statuses(measures, str(chars)).items():
            _add(per, m, s, count)
    cur = conn.execute(
        "WITH latest AS ("
        "  SELECT DISTINCT ON (r.device_id, date_trunc('week', r.audited_at AT TIME ZONE 'UTC'))"
        "    r.device_id, date_trunc('week', r.audited_at AT TIME ZONE 'UTC')::date AS week,"
        "    r.statuses"
        "  FROM report r WHERE r.campaign_id = %s"
        "    AND r.audited_at >= date_trunc('week', now()) - %s * interval '1 week'"
        "  ORDER BY r.device_id, date_trunc('week', r.audited_at AT TIME ZONE 'UTC'),"
        "    r.audited_at DESC)"
        " SELECT l.week, coalesce(d.department, ''), l.statuses, count(*)"
        " FROM latest l JOIN device d ON d.campaign_id = %s AND d.id = l.device_id"
        " GROUP BY 1, 2, 3",
        (campaign_id, weeks - 1, campaign_id),
    )
    seen_weeks: set[dt.date] = set()
    for week, dept, chars, n in cur.fetchall():
        assert isinstance(week, dt.date)
        seen_weeks.add(week)
        per = figures.by_week.setdefault(str(dept), {}).setdefault(
            week, {m: Counts() for m in measures}
        )
        for m, s in _statuses(measures, str(chars)).items():
            _add(per, m, s, int(n))  # type: ignore[call-overload]
    figures.weeks = tuple(sorted(seen_weeks))
    return figures


def device_rows(conn: Conn, campaign_id: int) -> list[DeviceRow]:
    measures = measure_order(conn)
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
                str(label), str(dept), str(os_family), str(version),
                joined, last, score, _statuses(measures, str(chars)),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    return rows
