"""The check of a join code typed again by an operator to print a campaign's handout again.

Campaigns themselves are made and listed by :mod:`hygie.fleet.server.campaigns`.
"""

from __future__ import annotations

import hmac

import psycopg

from hygie.fleet.protocol import code_hash

Conn = psycopg.Connection[tuple[object, ...]]


def code_matches(conn: Conn, campaign_id: int, code: str) -> bool:
    """True when ``code`` (already normalized) is this campaign's join code."""
    row = conn.execute(
        "SELECT join_code_hash FROM campaign WHERE id = %s", (campaign_id,)
    ).fetchone()
    return (
        row is not None
        and isinstance(row[0], bytes)
        and hmac.compare_digest(row[0], code_hash(code))
    )
