"""Small helpers shared by the Windows and macOS probes: argv builders and French reasons.

Probes stay thin: build an argv, call :func:`hygie.proc.run` with a timeout, hand the raw
text to a pure parser, and turn a failed command into "unknown, because ..." with
:func:`failure_reason`.
"""

from __future__ import annotations

from hygie.i18n import _
from hygie.proc import Completed

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


def powershell(script: str) -> list[str]:
    """The argv that runs one PowerShell pipeline (no profile, no prompt), never a shell string."""
    return ["powershell", "-NoProfile", "-NonInteractive", "-Command", script]


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
