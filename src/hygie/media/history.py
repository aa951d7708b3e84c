"""The record of media runs in hygie's store: counts and verdicts, never content.

File names can identify a patient ("CR Dupont 1 85 12 ..."), so they are stored only as an
HMAC-SHA-256 with a per-install key kept with hygie's secrets: the same file gives the same
hash on this computer (to follow a file across runs), and nothing can be read back from it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from typing import Any

from hygie.store import Store, open_store, register_migrations, utcnow

register_migrations(
    "media",
    [
        """
        CREATE TABLE media_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            engine TEXT NOT NULL,
            files INTEGER NOT NULL,
            clean INTEGER NOT NULL,
            infected INTEGER NOT NULL,
            not_scanned INTEGER NOT NULL,
            engine_error TEXT,
            verdicts TEXT NOT NULL
        );
        CREATE INDEX media_runs_started ON media_runs(started_at);
        """
    ],
)

KEY_NAME = "media-name-hmac-key"


def name_key() -> bytes:
    from hygie.secrets import get_secret, set_secret

    value = get_secret(KEY_NAME)
    if not value:
        value = secrets.token_hex(32)
        set_secret(KEY_NAME, value)
    return bytes.fromhex(value)


def hash_name(name: str, key: bytes) -> str:
    raw = os.fsencode(name) if isinstance(name, str) else name
    return hmac.new(key, raw, hashlib.sha256).hexdigest()[:32]


def record_run(kind: str, run: Any, store: Store | None = None) -> int:
    """Record a scan/copy/watch run (``run`` is a ScanRun or has ``.scan``)."""
    scan = getattr(run, "scan", run)
    key = name_key()
    verdicts = [
        {
            "name_hmac": hash_name(f.rel or f.name, key),
            "verdict": f.verdict.value,
            "reason": f.reason.value if f.reason else None,
            "signature": f.signature or None,
            "size": f.size,
        }
        for f in scan.files
    ]
    counts = scan.counts
    engine = {
        k: scan.engine.get(k)
        for k in ("mode", "version", "signature_date", "signature_age_days", "signature_count")
    }
    own = store is None
    st = store or open_store()
    try:
        with st.transaction() as c:
            cur = c.execute(
                "INSERT INTO media_runs(kind, started_at, finished_at, engine, files, clean, "
                "infected, not_scanned, engine_error, verdicts) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    kind,
                    scan.started_at,
                    utcnow(),
                    json.dumps(engine),
                    len(scan.files),
                    counts["clean"],
                    counts["infected"],
                    counts["not_scanned"],
                    scan.engine_error or None,
                    json.dumps(verdicts),
                ),
            )
            rid = int(cur.lastrowid or 0)
        st.put_state("media", "engine", scan.engine)
        return rid
    finally:
        if own:
            st.close()


def recent_runs(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    try:
        rows = store.conn.execute(
            "SELECT id, kind, started_at, engine, files, clean, infected, not_scanned, "
            "engine_error FROM media_runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    except Exception:
        return []
    return [
        {
            "id": r[0],
            "kind": r[1],
            "started_at": r[2],
            "engine": json.loads(r[3]),
            "files": r[4],
            "clean": r[5],
            "infected": r[6],
            "not_scanned": r[7],
            "engine_error": r[8],
        }
        for r in rows
    ]


def run_verdicts(store: Store, run_id: int) -> list[dict[str, Any]]:
    row = store.conn.execute("SELECT verdicts FROM media_runs WHERE id = ?", (run_id,)).fetchone()
    return list(json.loads(row[0])) if row else []
