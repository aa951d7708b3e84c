"""The real ``notify-send`` inside a D-Bus session bus this test starts.

The bus is a real ``dbus-daemon --session`` on a socket in tmp_path; the receiving end plays
the desktop's notification service (``org.freedesktop.Notifications``, the freedesktop
Desktop Notifications spec) with jeepney and records each ``Notify`` call. What is real:
hygie's command, libnotify's client and the D-Bus wire; what stands in: the desktop's bubble.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

if not (shutil.which("dbus-daemon") and shutil.which("notify-send")):
    pytest.skip("dbus-daemon and notify-send (libnotify-bin) are needed", allow_module_level=True)

jeepney = pytest.importorskip("jeepney")
from jeepney import HeaderFields, MessageType, new_method_return  # noqa: E402
from jeepney.bus_messages import message_bus  # noqa: E402
from jeepney.io.blocking import open_dbus_connection  # noqa: E402

NAME = "org.freedesktop.Notifications"


class NotificationService:
    """Owns org.freedesktop.Notifications on the test bus and records Notify calls."""

    def __init__(self, address: str) -> None:
        self.conn = open_dbus_connection(bus=address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(NAME))
        assert reply.body[0] == 1, "could not own the notification service name"
        self.calls: list[tuple[Any, ...]] = []
        self.got = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:  # the connection closed at the end of the test
                return
            if msg.header.message_type is not MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            if member == "Notify":
                self.calls.append(tuple(msg.body))
                self.conn.send(new_method_return(msg, "u", (len(self.calls),)))
                self.got.set()
            elif member == "GetServerInformation":
                self.conn.send(new_method_return(msg, "ssss", ("test", "hygie", "1", "1.2")))
            elif member == "GetCapabilities":
                self.conn.send(new_method_return(msg, "as", (["body"],)))
            else:
                self.conn.send(new_method_return(msg))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.conn.close()


@pytest.fixture
def session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    sock = tmp_path / "bus"
    address = f"unix:path={sock}"
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={address}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            if daemon.poll() is not None:
                pytest.skip(f"dbus-daemon could not start here: {daemon.stderr.read()!r}")  # type: ignore[union-attr]
            threading.Event().wait(0.05)
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_system_notify_reaches_the_desktop_service(
    session_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hygie.platform import system

    monkeypatch.setenv("HYGIE_PLATFORM", "linux")
    service = NotificationService(session_bus)
    try:
        cp = system("linux").notify(
            "Branchez le disque « disque »", "Puis lancez la sauvegarde.", urgent=True
        )
        assert cp.ok, cp.why()
        assert service.got.wait(10)
    finally:
        service.close()
    app, _replaces, _icon, summary, body, _actions, hints, _timeout = service.calls[0]
    assert app == "hygie"
    assert summary == "Branchez le disque « disque »"
    assert body == "Puis lancez la sauvegarde."
    assert hints["urgency"][1] == 2  # critical


def test_a_missed_backup_gives_one_notification_a_day(
    session_bus: str, monkeypatch: pytest.MonkeyPatch, hygie_home: Path
) -> None:
    from hygie.audit.model import Fact
    from hygie.remind import remind
    from hygie.store import open_store

    monkeypatch.setenv("HYGIE_PLATFORM", "linux")
    facts = {
        "backup.destinations": Fact.known(
            "backup.destinations",
            [
                {
                    "name": "disque",
                    "removable": True,
                    "offsite": False,
                    "last_success_age_days": 4.0,
                    "last_error": "destination_absent",
                }
            ],
            "t",
        )
    }
    store = open_store()
    now = dt.datetime(2026, 11, 30, 9, 0).astimezone()
    service = NotificationService(session_bus)
    try:
        first = remind(store=store, config={}, facts=facts, now=now)
        assert first.notified == ("backup.disk_absent:disque",)
        assert service.got.wait(10)
        again = remind(store=store, config={}, facts=facts, now=now + dt.timedelta(hours=3))
        assert again.notified == ()
    finally:
        service.close()
    assert len(service.calls) == 1
    assert service.calls[0][3] == "Branchez le disque de sauvegarde « disque »"
