from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hygie.errors import StoreError
from hygie.store import Store, register_migrations


def test_store_is_private_and_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "d" / "s.sqlite3"
    s = Store(path)
    s.put_state("core", "k", {"a": 1})
    s.close()
    s2 = Store(path)
    assert s2.get_state("core", "k") == {"a": 1}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    versions = dict(s2.conn.execute("SELECT module, version FROM schema_versions").fetchall())
    assert versions["core"] == 1


def test_capability_migrations_are_append_only(tmp_path: Path) -> None:
    register_migrations("testcap", ["CREATE TABLE testcap_t (x INTEGER)"])
    s = Store(tmp_path / "s.sqlite3")
    s.conn.execute("INSERT INTO testcap_t VALUES (1)")
    with pytest.raises(ValueError):
        register_migrations("testcap", ["CREATE TABLE changed (y INTEGER)"])


def test_unwritable_store_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        Store(blocker / "sub" / "s.sqlite3")
    assert err.value.exit_code == 3
    assert "HYGIE_HOME" in err.value.hint()


def test_answers_round_trip(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.sqlite3")
    s.put_answer("backup.exists", "yes", "2026-01-01T00:00:00+00:00")
    s.put_answer("backup.exists", "no", "2026-02-01T00:00:00+00:00")
    assert s.answers() == {"backup.exists": ("no", "2026-02-01T00:00:00+00:00")}
    assert isinstance(s.conn, sqlite3.Connection)
