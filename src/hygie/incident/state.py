"""What the incident capability records in the store (module ``incident``): when the kit was
generated and when drills were done. Nothing is recorded during a real incident."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hygie.store import Store, open_store, utcnow

MODULE = "incident"
MAX_DRILLS = 20


def _store(store: Store | None) -> tuple[Store, bool]:
    return (store, False) if store is not None else (open_store(), True)


def record_kit(formats: list[str], *, with_password: bool, store: Store | None = None) -> str:
    from hygie import __version__

    s, owned = _store(store)
    try:
        at = utcnow()
        s.put_state(
            MODULE,
            "kit",
            {
                "generated_at": at,
                "formats": formats,
                "with_password": with_password,
                "hygie_version": __version__,
            },
        )
        return at
    finally:
        if owned:
            s.close()


def record_drill(*, completed: bool, store: Store | None = None) -> str:
    s, owned = _store(store)
    try:
        at = utcnow()
        drills: list[dict[str, Any]] = list(s.get_state(MODULE, "drills", []) or [])
        drills.append({"at": at, "completed": completed})
        s.put_state(MODULE, "drills", drills[-MAX_DRILLS:])
        return at
    finally:
        if owned:
            s.close()


def _parse(ts: object) -> dt.datetime | None:
    if not isinstance(ts, str):
        return None
    try:
        d = dt.datetime.fromisoformat(ts)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def kit_generated_at(store: Store) -> dt.datetime | None:
    kit = store.get_state(MODULE, "kit")
    return _parse(kit.get("generated_at")) if isinstance(kit, dict) else None


def last_drill_at(store: Store) -> dt.datetime | None:
    drills = store.get_state(MODULE, "drills", []) or []
    dates = [_parse(d.get("at")) for d in drills if isinstance(d, dict)]
    known = [d for d in dates if d is not None]
    return max(known) if known else None
