"""The mail capability's tables: relay counts per day and decision (never any content)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hygie.store import open_store, register_migrations

register_migrations(
    "mail",
    [
        """
        CREATE TABLE mail_relay_daily (
            day TEXT NOT NULL,
            decision TEXT NOT NULL,
            messages INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (day, decision)
        );
        """,
        """
        CREATE TABLE mail_quarantine_log (
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            item TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        """,
    ],
)

STATE_MODULE = "mail"
EXPOSURE_KEY = "exposure"


def ensure_tables() -> None:
    open_store().close()


def add_relay_counts(counts: dict[tuple[str, str], tuple[int, int]]) -> None:
    store = open_store()
    try:
        with store.transaction() as c:
            for (day, decision), (n, size) in counts.items():
                c.execute(
                    "INSERT INTO mail_relay_daily(day, decision, messages, bytes) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(day, decision) DO UPDATE SET "
                    "messages = messages + excluded.messages, bytes = bytes + excluded.bytes",
                    (day, decision, n, size),
                )
    finally:
        store.close()


def relay_counts(days: int = 30, *, today: dt.date | None = None) -> dict[str, Any]:
    """Messages per decision over the last ``days`` days, and the last day with traffic."""
    today = today or dt.datetime.now(dt.UTC).date()
    since = (today - dt.timedelta(days=days)).isoformat()
    store = open_store()
    try:
        rows = store.conn.execute(
            "SELECT decision, SUM(messages) FROM mail_relay_daily WHERE day >= ? GROUP BY decision",
            (since,),
        ).fetchall()
        last = store.conn.execute("SELECT MAX(day) FROM mail_relay_daily").fetchone()
    finally:
        store.close()
    by = {str(d): int(n) for d, n in rows}
    return {"days": days, "by_decision": by, "total": sum(by.values()), "last_day": last[0]}


def log_quarantine_action(action: str, item: str, detail: str = "") -> None:
    """Journal of what was done with quarantined mail (release, purge): ids and counts only."""
    store = open_store()
    try:
        with store.transaction() as c:
            c.execute(
                "INSERT INTO mail_quarantine_log(at, action, item, detail) VALUES (?, ?, ?, ?)",
                (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), action, item, detail),
            )
    finally:
        store.close()


def quarantine_log(limit: int = 100) -> list[dict[str, str]]:
    store = open_store()
    try:
        rows = store.conn.execute(
            "SELECT at, action, item, detail FROM mail_quarantine_log ORDER BY rowid DESC LIMIT ?",
            (limit,),
        ).fetchall()
    finally:
        store.close()
    return [{"at": a, "action": b, "item": c, "detail": d} for a, b, c, d in rows]


def save_exposure(summary: dict[str, Any]) -> None:
    store = open_store()
    try:
        store.put_state(STATE_MODULE, EXPOSURE_KEY, summary)
    finally:
        store.close()


def load_exposure() -> dict[str, Any] | None:
    store = open_store()
    try:
        v = store.get_state(STATE_MODULE, EXPOSURE_KEY)
    finally:
        store.close()
    return v if isinstance(v, dict) else None
