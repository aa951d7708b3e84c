"""Past audits read back from the store, in their typed form.

The audit records each result (``audits`` table, the JSON of :meth:`AuditResult.to_dict`);
this module gives it back typed. A capability that needs what earlier audits saw (backup: was
the removable disk plugged in at each audit?) reads it here instead of writing its own history
during the audit: probes read, never write.
"""

from __future__ import annotations

from hygie.audit.model import Fact
from hygie.store import Store


def fact_history(store: Store, key: str, limit: int = 50) -> list[tuple[str, Fact]]:
    """``(started_at, fact)`` for ``key`` in the last ``limit`` recorded audits, oldest first
    (audits that did not carry the fact are skipped)."""
    out: list[tuple[str, Fact]] = []
    for row in store.audit_history(limit):
        document = store.audit_document(int(row["id"]))
        if document is None:
            continue
        for raw in document.get("facts") or []:
            if isinstance(raw, dict) and raw.get("key") == key:
                out.append((str(document["started_at"]), Fact.from_dict(raw)))
                break
    return list(reversed(out))
