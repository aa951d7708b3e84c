"""The fleet schema's versioned migrations: ``migrations/NNNN_name.sql``, applied in order.

Each file runs in its own transaction and is recorded in ``fleet_migration`` in that same
transaction, so a failed migration leaves the database at the previous version, whole. A
session advisory lock serialises runners: two servers starting together, or ``fleet init``
next to a running server, migrate once. After the files, every run (idempotent) fills the
``measure`` table from the catalogue (new measures get the next positions, existing ones keep
theirs) and makes sure the monthly report partitions exist 13 months back and 3 ahead.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from hygie.audit import measure_ids
from hygie.fleet.errors import FleetMigrationFailed, FleetSchemaTooNew

log = logging.getLogger("hygie.fleet.server.migrate")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# pg_advisory_lock keys (bigint): "hygie fleet migrate" / "... partitions"
MIGRATE_LOCK = 0x6879_6769_6501
PARTITIONS_LOCK = 0x6879_6769_6502
MONTHS_BACK = 13
MONTHS_AHEAD = 3

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass
class MigrationResult:
    """What a run did: the schema version reached and the migrations applied now."""

    version: int
    applied: list[str] = field(default_factory=list)
    measures_added: int = 0
    partitions_created: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": self.version,
            "applied": self.applied,
            "measures_added": self.measures_added,
            "partitions_created": self.partitions_created,
        }


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files, in version order (a duplicate number is a packaging bug).

    A gap is tolerated (numbers are reserved per piece of work, and one may land before
    another): the runner applies every migration the database has not recorded, in order, so
    a lower number arriving later is still applied.
    """
    found = []
    for path in directory.glob("*.sql"):
        m = _NAME.match(path.name)
        if m:
            found.append(Migration(int(m.group(1)), path.stem, path))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions) or not versions or versions[0] != 1:
        raise RuntimeError(f"fleet migrations must start at 0001, one file per number: {versions}")
    return found


def latest_version() -> int:
    return available()[-1].version


def applied_versions(conn: Conn) -> set[int]:
    """The migrations recorded in the database (empty: nothing applied yet)."""
    row = conn.execute("SELECT to_regclass('fleet_migration') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM fleet_migration")}  # type: ignore[call-overload]


def current_version(conn: Conn) -> int:
    """The database's schema version: its highest applied migration (0: none)."""
    return max(applied_versions(conn), default=0)


def migrate(
    conn: Conn,
    *,
    target: int | None = None,
    now: dt.datetime | None = None,
    directory: Path = MIGRATIONS_DIR,
) -> MigrationResult:
    """Bring the schema to ``target`` (default: the latest); idempotent; ``conn`` autocommit.

    Raises :class:`FleetSchemaTooNew` when the database is ahead of this hygie, and
    :class:`FleetMigrationFailed` (that migration rolled back) when one fails.
    """
    if not conn.autocommit:
        raise ValueError("migrate() needs an autocommit connection (one transaction per file)")
    migrations = available(directory)
    known = {mig.version for mig in migrations}
    target = migrations[-1].version if target is None else target
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS fleet_migration ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = applied_versions(conn)
        unknown = sorted(done - known)
        if unknown and unknown[-1] > migrations[-1].version:
            raise FleetSchemaTooNew(found=unknown[-1], known=migrations[-1].version)
        result = MigrationResult(version=max(done, default=0))
        for mig in migrations:
            if mig.version in done or mig.version > target:
                continue
            try:
                with conn.transaction():
                    conn.execute(mig.sql().encode("utf-8"))
                    conn.execute(
                        "INSERT INTO fleet_migration (version, name) VALUES (%s, %s)",
                        (mig.version, mig.name),
                    )
            except psycopg.Error as exc:
                log.error("migration %s failed", mig.name, exc_info=exc)
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise FleetMigrationFailed(
                    name=mig.name, version=result.version, reason=reason
                ) from exc
            log.info("fleet schema: applied %s", mig.name)
            result.applied.append(mig.name)
            result.version = max(result.version, mig.version)
        if result.version >= 1:
            result.measures_added = sync_measures(conn)
            result.partitions_created = ensure_partitions(conn, now=now)
        return result
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))


def sync_measures(conn: Conn) -> int:
    """Give each catalogue measure a position in ``report.statuses`` (existing ones keep theirs)."""
    with conn.transaction():
        known = {str(r[0]) for r in conn.execute("SELECT measure_id FROM measure")}
        row = conn.execute("SELECT coalesce(max(position), 0) FROM measure").fetchone()
        position = int(row[0]) if row else 0  # type: ignore[call-overload]
        added = 0
        for mid in measure_ids():
            if mid not in known:
                position += 1
                conn.execute(
                    "INSERT INTO measure (position, measure_id) VALUES (%s, %s)", (position, mid)
                )
                added += 1
    return added


def _month(day: dt.date, delta: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def ensure_partitions(conn: Conn, *, now: dt.datetime | None = None) -> int:
    """Create the missing monthly partitions 13 months back and 3 ahead; how many were made."""
    today = (now or dt.datetime.now(dt.UTC)).date()
    first, last = _month(today, -MONTHS_BACK), _month(today, MONTHS_AHEAD)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))
        row = conn.execute("SELECT fleet_ensure_partitions(%s, %s)", (first, last)).fetchone()
    made = int(row[0]) if row else 0  # type: ignore[call-overload]
    if made:
        log.info("fleet schema: %d monthly report partition(s) created", made)
    return made
