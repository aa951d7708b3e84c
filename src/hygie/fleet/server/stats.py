"""A campaign's statistics, read from the rollups (migration 0002), for the CLI and the web UI.

Everything here reads the rollup tables kept by :mod:`hygie.fleet.server.rollup`, never the
report table: answers take a few milliseconds whatever the number of reports (see
docs/benchmarks.md, "fleet"). They are as fresh as the last refresh (``as_of``); call
:func:`hygie.fleet.server.rollup.refresh` first when that matters (the ``stats`` command does).

* :func:`campaign_stats` — current devices, per measure x status now, per department x measure
  x status now (:class:`CampaignStats`);
* :func:`status_over_time`, :func:`statuses_over_time` — one measure's (several measures')
  statuses per UTC day, campaign-wide or for one department (:class:`DayCounts`);
* :func:`actions_most_needed` — the measures to work on first (:class:`MeasureNeed`);
* :func:`apply_threshold`, :func:`for_display` — what an *anonymous* campaign may show: groups
  of at least :data:`hygie.fleet.ANONYMOUS_THRESHOLD` devices, small groups merged so that no
  small group can be recovered by subtraction. The operator's ``stats`` command (database
  access) shows the raw counts; the web UI and its exports show :func:`for_display`.

The devices counted "now" (``devices``) are those that have sent at least one report;
``joined`` counts every device currently in the campaign, reporting or not. ``department`` is ``""``
when the nurse did not give one, :data:`OTHER_DEPARTMENTS` for the merged small groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import psycopg

from hygie.audit import Status, load_catalogue
from hygie.fleet.protocol import ANONYMOUS_THRESHOLD

OTHER_DEPARTMENTS = "*"  # small departments merged together (anonymous campaigns)
NO_DEPARTMENT = ""  # the nurse did not give her department

# rollup columns in Status order (report.statuses characters o, w, f, u, n)
_COLUMNS = "ok, warn, fail, unknown, na"


@dataclass(frozen=True)
class StatusCounts:
    """How many devices have each status for one measure (in one group)."""

    ok: int = 0
    warn: int = 0
    fail: int = 0
    unknown: int = 0
    not_applicable: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.warn + self.fail + self.unknown + self.not_applicable

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(
            self.ok + other.ok,
            self.warn + other.warn,
            self.fail + other.fail,
            self.unknown + other.unknown,
            self.not_applicable + other.not_applicable,
        )

    def __getitem__(self, status: str) -> int:
        """``counts["ok"]``: by status value, like the ``to_dict`` form."""
        return self.get(Status(status))

    def get(self, status: Status) -> int:
        return {
            Status.OK: self.ok,
            Status.WARN: self.warn,
            Status.FAIL: self.fail,
            Status.UNKNOWN: self.unknown,
            Status.NOT_APPLICABLE: self.not_applicable,
        }[status]

    def to_dict(self) -> dict[str, int]:
        """``{"ok": n, "warn": n, "fail": n, "unknown": n, "not_applicable": n}``."""
        return {s.value: self.get(s) for s in Status}

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> StatusCounts:
        return cls(*(int(v or 0) for v in row))


class CampaignLike(Protocol):
    """What the statistics need of a campaign (``hygie.fleet.server.campaigns.Campaign``)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def mode(self) -> str: ...


@dataclass(frozen=True)
class DepartmentStats:
    """One department's devices (those that reported) and their statuses now, per measure."""

    department: str  # "75", "2A", "974"; NO_DEPARTMENT; OTHER_DEPARTMENTS
    devices: int
    measures: Mapping[str, StatusCounts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department or None,
            "devices": self.devices,
            "measures": {mid: c.to_dict() for mid, c in self.measures.items()},
        }


@dataclass(frozen=True)
class CampaignStats:
    """A campaign now: what ``hygie fleet stats --json`` prints and the UI's first page reads."""

    campaign: str  # its name
    mode: str  # "anonymous" | "identified"
    joined: int  # devices in the campaign (joined, not left)
    devices: int  # of which have sent a report: the current devices the counts cover
    measures: Mapping[str, StatusCounts]  # every measure, zeros included: {"M01": counts}
    departments: tuple[DepartmentStats, ...] = ()  # by department code; "" and "*" last
    as_of: dt.datetime | None = None  # reports received before this instant are counted
    campaign_id: int = 0
    suppressed: bool = False  # for_display(): under the threshold, nothing is shown
    threshold: int | None = None  # for_display(): the threshold applied, if any

    @property
    def anonymous(self) -> bool:
        return self.mode == "anonymous"

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "mode": self.mode,
            "joined": self.joined,
            "devices": self.devices,
            "measures": {mid: c.to_dict() for mid, c in self.measures.items()},
            "departments": [d.to_dict() for d in self.departments],
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "suppressed": self.suppressed,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class DayCounts:
    """One measure's statuses on one UTC day: each device that reported that day, once."""

    day: dt.date
    counts: StatusCounts | None  # None: hidden (fewer devices than the threshold)


@dataclass(frozen=True)
class MeasureNeed:
    """A measure that devices fail or only partly meet, with how much it weighs."""

    measure_id: str
    fail: int
    warn: int
    checked: int  # devices for which the measure was ok, warn or fail
    impact: int  # severity weight x (2 x fail + warn): the ranking key

    @property
    def share(self) -> float:
        """Share of the checked devices that fail or warn (0 when none was checked)."""
        return (self.fail + self.warn) / self.checked if self.checked else 0.0


def _positions(conn: psycopg.Connection[Any]) -> dict[int, str]:
    return {int(p): str(m) for p, m in conn.execute("SELECT position, measure_id FROM measure")}


def _zeros(positions: Mapping[int, str]) -> dict[str, StatusCounts]:
    return {mid: StatusCounts() for mid in sorted(positions.values())}


def _department_key(code: str) -> tuple[int, str]:
    return (1 if code in (NO_DEPARTMENT, OTHER_DEPARTMENTS) else 0, code or "~")


def department_measures(
    conn: psycopg.Connection[Any],
    campaign_id: int,
    positions: Mapping[int, str] | None = None,
) -> tuple[DepartmentStats, ...]:
    """Department x measure x status now (the rollup ``rollup_now``), departments sorted."""
    positions = positions if positions is not None else _positions(conn)
    groups: dict[str, dict[str, StatusCounts]] = {}
    rows = conn.execute(
        f"SELECT department, measure_pos, {_COLUMNS} FROM rollup_now WHERE campaign_id = %s",
        (campaign_id,),
    )
    for row in rows:
        mid = positions.get(int(row[1]))
        if mid is None:  # a measure position no longer in the table: nothing to show for it
            continue
        groups.setdefault(str(row[0]), _zeros(positions))[mid] = StatusCounts.from_row(row[2:])
    return tuple(
        DepartmentStats(code, max((c.total for c in ms.values()), default=0), ms)
        for code, ms in sorted(groups.items(), key=lambda kv: _department_key(kv[0]))
    )


def _sum_measures(
    departments: Iterable[DepartmentStats], positions: Mapping[int, str]
) -> dict[str, StatusCounts]:
    total = _zeros(positions)
    for dep in departments:
        for mid, counts in dep.measures.items():
            total[mid] = total[mid] + counts
    return total


def campaign_stats(conn: psycopg.Connection[Any], campaign: CampaignLike) -> CampaignStats:
    """The campaign now, raw counts (the operator's view), as of the last rollup refresh."""
    positions = _positions(conn)
    departments = department_measures(conn, campaign.id, positions)
    row = conn.execute(
        "SELECT count(*) FROM device WHERE campaign_id = %s", (campaign.id,)
    ).fetchone()
    state = conn.execute("SELECT received_hwm, refreshed_at FROM rollup_state").fetchone()
    return CampaignStats(
        campaign=campaign.name,
        mode=campaign.mode,
        joined=int(row[0]) if row else 0,
        devices=sum(d.devices for d in departments),
        measures=_sum_measures(departments, positions),
        departments=departments,
        as_of=state[0] if state and state[1] is not None else None,
        campaign_id=campaign.id,
    )


def apply_threshold(
    departments: Sequence[DepartmentStats], threshold: int = ANONYMOUS_THRESHOLD
) -> tuple[DepartmentStats, ...]:
    """Groups of at least ``threshold`` devices; smaller ones merged, never recoverable.

    Departments below the threshold, and the devices without a department (not a place), are
    merged into one :data:`OTHER_DEPARTMENTS` group (the rule of fleet-ui's
    ``privacy.group_departments``). If that group is itself non-empty but below the threshold,
    the smallest shown departments join it until it reaches the threshold — otherwise "total
    minus the shown departments" would give it away. When even everything merged is below the
    threshold, nothing is shown.
    """
    shown = sorted(
        (d for d in departments if d.department != NO_DEPARTMENT and d.devices >= threshold),
        key=lambda d: (d.devices, d.department),
    )
    alone = {d.department for d in shown}
    merged = [d for d in departments if d.department not in alone and d.devices > 0]
    while merged and sum(d.devices for d in merged) < threshold and shown:
        merged.append(shown.pop(0))
    if merged and sum(d.devices for d in merged) < threshold:
        return ()
    out = sorted(shown, key=lambda d: _department_key(d.department))
    if merged:
        measures: dict[str, StatusCounts] = {}
        for dep in merged:
            for mid, counts in dep.measures.items():
                measures[mid] = measures.get(mid, StatusCounts()) + counts
        out.append(DepartmentStats(OTHER_DEPARTMENTS, sum(d.devices for d in merged), measures))
    return tuple(out)


def for_display(stats: CampaignStats, threshold: int = ANONYMOUS_THRESHOLD) -> CampaignStats:
    """What the web UI and exports may show: unchanged for an identified campaign; for an
    anonymous one, departments through :func:`apply_threshold`, and nothing at all (zeros,
    ``suppressed``) while fewer than ``threshold`` devices report."""
    if not stats.anonymous:
        return stats
    if stats.devices < threshold:
        return replace(
            stats,
            devices=0,
            measures={mid: StatusCounts() for mid in stats.measures},
            departments=(),
            suppressed=True,
            threshold=threshold,
        )
    return replace(
        stats, departments=apply_threshold(stats.departments, threshold), threshold=threshold
    )


def status_over_time(
    conn: psycopg.Connection[Any],
    campaign_id: int,
    measure_id: str,
    *,
    department: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    threshold: int | None = None,
) -> list[DayCounts]:
    """One measure's statuses per UTC day (days with reports only), oldest first: see
    :func:`statuses_over_time`."""
    return statuses_over_time(
        conn,
        campaign_id,
        (measure_id,),
        department=department,
        since=since,
        until=until,
        threshold=threshold,
    )[measure_id]


def statuses_over_time(
    conn: psycopg.Connection[Any],
    campaign_id: int,
    measure_ids: Sequence[str],
    *,
    department: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    threshold: int | None = None,
) -> dict[str, list[DayCounts]]:
    """Each measure's statuses per UTC day (days with reports only, oldest first), in one
    query for all of them; an unknown measure has an empty series.

    ``department``: None for the whole campaign, a code for one department (``""``: devices
    without one). ``threshold`` (anonymous campaigns: :data:`ANONYMOUS_THRESHOLD`): a day
    whose group has fewer devices is hidden (``counts`` None); for one department, the day is
    shown only if the department stands alone in that day's :func:`apply_threshold` of the
    measure's groups. The groups' sizes are the same for every measure (each report carries
    them all): PostgreSQL groups a day's measures by their set of sizes and
    :func:`apply_threshold` runs once per distinct set, not once per measure and day.
    """
    out: dict[str, list[DayCounts]] = {m: [] for m in measure_ids}
    rows = conn.execute(
        "SELECT position, measure_id FROM measure WHERE measure_id = ANY(%s)", (list(out),)
    ).fetchall()
    measure_of = {int(pos): str(mid) for pos, mid in rows}
    if not measure_of:
        return out
    params: dict[str, Any] = {
        "c": campaign_id,
        "ps": list(measure_of),
        "since": since or dt.date(1970, 1, 1),
        "until": until or dt.date(9999, 12, 31),
        "d": department,
    }
    where = (
        "campaign_id = %(c)s AND measure_pos = ANY(%(ps)s) AND day BETWEEN %(since)s AND %(until)s"
    )
    if department is None or threshold is None:
        dep_filter = "" if department is None else " AND department = %(d)s"
        cur = conn.execute(
            f"SELECT measure_pos, day, sum(ok), sum(warn), sum(fail), sum(unknown), sum(na)"
            f" FROM rollup_day WHERE {where}{dep_filter}"
            " GROUP BY measure_pos, day ORDER BY measure_pos, day",
            params,
        )
        for pos, day, *row in cur:
            counts = StatusCounts.from_row(row)
            hidden = threshold is not None and counts.total < threshold
            out[measure_of[pos]].append(DayCounts(day, None if hidden else counts))
        return out
    # One department of an anonymous campaign: the department's own rows, and for each day the
    # distinct sets of group sizes (PostgreSQL groups the measures that share one: all of them,
    # as a rule), each through apply_threshold once.
    shown: dict[tuple[dt.date, int], bool] = {}
    alone_for: dict[tuple[tuple[str, ...], tuple[int, ...]], bool] = {}
    size_sets = conn.execute(
        "SELECT day, deps, sizes, array_agg(measure_pos) FROM ("
        " SELECT day, measure_pos, array_agg(department ORDER BY department) AS deps,"
        " array_agg(ok + warn + fail + unknown + na ORDER BY department) AS sizes"
        f" FROM rollup_day WHERE {where} GROUP BY day, measure_pos"
        ") per GROUP BY day, deps, sizes",
        params,
    )
    for day, deps, sizes, positions in size_sets:
        key = (tuple(deps), tuple(sizes))
        alone = alone_for.get(key)
        if alone is None:
            groups = [DepartmentStats(d, n, {}) for d, n in zip(*key, strict=True)]
            kept = apply_threshold(groups, threshold)
            alone = alone_for[key] = any(g.department == department for g in kept)
        for pos in positions:
            shown[(day, pos)] = alone
    mine = conn.execute(
        f"SELECT day, measure_pos, {_COLUMNS} FROM rollup_day WHERE {where}"
        " AND department = %(d)s ORDER BY day",
        params,
    )
    for day, pos, *counts in mine:
        visible = shown[(day, pos)]
        out[measure_of[pos]].append(
            DayCounts(day, StatusCounts.from_row(counts) if visible else None)
        )
    return out


def actions_most_needed(stats: CampaignStats, limit: int = 5) -> list[MeasureNeed]:
    """The measures to work on first: severity weight x (2 x fail + warn), highest first.

    Measures nobody fails or warns are left out. Works on raw or :func:`for_display` stats.
    """
    weights = {m.measure_id: m.weight for m in load_catalogue()}
    needs = [
        MeasureNeed(
            measure_id=mid,
            fail=c.fail,
            warn=c.warn,
            checked=c.ok + c.warn + c.fail,
            impact=weights.get(mid, 1) * (2 * c.fail + c.warn),
        )
        for mid, c in stats.measures.items()
        if c.fail + c.warn > 0
    ]
    needs.sort(key=lambda n: (-n.impact, -n.fail, n.measure_id))
    return needs[:limit]
