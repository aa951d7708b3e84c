"""The local store: one SQLite file in the data folder, shared by every capability.

Each capability declares its own tables as a list of migrations under its name
(:func:`register_migrations`); the store applies the missing ones when it opens. Values are
JSON documents that never hold a patient identifier (privacy rules, DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hygie.errors import StoreError

_MIGRATIONS: dict[str, list[str]] = {
    "core": [
        """
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            score INTEGER,
            critical INTEGER NOT NULL,
            statuses TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX audits_started ON audits(started_at);
        CREATE TABLE answers (
            fact TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            answered_at TEXT NOT NULL
        );
        CREATE TABLE state (
            module TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (module, key)
        );
        """
    ]
}


# Registration happens at import time of a capability module, which may be in another thread
# (an audit provider importing its capability) while a store is being opened: registration and
# the reading of the table are serialised, and a store applies a complete snapshot.
_REGISTRY_LOCK = threading.Lock()
_MIGRATE_LOCK = threading.RLock()


def _lost_race(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "already exists" in text or "schema has changed" in text


def register_migrations(module: str, statements: Sequence[str]) -> None:
    """Declare a capability's tables; migrations are append-only (never edit a shipped one)."""
    with _REGISTRY_LOCK:
        existing = list(_MIGRATIONS.get(module, []))
        for i, stmt in enumerate(statements):
            if i < len(existing):
                if existing[i] != stmt:
                    raise ValueError(f"migration {module}#{i} changed")
            else:
                existing.append(stmt)
        _MIGRATIONS[module] = existing  # replaced whole: a snapshot never sees half of it


def registered_migrations() -> dict[str, tuple[str, ...]]:
    """A consistent snapshot of every registered migration (registration finished)."""
    with _REGISTRY_LOCK:
        return {m: tuple(stmts) for m, stmts in _MIGRATIONS.items()}


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            from hygie.fileio import private_dir

            private_dir(path.parent)  # the parents it creates are owner-only too
            self.conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
            self._setup_connection()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(path=str(path), detail=str(exc)) from exc
        with suppress(OSError):
            path.chmod(0o600)

    def _setup_connection(self) -> None:
        # Several providers may open a brand-new store at the same moment; SQLite answers
        # "database is locked" at once (no busy wait) to some of them: try again shortly.
        for attempt in range(10):
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA foreign_keys=ON")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _migrate(self) -> None:
        # Threads of this process migrate one at a time (several audit providers open a
        # brand-new store at once); other processes are met by the retry below.
        with _MIGRATE_LOCK:
            with self.conn:
                self.conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_versions "
                    "(module TEXT PRIMARY KEY, version INTEGER NOT NULL)"
                )
            for attempt in range(5):
                try:
                    self._apply_migrations()
                    return
                except sqlite3.OperationalError as exc:
                    # Another process opened the store at the same moment and applied this
                    # migration first: read the versions again.
                    if not _lost_race(exc) or attempt == 4:
                        raise
                    time.sleep(0.05 * (attempt + 1))

    def migrate(self) -> None:
        """Apply migrations registered since this store was opened (a capability imported
        later)."""
        try:
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(path=str(self.path), detail=str(exc)) from exc

    def _apply_migrations(self) -> None:
        for module, statements in registered_migrations().items():
            row = self.conn.execute(
                "SELECT version FROM schema_versions WHERE module = ?", (module,)
            ).fetchone()
            done = row[0] if row else 0
            for i in range(done, len(statements)):
                # the schema change and its version in one transaction
                name = module.replace("'", "''")
                with self.conn:
                    self.conn.executescript(
                        "BEGIN IMMEDIATE;"
                        + statements[i]
                        + ";INSERT INTO schema_versions(module, version) "
                        + f"VALUES ('{name}', {i + 1}) "
                        + "ON CONFLICT(module) DO UPDATE SET version = excluded.version;COMMIT;"
                    )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.conn:
                yield self.conn
        except sqlite3.Error as exc:
            raise StoreError(path=str(self.path), detail=str(exc)) from exc

    # -- generic module state (small JSON values) -------------------------------------
    def put_state(self, module: str, key: str, value: Any) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO state(module, key, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(module, key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (module, key, json.dumps(value), utcnow()),
            )

    def get_state(self, module: str, key: str, default: Any = None) -> Any:
        row = self.conn.execute(
            "SELECT value FROM state WHERE module = ? AND key = ?", (module, key)
        ).fetchone()
        return json.loads(row[0]) if row else default

    def state_items(self, module: str, prefix: str = "") -> list[tuple[str, Any, str]]:
        """(key, value, updated_at) of a module's state whose key starts with ``prefix``,
        most recently updated first."""
        rows = self.conn.execute(
            "SELECT key, value, updated_at FROM state WHERE module = ? AND substr(key, 1, ?) = ? "
            "ORDER BY updated_at DESC, key",
            (module, len(prefix), prefix),
        ).fetchall()
        out = []
        for key, value, updated in rows:
            try:
                out.append((key, json.loads(value), updated))
            except ValueError:
                continue
        return out

    # -- questionnaire answers ---------------------------------------------------------
    def put_answer(self, fact: str, value: str, answered_at: str | None = None) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO answers(fact, value, answered_at) VALUES (?, ?, ?) "
                "ON CONFLICT(fact) DO UPDATE SET value = excluded.value, "
                "answered_at = excluded.answered_at",
                (fact, value, answered_at or utcnow()),
            )

    def answers(self) -> dict[str, tuple[str, str]]:
        rows = self.conn.execute("SELECT fact, value, answered_at FROM answers").fetchall()
        return {f: (v, a) for f, v, a in rows}

    # -- audit history -----------------------------------------------------------------
    def add_audit(self, document: dict[str, Any]) -> int:
        statuses = {m["id"]: m["status"] for m in document["measures"]}
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO audits(started_at, score, critical, statuses, document) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    document["started_at"],
                    document["score"]["value"],
                    int(bool(document["critical"])),
                    json.dumps(statuses),
                    json.dumps(document),
                ),
            )
            return int(cur.lastrowid or 0)

    def last_audit(self) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, started_at, score, statuses FROM audits ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return {"id": row[0], "started_at": row[1], "score": row[2], "statuses": json.loads(row[3])}

    def audit_history(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, started_at, score, critical, statuses FROM audits ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "id": r[0],
                "started_at": r[1],
                "score": r[2],
                "critical": bool(r[3]),
                "statuses": json.loads(r[4]),
            }
            for r in rows
        ]

    def audit_facts(self, key: str, limit: int = 50) -> list[tuple[int, str, dict[str, Any]]]:
        """``(id, started_at, fact)`` for each fact ``key`` in the last ``limit`` audits, oldest
        first: SQLite's JSON functions pick the fact out of each document (a full document is
        tens of KiB; parsing fifty of them in Python costs a weak laptop a second)."""
        rows = self.conn.execute(
            "SELECT a.id, a.started_at, f.value FROM "
            "(SELECT id, started_at, document FROM audits ORDER BY id DESC LIMIT ?) AS a, "
            "json_each(a.document, '$.facts') AS f "
            "WHERE json_extract(f.value, '$.key') = ? ORDER BY a.id",
            (limit, key),
        ).fetchall()
        return [(int(r[0]), str(r[1]), json.loads(r[2])) for r in rows]

    def audit_document(self, audit_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT document FROM audits WHERE id = ?", (audit_id,)).fetchone()
        return json.loads(row[0]) if row else None


def open_store(path: Path | None = None) -> Store:
    from hygie.paths import get_paths

    return Store(path or get_paths().store_file)
