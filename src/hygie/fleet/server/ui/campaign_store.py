"""Campaign creation for the UI, and the check of a join code typed again for the handout.

Interim: ``create_campaign`` mirrors fleet-server's ``hygie.fleet.server.campaigns`` (same
signature and result) until that module is on main; then this import switches to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from hygie.fleet.protocol import CAMPAIGN_MODES, code_hash, new_join_code

from . import figures

Conn = psycopg.Connection[tuple[object, ...]]


class CampaignNameTaken(ValueError):
    """Another campaign has this name."""


@dataclass(frozen=True)
class NewCampaign:
    campaign: figures.Campaign
    join_code: str  # shown once; the database keeps its SHA-256 only


def create_campaign(conn: Conn, *, name: str, mode: str) -> NewCampaign:
    if mode not in CAMPAIGN_MODES:
        raise ValueError(f"mode must be one of {CAMPAIGN_MODES}")
    code = new_join_code()
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO campaign (name, mode, join_code_hash) VALUES (%s, %s, %s) "
                "RETURNING id",
                (name, mode, code_hash(code)),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise CampaignNameTaken(name) from None
    assert row is not None
    made = figures.campaign(conn, int(row[0]))  # type: ignore[call-overload]
    assert made is not None
    return NewCampaign(made, code)


def code_matches(conn: Conn, campaign_id: int, code: str) -> bool:
    """True when ``code`` (already normalized) is this campaign's join code."""
    import hmac

    row = conn.execute(
        "SELECT join_code_hash FROM campaign WHERE id = %s", (campaign_id,)
    ).fetchone()
    return (
        row is not None
        and isinstance(row[0], bytes)
        and hmac.compare_digest(row[0], code_hash(code))
    )
