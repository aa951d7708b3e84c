"""Aggregates over a campaign's devices, for the ``stats`` command and the operator's UI.

:func:`campaign_stats` counts the *current* devices (those that have sent at least one report)
by measure and status from ``device.last_statuses``: every device counts once per measure, so
each measure's counts add up to ``devices``. No 5-device threshold here (the operator has the
database); the UI and exports apply it for anonymous campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from hygie.fleet.report import STATUSES
from hygie.fleet.server.campaigns import Campaign
from hygie.fleet.server.statuses import CHAR_STATUS

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True)
class CampaignStats:
    campaign: str
    mode: str
    joined: int  # devices in the campaign (joined, not left)
    devices: int  # of which have sent at least one report: what the counts cover
    measures: dict[str, dict[str, int]]  # {"M01": {"ok": n, "warn": n, ...}, ...}

    def to_dict(self) -> dict[str, object]:
        return {
            "campaign": self.campaign,
            "mode": self.mode,
            "joined": self.joined,
            "devices": self.devices,
            "measures": self.measures,
        }


_COUNTS = """
SELECT m.measure_id, substr(d.last_statuses, m.position, 1) AS s, count(*)::int
FROM device d
JOIN measure m ON m.position <= length(d.last_statuses)
WHERE d.campaign_id = %(c)s AND d.last_statuses IS NOT NULL
GROUP BY 1, 2
"""

_DEVICES = """
SELECT count(*)::int, count(last_statuses)::int FROM device WHERE campaign_id = %(c)s
"""


def campaign_stats(conn: Conn, campaign: Campaign) -> CampaignStats:
    """Current devices and, per measure, how many of them are at each status."""
    order = [str(r[0]) for r in conn.execute("SELECT measure_id FROM measure ORDER BY position")]
    measures = {mid: dict.fromkeys(STATUSES, 0) for mid in order}
    for mid, char, n in conn.execute(_COUNTS, {"c": campaign.id}):
        status = CHAR_STATUS.get(str(char), "unknown")
        measures[str(mid)][status] += int(n)  # type: ignore[call-overload]
    row = conn.execute(_DEVICES, {"c": campaign.id}).fetchone()
    joined, reporting = (int(row[0]), int(row[1])) if row else (0, 0)  # type: ignore[call-overload]
    return CampaignStats(campaign.name, campaign.mode, joined, reporting, measures)
