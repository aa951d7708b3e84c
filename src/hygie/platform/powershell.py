"""The one way hygie starts Windows PowerShell (an argv, never a shell string).

``-NoProfile`` (no user script runs), ``-NonInteractive`` (never waits on a prompt),
``-ExecutionPolicy Bypass`` (for this process only; a policy set by GPO still wins), and
the console output forced to UTF-8 so objects printed with ``ConvertTo-Json`` arrive intact
whatever the display language and code page (:func:`hygie.proc.run` reads UTF-8 first).
"""

from __future__ import annotations

UTF8_PREFIX = (
    "[Console]::OutputEncoding=[Text.Encoding]::UTF8;$ProgressPreference='SilentlyContinue';"
)
FLAGS = ("-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command")


def powershell(script: str) -> list[str]:
    """The argv that runs ``script`` in one Windows PowerShell start, output in UTF-8."""
    return ["powershell", *FLAGS, UTF8_PREFIX + script]


def ps_quote(value: str) -> str:
    """``value`` as a single-quoted PowerShell string literal (quotes doubled)."""
    return "'" + value.replace("'", "''").replace("\u2019", "\u2019\u2019") + "'"
