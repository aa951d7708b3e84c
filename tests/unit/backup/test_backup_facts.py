"""Facts from the recorded state (pure derivation, mount history, provider when not set up)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import ReplayRunner, fixture_text
from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.model import AuditResult, Fact, FactState, Score
from hygie.backup import state
from hygie.backup.destinations import Destination
from hygie.backup.facts import DestinationState, backup_state, derive_facts
from hygie.store import Store, open_store

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
DISK = Destination("disque", "local", "/media/a/CAB/h", True, "5E2A-91C4", "CAB", "h")
DISK2 = Destination("disque-2", "local", "/media/a/MAISON/h", True, "7F10-33AB", "MAISON", "h")
S3_HDS = Destination("s3", "s3", "s3:https://s3.gra.io.cloud.ovh.net/cabinet")
S3_OTHER = Destination("s3", "s3", "s3:https://s3.us-east-1.amazonaws.com/cabinet")
LOCAL_S3 = Destination("s3", "s3", "s3:http://127.0.0.1:9000/b")


def ago(days: float) -> str:
    return (NOW - dt.timedelta(days=days)).isoformat(timespec="seconds")


def facts(states: list[DestinationState]) -> dict[str, object]:
    out = {}
    for f in derive_facts(states, NOW, "0.14.0", "file"):
        out[f.key] = f.value if f.state is FactState.KNOWN else f.state
    return out


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (
            [
                DestinationState(DISK, ago(1), ago(2), True),
                DestinationState(S3_HDS, ago(1), ago(2), True),
            ],
            {
                "backup.exists": True,
                "backup.restore_tested": True,
                "backup.two_places": True,
                "backup.disconnected": True,
                "cloud.hds_certified": True,
            },
        ),
        (
            [DestinationState(DISK, ago(10), None, None, left_mounted=True)],
            {
                "backup.exists": False,
                "backup.restore_tested": False,
                "backup.two_places": False,
                "backup.disconnected": False,
                "backup.left_mounted": ["disque"],
                "cloud.hds_certified": FactState.UNKNOWN,
            },
        ),
        (
            [
                DestinationState(DISK, ago(1), ago(1), False),
                DestinationState(DISK2, ago(3), ago(5), True),
            ],
            {"backup.restore_tested": False, "backup.two_places": True},
        ),
        (
            [DestinationState(S3_OTHER, ago(1), ago(200), True)],
            {
                "backup.restore_tested": False,
                "cloud.hds_certified": False,
                "backup.disconnected": False,
                "backup.left_mounted": FactState.NOT_APPLICABLE,
            },
        ),
        (
            [DestinationState(LOCAL_S3, ago(1), ago(1), True)],
            {"cloud.hds_certified": FactState.UNKNOWN, "backup.encrypted": True},
        ),
    ],
)
def test_derive_facts(states: list[DestinationState], expected: dict[str, object]) -> None:
    got = facts(states)
    for key, value in expected.items():
        assert got[key] == value, key


@pytest.mark.parametrize(
    ("obs", "left"),
    [
        ([], False),
        ([("2026-11-28T09:00:00+00:00", True)], False),
        ([("2026-11-27T09:00:00+00:00", True), ("2026-11-28T09:00:00+00:00", True)], True),
        ([("2026-11-28T09:00:00+00:00", True), ("2026-11-28T11:00:00+00:00", True)], False),
        (
            [
                ("2026-11-26T09:00:00+00:00", True),
                ("2026-11-27T09:00:00+00:00", False),
                ("2026-11-28T09:00:00+00:00", True),
            ],
            False,
        ),
    ],
)
def test_left_mounted(obs: list[tuple[str, bool]], left: bool) -> None:
    assert state.left_mounted(obs) is left


def test_provider_when_not_set_up_leaves_questions_to_the_user() -> None:
    st = open_store()
    got = {f.key: f for f in backup_state(ProbeContext(store=st))}
    assert got["backup.exists"].state is FactState.UNKNOWN and got["backup.exists"].askable
    assert got["backup.restic_version"].state is FactState.NOT_APPLICABLE


def test_provider_from_recorded_state() -> None:
    st = open_store()
    cfg = state.BackupConfig(("/home/x/Documents",), (Destination("local", "local", "/srv/b"),))
    state.save_config(st, cfg)
    state.record_run(st, "local", "backup", ago(0), True, {"snapshot_id": "abc"})
    state.record_run(st, "local", "verify", ago(0), False, {}, "repository_corrupted")
    got = {f.key: f for f in backup_state(ProbeContext(store=st))}
    assert got["backup.exists"].value is True
    assert got["backup.restore_tested"].value is False
    assert got["backup.verify_state"].value == [
        {
            "name": "local",
            "ok": False,
            "age_days": got["backup.verify_state"].value[0]["age_days"],  # type: ignore[index]
            "damaged_since": None,
        }
    ]


def _audit_at(st: Store, when: dt.datetime, plugged: bool) -> dict[str, Fact]:
    """One audit's backup facts at ``when`` with the CABINET-1 disk plugged in or not (recorded
    lsblk output), the audit then recorded as the runner records it."""
    case = "usb-disk-mounted.txt" if plugged else "usb-disk-not-mounted.txt"
    runner = ReplayRunner({"lsblk": fixture_text("cmd", "linux", "lsblk", case), "findmnt": None})
    with proc.use_runner(runner):
        got = {f.key: f for f in backup_state(ProbeContext(store=st, now=when))}
    result = AuditResult(
        when.isoformat(timespec="seconds"), 0.1, "linux", "fr", "test", (),
        Score(None, 0, 0, 0), (), tuple(got.values()),
    )  # fmt: skip
    st.add_audit(result.to_dict())
    return got


def test_a_disk_left_plugged_in_is_seen_across_audits_without_the_probe_writing() -> None:
    disk = Destination(
        "disque", "local", "/media/infirmiere/CABINET-1/hygie", True, "5E2A-91C4", "CABINET-1"
    )
    st = open_store()
    state.save_config(st, state.BackupConfig(("/home/x/Documents",), (disk,)))
    first = _audit_at(st, NOW - dt.timedelta(hours=22), plugged=True)
    assert first["backup.removable_mounted"].value == {"disque": True}
    assert first["backup.left_mounted"].value == []  # one sighting is not "left plugged in"
    rows = st.conn.execute("SELECT COUNT(*) FROM backup_mounts").fetchone()[0]
    second = _audit_at(st, NOW, plugged=True)
    assert second["backup.left_mounted"].value == ["disque"]  # 22 h plugged in at two audits
    third = _audit_at(st, NOW + dt.timedelta(hours=1), plugged=False)
    assert third["backup.removable_mounted"].value == {"disque": False}
    assert third["backup.left_mounted"].value == []  # unplugged now: the streak is broken
    assert st.conn.execute("SELECT COUNT(*) FROM backup_mounts").fetchone()[0] == rows == 0
