"""End to end, nothing opened by the nurse: the backup disk is not plugged in at the scheduled
time → the real ``hygie backup run`` fails → ``remind`` (what the schedule runs next) gathers
the audit's facts and shows ONE French desktop notification through the real notify-send and
a real D-Bus session bus; the dashboard's banner says the same.

The external disk is a real ext4 filesystem loop-mounted in tmp_path (needs root and loop
devices; skipped otherwise), as in tests/integration/backup/test_backup_disk.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from hygie import backup, proc
from hygie.secrets import get_secret, set_secret
from tests.integration.backup.test_backup_disk import make_disk, mount, mounts
from tests.integration.remind.test_notify_send import NotificationService, session_bus

pytestmark = pytest.mark.integration
__all__ = ["mounts", "session_bus"]  # fixtures, imported for this module's tests


def test_disk_absent_at_the_scheduled_backup_gives_one_notification_and_a_banner(
    mounts: list[Path],
    session_bus: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hygie.audit.service import audit
    from hygie.remind import banner, remind
    from hygie.store import open_store

    monkeypatch.setenv("HYGIE_PLATFORM", "linux")
    source = tmp_path / "Documents"
    source.mkdir()
    (source / "transmissions.txt").write_text("tournée du matin\n", encoding="utf-8")
    # the repository is made on a staging folder, then becomes the disk's content
    staging = tmp_path / "staging"
    staging.mkdir()
    backup.setup([str(source)], [str(staging / "sauvegarde")], pdf=False)
    assert backup.run().ok
    label = "HYG" + uuid.uuid4().hex[:8].upper()
    disk = make_disk(tmp_path, label, staging)
    where = tmp_path / "media" / label
    mount(disk, where, mounts)
    set_secret(backup.password_secret("disque"), get_secret(backup.password_secret("local")) or "")
    res = backup.setup([str(source)], [str(where / "sauvegarde")], removable=True, pdf=False)
    assert res.destinations[0].removable
    # the practice's only destination is the disk; the nurse unplugs it and forgets it
    store = open_store()
    proc.run(["umount", str(where)], timeout=30)
    outcome = backup.run()
    assert not outcome.ok
    assert [o.status for o in outcome.outcomes] != ["ok"]

    service = NotificationService(session_bus)
    try:
        first = remind(store=store, config={})  # what the schedule runs after the backup
        assert service.got.wait(10)
        again = remind(store=store, config={})  # the login run, the same day
    finally:
        service.close()
    assert "backup.disk_absent:disque" in first.notified
    assert "backup.disk_absent:disque" not in again.notified
    summaries = [c[3] for c in service.calls]
    assert summaries.count("Branchez le disque de sauvegarde « disque »") == 1
    # the next bilan (or the dashboard's) shows the same reminder on the overview
    audit()
    shown = {r.key for r in banner(store=store, config={}, now=dt.datetime.now().astimezone())}
    assert "backup.disk_absent:disque" in shown
