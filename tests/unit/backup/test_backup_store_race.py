"""Providers open the store from several threads at once on a fresh HYGIE_HOME: the
migrations must not race (found when the backup provider joined mail's)."""

from __future__ import annotations

import concurrent.futures as cf

import hygie.backup.state  # noqa: F401  (registers the backup tables)
from hygie.store import open_store


def test_concurrent_first_opens_apply_each_migration_once() -> None:
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        stores = list(pool.map(lambda _i: open_store(), range(8)))
    versions = dict(stores[0].conn.execute("SELECT module, version FROM schema_versions"))
    assert versions["backup"] == 1 and versions["core"] == 1
    for st in stores:
        st.close()
