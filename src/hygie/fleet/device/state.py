"""This computer's campaign membership and its queue of reports, in hygie's local store.

Two tables (``register_migrations("fleet_device", ...)``):

* ``fleet_membership``: at most one row (one campaign at a time): the server's address,
  the campaign's name and mode, what was given at join (department, label), the delivery
  state (``active``; ``gone`` when the server no longer knows the device; ``leaving`` when the
  deletion was asked but not yet confirmed) and the counters the status shows. The token is
  never here: it is in the keyring (:mod:`hygie.secrets`, name :data:`TOKEN_SECRET`).
* ``fleet_queue``: the reports waiting to be delivered, oldest first, each with the exact
  bytes that will be sent (its ``report_id`` is fixed when it is queued: delivery is
  idempotent). At most :data:`QUEUE_LIMIT` rows: the oldest are dropped, counted and logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from hygie.store import Store, register_migrations, utcnow

log = logging.getLogger("hygie.fleet.device")

QUEUE_LIMIT = 200
TOKEN_SECRET = "fleet-device-token"
STATES = ("active", "gone", "leaving")

register_migrations(
    "fleet_device",
    [
        """
        CREATE TABLE fleet_membership (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_url TEXT NOT NULL,
            allow_plain_http INTEGER NOT NULL DEFAULT 0,
            campaign_name TEXT NOT NULL,
            mode TEXT NOT NULL,
            device_id TEXT NOT NULL,
            department TEXT,
            label TEXT,
            joined_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'active',
            failures INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            last_delivery_at TEXT,
            last_error_code TEXT,
            last_error_detail TEXT,
            last_error_at TEXT,
            delivered INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            last_report TEXT
        );
        CREATE TABLE fleet_queue (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            report_id TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            queued_at TEXT NOT NULL
        );
        """
    ],
)

_FIELDS = (
    "server_url",
    "allow_plain_http",
    "campaign_name",
    "mode",
    "device_id",
    "department",
    "label",
    "joined_at",
    "state",
    "failures",
    "next_attempt_at",
    "last_delivery_at",
    "last_error_code",
    "last_error_detail",
    "last_error_at",
    "delivered",
    "dropped",
    "rejected",
    "last_report",
)


@dataclass(frozen=True)
class MembershipRow:
    server_url: str
    allow_plain_http: bool
    campaign_name: str
    mode: str
    device_id: str
    department: str | None
    label: str | None
    joined_at: str
    state: str
    failures: int
    next_attempt_at: float
    last_delivery_at: str | None
    last_error_code: str | None
    last_error_detail: str | None
    last_error_at: str | None
    delivered: int
    dropped: int
    rejected: int
    last_report: str | None  # the bytes of the last report delivered, as sent


@dataclass(frozen=True)
class QueuedReport:
    seq: int
    report_id: str
    body: bytes  # exactly what is sent
    queued_at: str


def membership(store: Store) -> MembershipRow | None:
    row = store.conn.execute(
        f"SELECT {', '.join(_FIELDS)} FROM fleet_membership WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    values = dict(zip(_FIELDS, row, strict=True))
    values["allow_plain_http"] = bool(values["allow_plain_http"])
    return MembershipRow(**values)


def insert_membership(
    store: Store,
    *,
    server_url: str,
    allow_plain_http: bool,
    campaign_name: str,
    mode: str,
    device_id: str,
    department: str | None,
    label: str | None,
) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM fleet_queue")
        c.execute("DELETE FROM fleet_membership")
        c.execute(
            "INSERT INTO fleet_membership(id, server_url, allow_plain_http, campaign_name, mode, "
            "device_id, department, label, joined_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                server_url,
                int(allow_plain_http),
                campaign_name,
                mode,
                device_id,
                department,
                label,
                utcnow(),
            ),
        )


def update_membership(store: Store, **changes: Any) -> None:
    bad = set(changes) - set(_FIELDS)
    if bad:
        raise ValueError(f"unknown membership fields: {sorted(bad)}")
    if not changes:
        return
    if "state" in changes and changes["state"] not in STATES:
        raise ValueError(f"unknown state {changes['state']!r}")
    sets = ", ".join(f"{k} = ?" for k in changes)
    with store.transaction() as c:
        c.execute(f"UPDATE fleet_membership SET {sets} WHERE id = 1", tuple(changes.values()))


def add_counter(store: Store, field: str, n: int = 1) -> None:
    if field not in ("delivered", "dropped", "rejected"):
        raise ValueError(field)
    with store.transaction() as c:
        c.execute(f"UPDATE fleet_membership SET {field} = {field} + ? WHERE id = 1", (n,))


def forget_membership(store: Store) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM fleet_queue")
        c.execute("DELETE FROM fleet_membership")


def enqueue(store: Store, report_id: str, body: bytes, limit: int = QUEUE_LIMIT) -> int:
    """Queue one report (its bytes are final); drop the oldest beyond ``limit``.

    Returns how many were dropped. The same ``report_id`` twice is queued once."""
    with store.transaction() as c:
        c.execute(
            "INSERT INTO fleet_queue(report_id, body, queued_at) VALUES (?, ?, ?) "
            "ON CONFLICT(report_id) DO NOTHING",
            (report_id, body.decode("utf-8"), utcnow()),
        )
        (count,) = c.execute("SELECT count(*) FROM fleet_queue").fetchone()
        over = max(0, int(count) - limit)
        if over:
            c.execute(
                "DELETE FROM fleet_queue WHERE seq IN "
                "(SELECT seq FROM fleet_queue ORDER BY seq LIMIT ?)",
                (over,),
            )
            c.execute("UPDATE fleet_membership SET dropped = dropped + ? WHERE id = 1", (over,))
    if over:
        log.warning(
            "fleet queue full (%d): the %d oldest report(s) were dropped, never sent",
            limit,
            over,
        )
    return over


def queued(store: Store, limit: int | None = None) -> list[QueuedReport]:
    sql = "SELECT seq, report_id, body, queued_at FROM fleet_queue ORDER BY seq"
    rows = store.conn.execute(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
    return [QueuedReport(r[0], r[1], r[2].encode("utf-8"), r[3]) for r in rows.fetchall()]


def queue_length(store: Store) -> int:
    (n,) = store.conn.execute("SELECT count(*) FROM fleet_queue").fetchone()
    return int(n)


def oldest_queued_at(store: Store) -> str | None:
    row = store.conn.execute("SELECT queued_at FROM fleet_queue ORDER BY seq LIMIT 1").fetchone()
    return str(row[0]) if row else None


def remove(store: Store, report_id: str) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM fleet_queue WHERE report_id = ?", (report_id,))


def mark_delivered(store: Store, report_ids: list[str], last_body: bytes) -> None:
    """Reports the server acknowledged: out of the queue, counted, the back-off reset, in one
    transaction (a crash before it only means they are sent again: the server answers 200)."""
    if not report_ids:
        return
    marks = ",".join("?" * len(report_ids))
    with store.transaction() as c:
        c.execute(f"DELETE FROM fleet_queue WHERE report_id IN ({marks})", report_ids)
        c.execute(
            "UPDATE fleet_membership SET delivered = delivered + ?, last_delivery_at = ?, "
            "failures = 0, next_attempt_at = 0, last_report = ? WHERE id = 1",
            (len(report_ids), utcnow(), last_body.decode("utf-8")),
        )


def clear_queue(store: Store) -> int:
    with store.transaction() as c:
        cur = c.execute("DELETE FROM fleet_queue")
        return int(cur.rowcount or 0)


def body_of(report: dict[str, Any]) -> bytes:
    """The exact bytes sent for a report (compact, sorted keys, UTF-8)."""
    return json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
