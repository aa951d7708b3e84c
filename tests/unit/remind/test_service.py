"""Delivery: once a day per reminder, snooze, quiet hours, dry run, per-OS commands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from hygie import proc
from hygie.audit.model import Fact
from hygie.platform.notify import notification_command, toast_xml
from hygie.remind import UnknownReminder, banner, remind, snooze
from hygie.remind.errors import RemindConfigError
from hygie.store import Store, open_store

K = Fact.known
PARIS = dt.timezone(dt.timedelta(hours=1))
DAY1 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)

MISSED = {
    "backup.destinations": K(
        "backup.destinations",
        [
            {
                "name": "disque",
                "removable": True,
                "offsite": False,
                "last_success_age_days": 5.0,
                "last_error": None,
            }
        ],
        "t",
    ),
    "backup.verify_state": K(
        "backup.verify_state", [{"name": "disque", "ok": True, "age_days": 40.0}], "t"
    ),
}


class Desktop:
    """Records the notification commands hygie runs (the desktop of these tests)."""

    def __init__(self, rc: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.rc = rc

    def __call__(
        self,
        args: Sequence[str],
        timeout: float,
        env: Mapping[str, str] | None,
        stdin: str | None,
    ) -> proc.Completed:
        self.calls.append(list(args))
        return proc.Completed(tuple(args), self.rc, "", "" if self.rc == 0 else "no D-Bus")


@pytest.fixture
def store(hygie_home: Path) -> Store:
    return open_store()


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Desktop:
    monkeypatch.setenv("HYGIE_PLATFORM", "linux")
    d = Desktop()
    with proc.use_runner(d):
        yield d


def run(store: Store, now: dt.datetime, config: dict[str, object] | None = None, **kw: object):
    return remind(store=store, config=config or {}, facts=MISSED, now=now, **kw)  # type: ignore[arg-type]


def test_each_reminder_once_a_day(store: Store, desktop: Desktop) -> None:
    first = run(store, DAY1)
    assert set(first.notified) == {"backup.stale:disque", "restore.overdue:disque"}
    assert len(desktop.calls) == 2
    assert desktop.calls[0][0] == "notify-send"
    # the same day, later: nothing new on the desktop
    again = run(store, DAY1 + dt.timedelta(hours=10))
    assert again.notified == ()
    assert {r.status for r in again.reminders} == {"sent_today"}
    assert len(desktop.calls) == 2
    # the next morning: once more
    nxt = run(store, DAY1 + dt.timedelta(days=1))
    assert len(nxt.notified) == 2
    assert len(desktop.calls) == 4


def test_a_day_is_the_local_day(store: Store, desktop: Desktop) -> None:
    run(store, dt.datetime(2026, 11, 30, 23, 30, tzinfo=PARIS))
    after_midnight = run(store, dt.datetime(2026, 12, 1, 0, 30, tzinfo=PARIS))
    assert len(after_midnight.notified) == 2


def test_snooze_one_day_then_back(store: Store, desktop: Desktop) -> None:
    run(store, DAY1)
    until = snooze(store=store, key="backup.stale:disque", days=1, now=DAY1)
    assert until.startswith("2026-12-01T09:00")
    next_morning_early = run(store, DAY1 + dt.timedelta(hours=20))
    states = {r.key: r.status for r in next_morning_early.reminders}
    assert states["backup.stale:disque"] == "snoozed"
    assert next_morning_early.notified == ("restore.overdue:disque",)
    later = run(store, DAY1 + dt.timedelta(days=1, hours=1))
    assert "backup.stale:disque" in later.notified


def test_snooze_a_week_and_bad_snoozes(store: Store, desktop: Desktop) -> None:
    until = snooze(store=store, key="restore.overdue:disque", days=7, now=DAY1)
    assert until.startswith("2026-12-07")
    with pytest.raises(ValueError):
        snooze(store=store, key="restore.overdue:disque", days=3, now=DAY1)
    with pytest.raises(UnknownReminder):
        snooze(store=store, key="rm -rf", days=1, now=DAY1)
    with pytest.raises(UnknownReminder):
        snooze(store=store, key="backup.stale:" + "x" * 500, days=1, now=DAY1)


def test_quiet_hours_hold_back_until_morning(store: Store, desktop: Desktop) -> None:
    cfg = {"remind": {"quiet_hours": "20:00-08:00"}}
    night = run(store, dt.datetime(2026, 11, 30, 22, 0, tzinfo=PARIS), cfg)
    assert night.notified == ()
    assert {r.status for r in night.reminders} == {"quiet"}
    assert desktop.calls == []
    morning = run(store, dt.datetime(2026, 12, 1, 8, 0, tzinfo=PARIS), cfg)
    assert len(morning.notified) == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"quiet_hours": "20h-8h"},
        {"quiet_hours": "25:00-08:00"},
        {"desktop": "non"},
        {"backup_days_local": "deux"},
    ],
)
def test_bad_remind_config_is_a_clear_error(
    store: Store, desktop: Desktop, bad: dict[str, object]
) -> None:
    with pytest.raises(RemindConfigError) as err:
        run(store, DAY1, {"remind": bad})
    assert "Réglage de rappel incorrect" in str(err.value)
    assert next(iter(bad)) in str(err.value)


def test_desktop_off_keeps_the_banner(store: Store, desktop: Desktop) -> None:
    res = run(store, DAY1, {"remind": {"desktop": False}})
    assert res.notified == ()
    assert {r.status for r in res.reminders} == {"desktop_off"}
    assert desktop.calls == []


def test_dry_run_notifies_and_writes_nothing(store: Store, desktop: Desktop) -> None:
    res = run(store, DAY1, dry_run=True)
    assert {r.status for r in res.reminders} == {"notify"}
    assert desktop.calls == []
    assert store.get_state("remind", "state") is None
    assert len(run(store, DAY1).notified) == 2


def test_a_failed_notification_is_retried(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIE_PLATFORM", "linux")
    broken = Desktop(rc=1)
    with proc.use_runner(broken):
        res = run(store, DAY1)
    assert res.notified == ()
    assert {k for k, _why in res.failed} == {"backup.stale:disque", "restore.overdue:disque"}
    ok = Desktop()
    with proc.use_runner(ok):
        assert len(run(store, DAY1 + dt.timedelta(minutes=5)).notified) == 2


def test_updates_need_a_week_of_being_seen(store: Store, desktop: Desktop) -> None:
    pending = {"updates.security_pending": K("updates.security_pending", 4, "t")}
    day = DAY1
    assert remind(store=store, config={}, facts=pending, now=day).reminders == ()
    six = remind(store=store, config={}, facts=pending, now=day + dt.timedelta(days=6))
    assert six.reminders == ()
    seven = remind(store=store, config={}, facts=pending, now=day + dt.timedelta(days=7))
    assert seven.notified == ("updates.pending",)
    # installed, then pending again: the week starts over
    remind(store=store, config={}, facts={}, now=day + dt.timedelta(days=8))
    again = remind(store=store, config={}, facts=pending, now=day + dt.timedelta(days=9))
    assert again.reminders == ()


def test_banner_reads_the_last_audit_and_hides_snoozed(store: Store, desktop: Desktop) -> None:
    assert banner(store=store, config={}, now=DAY1) == []  # no audit yet: nothing asserted
    store.add_audit(
        {
            "started_at": DAY1.isoformat(),
            "score": {"value": 60},
            "critical": False,
            "measures": [],
            "facts": [f.to_dict() for f in MISSED.values()],
        }
    )
    shown = banner(store=store, config={}, now=DAY1)
    assert {r.key for r in shown} == {"backup.stale:disque", "restore.overdue:disque"}
    snooze(store=store, key="backup.stale:disque", days=7, now=DAY1)
    assert {r.key for r in banner(store=store, config={}, now=DAY1)} == {"restore.overdue:disque"}
    assert desktop.calls == []  # the banner never notifies


# -- the command each OS runs (recorded command lines) ------------------------------------


def test_linux_command() -> None:
    argv = notification_command("linux", "Titre", "Faites ceci", urgent=True)
    assert argv == [
        "notify-send",
        "--app-name=hygie",
        "--urgency=critical",
        "--icon=dialog-warning",
        "--",
        "Titre",
        "Faites ceci",
    ]


def test_windows_toast_escapes_the_texts() -> None:
    argv = notification_command("windows", "L'antivirus <vieux>", "A & B", urgent=False)
    assert argv is not None and argv[0] == "powershell"
    assert "-NoProfile" in argv and "-NonInteractive" in argv
    script = argv[-1]
    assert "ToastNotificationManager" in script and "CreateToastNotifier" in script
    # XML-escaped, then the single quote doubled for PowerShell
    assert "L''antivirus &lt;vieux&gt;" in script
    assert "A &amp; B" in script
    assert "<vieux>" not in script


def test_toast_xml_is_well_formed() -> None:
    import xml.dom.minidom

    doc = xml.dom.minidom.parseString(toast_xml("« Titre » & <b>", "ligne\u00a02"))
    texts = [n.firstChild.data for n in doc.getElementsByTagName("text")]  # type: ignore[union-attr]
    assert texts == ["« Titre » & <b>", "ligne\u00a02"]


def test_macos_osascript_takes_texts_as_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc, "which", lambda name: None)
    argv = notification_command("darwin", 'Titre "x"', "Corps", urgent=False)
    assert argv is not None and argv[0] == "osascript"
    assert argv[-2:] == ['Titre "x"', "Corps"]
    assert all('Titre "x"' not in a for a in argv[:-2])  # never pasted into the script


def test_macos_prefers_terminal_notifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc, "which", lambda name: "/opt/homebrew/bin/terminal-notifier")
    argv = notification_command("darwin", "T", "B", urgent=False)
    assert argv == [
        "/opt/homebrew/bin/terminal-notifier",
        "-title",
        "T",
        "-message",
        "B",
        "-group",
        "hygie",
    ]


def test_cli_json_and_dry_run(hygie_home: Path) -> None:
    """The real command: a fresh home has a kit and a drill to do, nothing is sent in dry run."""
    env = {"HYGIE_HOME": str(hygie_home), "HYGIE_KEYRING": "file", "PATH": "/usr/bin:/bin"}
    cp = subprocess.run(
        [sys.executable, "-m", "hygie", "remind", "--json", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert cp.returncode == 1, cp.stderr
    doc = json.loads(cp.stdout)
    assert doc["schema"] == "hygie.remind/1"
    keys = {r["key"] for r in doc["data"]["reminders"]}
    assert {"kit.overdue", "drill.overdue"} <= keys
    assert doc["data"]["notified"] == []
    assert "Traceback" not in cp.stderr


def test_two_runs_at_once_notify_once(store: Store, desktop: Desktop, hygie_home: Path) -> None:
    """The schedule's run and the login run meet: still one notification per reminder."""
    import threading

    stores = [open_store() for _ in range(4)]
    barrier = threading.Barrier(len(stores))

    def one(s: Store) -> None:
        barrier.wait()
        remind(store=s, config={}, facts=MISSED, now=DAY1)

    threads = [threading.Thread(target=one, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(desktop.calls) == 2  # two reminders, each once
