from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hygie.errors import StoreError
from hygie.store import Store, open_store, register_migrations


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


def test_concurrent_first_opens_while_capabilities_register(tmp_path: Path) -> None:
    """Issue #14: the first audit on a fresh home showed M04 "erreur de la sonde :
    RuntimeError" — probes open the store from threads while another thread's import registers
    a capability's migrations (the table was modified while being iterated)."""
    import threading
    import time

    from hygie import store as store_mod

    errors: list[BaseException] = []
    start = threading.Barrier(12)
    openers_done = threading.Event()
    counts: dict[int, int] = {}
    saved = {k: list(v) for k, v in store_mod._MIGRATIONS.items()}

    def opener(i: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                s = open_store(tmp_path / "fresh.sqlite3")
                s.put_state("t", f"k{i}", i)
                s.close()
        except BaseException as exc:
            errors.append(exc)

    def registrar(i: int) -> None:
        try:
            start.wait()
            j = 0
            while (not openers_done.is_set() or j < 40) and j < 40:
                register_migrations(f"cap{i}_{j}", [f"CREATE TABLE cap{i}_{j} (x INTEGER)"])
                j += 1
                time.sleep(0.002)  # registrations spread over the openers' work
            counts[i] = j
        except BaseException as exc:
            errors.append(exc)

    try:
        openers = [threading.Thread(target=opener, args=(i,)) for i in range(8)]
        registrars = [threading.Thread(target=registrar, args=(i,)) for i in range(4)]
        for t in openers + registrars:
            t.start()
        for t in openers:
            t.join()
        openers_done.set()
        for t in registrars:
            t.join()
        assert errors == []
        # everything registered is applied by the next open, each table once
        s = open_store(tmp_path / "fresh.sqlite3")
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
        s.close()
        assert {f"cap{i}_{j}" for i in range(4) for j in range(counts[i])} <= names
    finally:
        store_mod._MIGRATIONS.clear()
        store_mod._MIGRATIONS.update(saved)


def test_state_items_by_prefix(tmp_path: Path) -> None:
    s = open_store(tmp_path / "s.sqlite3")
    try:
        s.put_state("incident", "journal:a", {"seq": 1})
        s.put_state("incident", "journal:b", {"seq": 2})
        s.put_state("incident", "kit", {"x": 1})
        s.put_state("other", "journal:c", 3)
        items = s.state_items("incident", "journal:")
        assert sorted(k for k, _v, _u in items) == ["journal:a", "journal:b"]
        assert {k: v for k, v, _u in items}["journal:b"] == {"seq": 2}
        assert s.state_items("incident", "journal%") == []  # a prefix, not a LIKE pattern
    finally:
        s.close()
