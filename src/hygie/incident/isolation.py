"""One isolation flow, with its journaling, for every front (CLI, dashboard, the guide).

:mod:`hygie.incident.network` plans and runs the commands (per OS); this module adds what
the incident needs around them: the plan is applied, the isolation state is kept in the
incident folder (for ``reconnect``), and the journal of the current incident records what was
done or what failed, with the check code of that entry. A front never calls
``network.apply`` itself, so no path cuts the network without the journal knowing.

The journal used is the one in ``folder`` when given, otherwise the incident opened most
recently on this computer (its anchor in hygie's store, less than
:data:`CURRENT_INCIDENT_DAYS` days old); without any, the result says so and the front asks
the user to note the time on paper.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.i18n import _
from hygie.incident import network
from hygie.incident.anchors import stored_anchors
from hygie.incident.destination import prepare
from hygie.incident.journal import Journal

log = logging.getLogger("hygie.incident.isolation")

CURRENT_INCIDENT_DAYS = 7
ISOLATE, RECONNECT = "isolate", "reconnect"


@dataclass(frozen=True)
class IsolationOutcome:
    action: str  # isolate | reconnect
    applied: network.Applied
    journal: str | None  # the journal written to, if any
    journal_seq: int | None
    code: str  # check code of the journal entry ("n° 7 : XXXX-…"), "" without journal

    @property
    def done(self) -> tuple[str, ...]:
        return tuple(self.applied.done)

    def to_dict(self) -> dict[str, Any]:
        return {
            "applied": True,
            **self.applied.to_dict(),
            "journal": self.journal,
            "journal_seq": self.journal_seq,
            "code": self.code,
        }


def current_incident(now: dt.datetime | None = None) -> Path | None:
    """The folder of the incident opened most recently on this computer, if still recent
    and still holding its journal."""
    now = now or dt.datetime.now(dt.UTC)
    items = stored_anchors()
    if items is None:
        return None
    for _key, rec, updated in items:
        try:
            at = dt.datetime.fromisoformat(updated)
        except ValueError:
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        if now - at > dt.timedelta(days=CURRENT_INCIDENT_DAYS):
            break
        if isinstance(rec, dict) and rec.get("folder"):
            folder = Path(str(rec["folder"]))
            if Journal.exists_in(folder):
                return folder
    return None


def plan(action: str, *, backend: str | None = None, folder: Path | None = None) -> network.Plan:
    """The commands that would isolate (or reconnect) this computer; nothing is run."""
    if action == ISOLATE:
        return network.plan_isolate(backend=backend)
    return network.plan_reconnect(backend=backend, folder=folder)


def apply(
    p: network.Plan,
    *,
    folder: Path | None = None,
    journal_folder: Path | None = None,
    step: int | None = None,
) -> IsolationOutcome:
    """Run ``p``; keep its state in ``folder``; journal it in ``journal_folder`` (default:
    ``folder`` if it holds a journal, else the current incident). A failure is journaled too,
    then raised (:class:`~hygie.incident.errors.IsolationFailed`)."""
    action = p.action
    if folder is not None:
        prepare(folder)
    jf = journal_folder
    if jf is None:
        jf = folder if folder is not None and Journal.exists_in(folder) else current_incident()
    journal = Journal.open(jf) if jf is not None and Journal.exists_in(jf) else None
    n = step if step is not None else (3 if action == ISOLATE else 0)
    try:
        applied = network.apply(p, folder)
    except Exception as exc:
        if journal is not None:
            journal.append(
                _("échec de la coupure du réseau : {e}").format(e=str(exc))
                if action == ISOLATE
                else _("échec du rallumage du réseau : {e}").format(e=str(exc)),
                step=n,
                kind=action,
                data=p.to_dict(),
            )
        raise
    if journal is None:
        return IsolationOutcome(action, applied, None, None, "")
    label = _("réseau coupé : {c}") if action == ISOLATE else _("réseau rallumé : {c}")
    entry = journal.append(
        label.format(c="; ".join(applied.done)), step=n, kind=action, data=p.to_dict()
    )
    return IsolationOutcome(action, applied, str(journal.path), entry.seq, entry.code_text)


def isolate(*, backend: str | None = None, folder: Path | None = None) -> IsolationOutcome:
    """Plan and apply the isolation in one call (the dashboard's button)."""
    return apply(plan(ISOLATE, backend=backend), folder=folder)


def reconnect(*, backend: str | None = None, folder: Path | None = None) -> IsolationOutcome:
    return apply(plan(RECONNECT, backend=backend, folder=folder), folder=folder)
