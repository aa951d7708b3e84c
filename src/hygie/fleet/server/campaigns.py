"""Campaigns: create (a join code shown once, only its hash stored), list, close; devices leave.

Used by the operator's commands (``hygie fleet campaign …``) and the web UI; everything takes
a psycopg connection and commits nothing itself unless it says so (callers own transactions).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import psycopg
from psycopg.rows import class_row

from hygie.fleet.errors import FleetCampaignExists, FleetCampaignUnknown
from hygie.fleet.protocol import CAMPAIGN_MODES, code_hash, new_join_code

Conn = psycopg.Connection[tuple[object, ...]]
NAME_MAX = 120


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    mode: str
    join_expires_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    devices: int

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def to_dict(self) -> dict[str, object]:
        def iso(t: dt.datetime | None) -> str | None:
            return t.astimezone(dt.UTC).isoformat(timespec="seconds") if t else None

        return {
            "name": self.name,
            "mode": self.mode,
            "join_expires_at": iso(self.join_expires_at),
            "closed_at": iso(self.closed_at),
            "created_at": iso(self.created_at),
            "devices": self.devices,
        }


@dataclass(frozen=True)
class NewCampaign:
    campaign: Campaign
    join_code: str  # shown once to the operator; the database keeps its SHA-256 only


_SELECT = """
SELECT c.id, c.name, c.mode, c.join_expires_at, c.closed_at, c.created_at,
       (SELECT count(*) FROM device d WHERE d.campaign_id = c.id)::int AS devices
FROM campaign c
"""


def clean_name(name: str) -> str:
    """A campaign name as stored: trimmed, 1-120 printable characters (ValueError otherwise)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX or not name.isprintable():
        raise ValueError(f"1 to {NAME_MAX} printable characters")
    return name


def create_campaign(
    conn: Conn, *, name: str, mode: str, expires_days: int | None = None
) -> NewCampaign:
    """A new open campaign and its join code (committed)."""
    if mode not in CAMPAIGN_MODES:
        raise ValueError(f"mode must be one of {CAMPAIGN_MODES}")
    name = clean_name(name)
    code = new_join_code()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO campaign (name, mode, join_code_hash, join_expires_at) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                (name, mode, code_hash(code), expires),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise FleetCampaignExists(name=name) from None
    assert row is not None
    return NewCampaign(get_campaign(conn, name), code)


def list_campaigns(conn: Conn) -> list[Campaign]:
    with conn.cursor(row_factory=class_row(Campaign)) as cur:
        return cur.execute(_SELECT + " ORDER BY c.created_at, c.id").fetchall()


def find_campaign(conn: Conn, name: str) -> Campaign | None:
    with conn.cursor(row_factory=class_row(Campaign)) as cur:
        return cur.execute(_SELECT + " WHERE c.name = %s", (" ".join(name.split()),)).fetchone()


def get_campaign(conn: Conn, name: str) -> Campaign:
    """The campaign called ``name``; :class:`FleetCampaignUnknown` when there is none."""
    found = find_campaign(conn, name)
    if found is None:
        raise FleetCampaignUnknown(name=name)
    return found


def close_campaign(conn: Conn, name: str) -> Campaign:
    """Close a campaign (committed): no join, no report any more; its data stays for reading."""
    campaign = get_campaign(conn, name)
    with conn.transaction():
        conn.execute(
            "UPDATE campaign SET closed_at = now() WHERE id = %s AND closed_at IS NULL",
            (campaign.id,),
        )
    return get_campaign(conn, name)


# One statement for a device's removal: the device (its reports go with it, ON DELETE
# CASCADE) and a tombstone keeping only its id and secret hash (its token then gets 410).
REMOVE_DEVICE_SQL = """
WITH gone AS (
    DELETE FROM device WHERE campaign_id = %(campaign_id)s AND id = %(device_id)s
    RETURNING campaign_id, id, secret_hash
)
INSERT INTO device_removed (campaign_id, id, secret_hash)
SELECT campaign_id, id, secret_hash FROM gone
ON CONFLICT DO NOTHING
RETURNING 1
"""


def remove_device(conn: Conn, campaign_id: int, device_id: uuid.UUID) -> bool:
    """Delete a device and all its reports (committed); False when it was not there."""
    with conn.transaction():
        row = conn.execute(
            REMOVE_DEVICE_SQL, {"campaign_id": campaign_id, "device_id": device_id}
        ).fetchone()
    return row is not None
