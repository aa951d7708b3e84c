"""Texts written for the terminal, made fit for the dashboard: never a command or an option.

The audit's evidence, stored audit documents and the capabilities' error messages sometimes name
a command (« hygie backup setup », ``(--source)``). The dashboard offers a button instead, so
those references are taken out of what it shows; :func:`shows_command` is what the tests use to
prove no page shows one.
"""

from __future__ import annotations

import re

_Q_OPEN, _Q_CLOSE = '«"“', '»"”'
_QUOTED = rf"[{_Q_OPEN}]\s*hygie\b[^{_Q_CLOSE}]*[{_Q_CLOSE}]"
_BARE = r"hygie (?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*(?: --?[\w-]+(?: [A-Z:/._-]+)?)*"
_VERB = (
    r"(?:(?:re)?lancez |tapez |voir |utilisez |avec |par exemple avec "
    r"|for example with |run |type |see )?"
)

_PATTERNS = (
    # "(« hygie kit setup »)", "(par exemple avec « hygie media scan »)", "(hygie questionnaire)"
    re.compile(rf"\s*\(\s*{_VERB}(?:{_QUOTED}|{_BARE})[^)]*\)", re.IGNORECASE),
    # ": « hygie backup setup »", ", lancez « hygie mail exposure »", ": hygie kit --pdf"
    re.compile(rf"\s*[:;,]\s*{_VERB}(?:{_QUOTED}|{_BARE})", re.IGNORECASE),
    # "(--source)", "(--upstream HÔTE:PORT ou upstream dans [mail.relay])"
    re.compile(r"\s*\(\s*--[\w-]+[^)]*\)"),
)

_QUOTED_RE = re.compile(_QUOTED, re.IGNORECASE)
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
# other commands to type in a terminal
_SHELL = re.compile(r"\bsudo [a-z]|\b(?:apt|apt-get|dnf|winget|brew) (?:install|update|upgrade)\b")


def plain(text: object) -> str:
    """``text`` without any reference to a command or an option (sentence kept readable)."""
    out = str(text or "")
    for pattern in _PATTERNS:
        out = pattern.sub("", out)
    # a sentence still built around a command ("Relancez « hygie backup run » ; …") goes
    sentences = re.split(r"(?<=[.!?])\s+", out)
    out = " ".join(x for x in sentences if not _QUOTED_RE.search(x))
    out = re.sub(r"\s+([.,;:!?])", r"\1", out)
    out = re.sub(r"([.!?])\1+", r"\1", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def shows_command(text: str, commands: frozenset[str] = frozenset()) -> list[str]:
    """The commands (``hygie`` followed by one of ``commands``, e.g. "backup setup", or a
    ``sudo``/package-manager line) or options visible in ``text``; empty when the text is fit
    for the dashboard."""
    found = [m.group(0) for m in _OPTION.finditer(text)]
    found += [m.group(0) for m in _SHELL.finditer(text)]
    found += [m.group(0) for m in _QUOTED_RE.finditer(text)]
    for c in commands:
        if re.search(rf"\bhygie {re.escape(c)}\b", text):
            found.append("hygie " + c)
    return found
