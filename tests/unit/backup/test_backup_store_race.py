"""Providers open the store from several threads at once on a fresh HYGIE_HOME: the
migrations must not race (found when the backup provider joined mail's)."""

from __future__ import annotations

import concurrent.futures as cf
import shutil
import threading

import hygie.backup.state  # noqa: F401  (registers the backup tables)
from hygie.paths import get_paths
from hygie.store import Store, open_store


def test_concurrent_first_opens_apply_each_migration_once() -> None:
    for _round in range(15):
        shutil.rmtree(get_paths().data_dir, ignore_errors=True)
        barrier = threading.Barrier(6)

        def first_open(_i: int, barrier: threading.Barrier = barrier) -> Store:
            barrier.wait()
            return open_store()

        with cf.ThreadPoolExecutor(max_workers=6) as pool:
            stores = list(pool.map(first_open, range(6)))
        versions = dict(stores[0].conn.execute("SELECT module, version FROM schema_versions"))
        assert versions["backup"] == 1 and versions["core"] == 1
        for st in stores:
            st.close()
