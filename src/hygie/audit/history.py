"""Past audits read back from the store, in their typed form.

The audit records each result (``audits`` table, the JSON of :meth:`AuditResult.to_dict`);
this module gives it back as an :class:`AuditResult` (:meth:`AuditResult.from_dict`): the
dashboard, the report renderers and the capabilities read past audits only through it.
A capability that needs what earlier audits saw (backup: was the removable disk plugged in
at each audit?) reads it here instead of writing its own history during the audit: probes
read, never write.
"""

from __future__ import annotations

from typing import Any

from hygie.audit.model import AuditResult, Fact
from hygie.store import Store


def recorded_result(store: Store, audit_id: int) -> AuditResult | None:
    """The recorded audit ``audit_id`` (None when there is none)."""
    document = store.audit_document(audit_id)
    return None if document is None else AuditResult.from_dict(document)


def last_recorded(store: Store) -> tuple[dict[str, Any], AuditResult] | None:
    """(history row: id, started_at, score, critical, statuses; result) of the last audit."""
    rows = store.audit_history(limit=1)
    if not rows:
        return None
    result = recorded_result(store, int(rows[0]["id"]))
    return None if result is None else (rows[0], result)


def fact_history(store: Store, key: str, limit: int = 50) -> list[tuple[str, Fact]]:
    """``(started_at, fact)`` for ``key`` in the last ``limit`` recorded audits, oldest first
    (audits that did not carry the fact are skipped; the first one of an audit counts)."""
    out: list[tuple[str, Fact]] = []
    seen: set[int] = set()
    for audit_id, started_at, raw in store.audit_facts(key, limit):
        if audit_id not in seen:
            seen.add(audit_id)
            out.append((started_at, Fact.from_dict(raw)))
    return out
