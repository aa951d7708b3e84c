"""GNOME screen lock and USB settings read through the real gsettings and dconf.

The settings are written into a dconf database under tmp_path by ``gsettings set`` inside a
private ``dbus-run-session`` (which ends with the command, taking dconf-service with it),
then the probes read them back for a desktop user whose home is that tmp folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hygie import proc
from hygie.audit.context import ProbeContext
from hygie.audit.probes import linux
from hygie.platform import current

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        current() != "linux"
        or not shutil.which("gsettings")
        or not shutil.which("dbus-run-session")
        or not Path(
            "/usr/share/glib-2.0/schemas/org.gnome.desktop.screensaver.gschema.xml"
        ).exists(),
        reason="needs gsettings, dconf, dbus-run-session and the GNOME schemas",
    ),
]


def gsettings_set(home: Path, *pairs: tuple[str, str, str]) -> None:
    env = proc.c_locale_env(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "DBUS_SESSION_BUS_ADDRESS": "",
        }
    )
    for schema, key, value in pairs:
        res = proc.run(
            ["dbus-run-session", "--", "gsettings", "set", schema, key, value], env=env, timeout=10
        )
        assert res.ok, res.why()


@pytest.fixture
def gnome_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProbeContext:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    home = tmp_path / "home"
    home.mkdir()
    return ProbeContext(platform="linux", home=home, user="infirmiere")


def test_gnome_defaults(gnome_user: ProbeContext) -> None:
    facts = {f.key: f for f in linux.screenlock(gnome_user)}
    facts.update({f.key: f for f in linux.media_autorun(gnome_user)})
    assert facts["screenlock.enabled"].value is True
    assert facts["screenlock.delay_s"].value == 300
    assert facts["media.autorun_disabled"].value is False  # GNOME opens a plugged key


def test_gnome_user_settings(gnome_user: ProbeContext) -> None:
    gsettings_set(
        gnome_user.home,
        ("org.gnome.desktop.session", "idle-delay", "900"),
        ("org.gnome.desktop.screensaver", "lock-delay", "30"),
        ("org.gnome.desktop.media-handling", "autorun-never", "true"),
        ("org.gnome.desktop.media-handling", "automount-open", "false"),
    )
    assert (gnome_user.home / ".config/dconf/user").exists()
    facts = {f.key: f for f in linux.screenlock(gnome_user)}
    facts.update({f.key: f for f in linux.media_autorun(gnome_user)})
    assert facts["screenlock.enabled"].value is True
    assert facts["screenlock.delay_s"].value == 930
    assert facts["media.autorun_disabled"].value is True
    gsettings_set(gnome_user.home, ("org.gnome.desktop.screensaver", "lock-enabled", "false"))
    facts = {f.key: f for f in linux.screenlock(gnome_user)}
    assert facts["screenlock.enabled"].value is False
