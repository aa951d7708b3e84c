"""Probes read, never write: a real ``hygie audit`` adds its own result to the audit history
and changes nothing else in the store (issue #15).

The home holds the state of the capabilities the audit reads (a backup with a removable
destination and runs, a mail exposure with a finding, the incident kit and a drill, a
questionnaire answer; the media table exists, empty); the real CLI audits it twice as the
nurse would. Between the two audits every table but ``audits`` — rows and schema — must stay
the same to the byte.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mailtools import VALID_NIR, make_message

pytestmark = pytest.mark.integration

HYGIE = str(Path(sys.executable).with_name("hygie"))


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_HOME": str(home), "HYGIE_KEYRING": "file", "HYGIE_LANG": "fr"}
    return subprocess.run(
        [HYGIE, *args], capture_output=True, text=True, env=env, timeout=180, check=False
    )


def _snapshot(db: Path) -> tuple[dict[str, list[tuple[object, ...]]], list[tuple[object, ...]]]:
    """Every table's rows (``audits`` apart) and the whole schema."""
    with sqlite3.connect(db) as c:
        schema = c.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [r[1] for r in schema if r[0] == "table" and not r[1].startswith("sqlite_")]
        rows = {
            t: c.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()
            for t in tables
            if t != "audits"
        }
    return rows, schema


def _audits(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT COUNT(*) FROM audits").fetchone()[0])


def _seed(home: Path, tmp_path: Path) -> None:
    """Capability state written by the capabilities themselves (no audit involved)."""
    code = f"""
from hygie.backup import BackupConfig, Destination
from hygie.backup.state import record_run, save_config, record_mount
from hygie.incident.state import record_drill, record_kit
from hygie.store import open_store
st = open_store()
disk = Destination("disque", "local", {str(tmp_path / "disque" / "hygie")!r}, True, "5E2A-91C4",
                   "CABINET-1", "hygie")
save_config(st, BackupConfig(({str(tmp_path / "docs")!r},), (disk,)))
record_run(st, "disque", "backup", "2026-11-29T08:00:00+00:00", True, {{}})
record_run(st, "disque", "verify", "2026-11-29T08:10:00+00:00", True, {{}})
record_mount(st, "disque", True, "run")
record_kit(["pdf"], with_password=False, store=st)
record_drill(completed=True, store=st)
st.put_answer("ecps.ready", "yes")
st.close()
"""
    env = {**os.environ, "HYGIE_HOME": str(home), "HYGIE_KEYRING": "file"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    sent = tmp_path / "envoyes"
    sent.mkdir()
    (sent / "a.eml").write_bytes(make_message(to="dr.martin@gmail.com", body=f"NIR {VALID_NIR}"))
    assert _run(["mail", "exposure", str(sent)], home).returncode == 1


def test_the_audit_writes_only_its_own_history(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "disque" / "hygie").mkdir(parents=True)  # the removable disk, "plugged in"
    _seed(home, tmp_path)
    db = home / "data" / "hygie.sqlite3"
    first = _run(["audit", "--json"], home)
    assert first.returncode in (0, 1), first.stderr
    before, n = _snapshot(db), _audits(db)
    assert before[0]["backup_runs"] and before[0]["answers"], "the seeded state is there"
    second = _run(["audit", "--json"], home)
    assert second.returncode in (0, 1), second.stderr
    assert _audits(db) == n + 1  # the audit's own history, and nothing else:
    after = _snapshot(db)
    assert after[1] == before[1], "the audit changed the store's schema"
    changed = {t for t in before[0] if before[0][t] != after[0].get(t)}
    assert not changed, f"the audit wrote into {sorted(changed)}"
    doc = json.loads(second.stdout)["data"]
    facts = {f["key"]: f for f in doc["facts"]}
    # what the audit saw is in its own result, not in the backup's tables
    assert facts["backup.removable_mounted"]["state"] in ("known", "unknown")
    assert facts["backup.exists"]["value"] is True
