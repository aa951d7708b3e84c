"""Small helpers shared by the Windows and macOS probes: argv builders and French reasons.

Probes stay thin: build an argv, call :func:`hygie.proc.run` with a timeout, hand the raw
text to a pure parser, and turn a failed command into "unknown, because ..." with
:func:`failure_reason`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hygie import proc
from hygie.audit.model import Fact, JSONValue
from hygie.i18n import _
from hygie.platform.powershell import powershell
from hygie.proc import Completed

__all__ = [
    "access_denied",
    "command_fact",
    "failure_reason",
    "powershell",
    "unreadable",
]

ACCESS_DENIED_MARKERS = (
    "access is denied",
    "accès refusé",
    "acces refuse",
    "access denied",
    "administrative rights",
    "droits d'administrat",
    "droits d’administrat",
    "privilèges d'administrat",
    "privilèges d’administrat",
    "must be run as root",
    "permission denied",
    "not permitted",
)


def access_denied(cp: Completed) -> bool:
    text = f"{cp.stdout}\n{cp.stderr}".lower()
    return any(m in text for m in ACCESS_DENIED_MARKERS)


def failure_reason(cp: Completed, what: str) -> str:
    """Why ``what`` could not be read, in French, from a command that did not succeed."""
    name = cp.args[0] if cp.args else "?"
    if cp.missing:
        return _("{what} : la commande {cmd} est introuvable sur cet ordinateur").format(
            what=what, cmd=name
        )
    if cp.timed_out:
        return _("{what} : la commande {cmd} n'a pas répondu à temps").format(what=what, cmd=name)
    if access_denied(cp):
        return _("{what} : lecture réservée aux administrateurs de l'ordinateur").format(what=what)
    if cp.error:
        return _("{what} : la commande {cmd} n'a pas pu être lancée").format(what=what, cmd=name)
    return _("{what} : la commande {cmd} a échoué (code {rc})").format(
        what=what, cmd=name, rc=cp.returncode
    )


def unreadable(what: str) -> str:
    """Reason for an output that ran but could not be understood."""
    return _("{what} : réponse de la commande non reconnue").format(what=what)


def command_fact(
    key: str,
    argv: Sequence[str],
    parse: Callable[[str], JSONValue | None],
    what: str,
    source: str,
    *,
    timeout: float,
    c_locale: bool = True,
    with_stderr: bool = False,
) -> Fact:
    """The common probe: run one command, parse its output, and give one fact.

    A command that failed, or an output the parser does not recognise (``None``), gives an
    unknown fact with a French reason, never a default value.
    """
    cp = proc.run(argv, timeout=timeout, c_locale=c_locale)
    value = parse(cp.stdout + cp.stderr if with_stderr else cp.stdout) if cp.ok else None
    if value is None:
        reason = failure_reason(cp, what) if not cp.ok else unreadable(what)
        return Fact.unknown(key, reason, source)
    return Fact.known(key, value, source)
