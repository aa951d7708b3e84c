"""Desktop notifications: the command each OS uses to show one (pure, tested per OS).

* Linux: ``notify-send`` (libnotify, the freedesktop D-Bus notification service that GNOME,
  KDE, Xfce… all provide).
* Windows 10/11: a toast through Windows PowerShell's WinRT bridge
  (``Windows.UI.Notifications.ToastNotificationManager``) under PowerShell's own application
  id, the documented way a script shows a toast without installing anything.
* macOS: ``terminal-notifier`` when installed (Homebrew), else AppleScript's
  ``display notification`` through ``osascript`` (texts passed as arguments, never pasted
  into the script).

The texts are hygie's own French sentences (never patient data); they are passed as
arguments, never through a shell.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hygie import proc
from hygie.platform.powershell import powershell, ps_quote

# PowerShell's AppUserModelID: toasts shown by a script appear under "Windows PowerShell".
POWERSHELL_APP_ID = (
    "{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe"
)
APP_NAME = "hygie"
OSASCRIPT = (
    "on run argv",
    "display notification (item 2 of argv) with title (item 1 of argv)",
    "end run",
)


def toast_xml(title: str, body: str) -> str:
    return (
        '<toast><visual><binding template="ToastGeneric">'
        f"<text>{escape(title)}</text><text>{escape(body)}</text>"
        "</binding></visual></toast>"
    )


def windows_command(title: str, body: str) -> list[str]:
    return powershell(
        "$null=[Windows.UI.Notifications.ToastNotificationManager,Windows.UI.Notifications,"
        "ContentType=WindowsRuntime];"
        "$x=New-Object Windows.Data.Xml.Dom.XmlDocument;"
        f"$x.LoadXml({ps_quote(toast_xml(title, body))});"
        "$t=New-Object Windows.UI.Notifications.ToastNotification $x;"
        "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier("
        f"{ps_quote(POWERSHELL_APP_ID)}).Show($t)"
    )


def linux_command(title: str, body: str, *, urgent: bool) -> list[str]:
    return [
        "notify-send",
        f"--app-name={APP_NAME}",
        f"--urgency={'critical' if urgent else 'normal'}",
        "--icon=dialog-warning" if urgent else "--icon=dialog-information",
        "--",
        title,
        body,
    ]


def darwin_command(title: str, body: str, *, terminal_notifier: str | None) -> list[str]:
    if terminal_notifier:
        return [terminal_notifier, "-title", title, "-message", body, "-group", APP_NAME]
    argv = ["osascript"]
    for line in OSASCRIPT:
        argv += ["-e", line]
    return [*argv, title, body]


def notification_command(platform: str, title: str, body: str, *, urgent: bool) -> list[str] | None:
    """The argv that shows one notification on ``platform``; None where hygie has none."""
    if platform == "linux":
        return linux_command(title, body, urgent=urgent)
    if platform == "windows":
        return windows_command(title, body)
    if platform == "darwin":
        return darwin_command(title, body, terminal_notifier=proc.which("terminal-notifier"))
    return None
