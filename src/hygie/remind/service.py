"""Reminders as the CLI, the schedule and the dashboard use them.

:func:`remind` gathers the audit's facts (the same providers as ``hygie audit``, nothing new,
nothing recorded in the history), asks :mod:`hygie.remind.rules` what is due, and notifies on
the desktop what is not snoozed, not already notified today and not in the quiet hours.
Its own state (since when each condition holds, what was notified on which day, snoozes) is
one JSON value in the local store (module ``remind``); nothing leaves the computer.

:func:`banner` is the dashboard's view: the same rules over the last recorded audit (no
probe runs when a page opens).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hygie.audit import Fact
from hygie.i18n import _
from hygie.remind.errors import RemindConfigError, UnknownReminder
from hygie.remind.rules import (
    CANDIDATE_RULES,
    Candidate,
    Thresholds,
    conditions,
    evaluate,
    thresholds_from_config,
)
from hygie.store import Store

log = logging.getLogger(__name__)

STATE_MODULE = "remind"
STATE_KEY = "state"
SNOOZE_DAYS = (1, 7)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Settings:
    thresholds: Thresholds
    quiet_hours: tuple[dt.time, dt.time] | None = None
    desktop: bool = True  # desktop notifications (the dashboard banner always shows)


def settings_from_config(cfg: Mapping[str, Any]) -> Settings:
    section = cfg.get("remind") or {}
    if not isinstance(section, Mapping):
        raise RemindConfigError(key="remind")
    try:
        thresholds = thresholds_from_config(section)
    except ValueError as exc:
        raise RemindConfigError(key=str(exc)) from exc
    quiet: tuple[dt.time, dt.time] | None = None
    raw = section.get("quiet_hours")
    if raw not in (None, ""):
        parts = str(raw).replace(" ", "").split("-")
        matches = [_HHMM.match(p) for p in parts]
        if len(parts) != 2 or not all(matches):
            raise RemindConfigError(key="quiet_hours")
        start, end = (dt.time(int(m[1]), int(m[2])) for m in matches if m)
        quiet = (start, end)
    desktop = section.get("desktop", True)
    if not isinstance(desktop, bool):
        raise RemindConfigError(key="desktop")
    return Settings(thresholds, quiet, desktop)


def in_quiet_hours(quiet: tuple[dt.time, dt.time] | None, now: dt.datetime) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    t = now.time()
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # across midnight (20:00-08:00)


@dataclass(frozen=True)
class Reminder:
    """A due reminder and what hygie does with it now."""

    candidate: Candidate
    # "notify" (goes out now), "sent_today", "snoozed", "quiet" (quiet hours),
    # "desktop_off" (desktop notifications switched off: banner only)
    status: str
    snoozed_until: str | None = None

    @property
    def key(self) -> str:
        return self.candidate.key

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.candidate.to_dict(),
            "status": self.status,
            "snoozed_until": self.snoozed_until,
        }


@dataclass(frozen=True)
class RemindResult:
    at: str
    reminders: tuple[Reminder, ...]
    notified: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "dry_run": self.dry_run,
            "reminders": [r.to_dict() for r in self.reminders],
            "notified": list(self.notified),
            "failed": [{"key": k, "reason": why} for k, why in self.failed],
        }


# -- state --------------------------------------------------------------------------------


def _load(store: Store) -> dict[str, dict[str, str]]:
    raw = store.get_state(STATE_MODULE, STATE_KEY, None)
    out: dict[str, dict[str, str]] = {"seen": {}, "sent": {}, "snoozed": {}}
    if isinstance(raw, dict):
        for part in out:
            value = raw.get(part)
            if isinstance(value, dict):
                out[part] = {str(k): str(v) for k, v in value.items()}
    return out


def _save(store: Store, data: dict[str, dict[str, str]]) -> None:
    store.put_state(STATE_MODULE, STATE_KEY, data)


def _parse(when: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(when)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _now(now: dt.datetime | None) -> dt.datetime:
    """``now`` in a known time zone: the computer's local time, unless ``now`` carries one
    (a "day" for once-a-day and quiet hours is the nurse's local day)."""
    if now is None:
        return dt.datetime.now().astimezone()
    return now if now.tzinfo is not None else now.astimezone()


def _track(state: dict[str, dict[str, str]], keys: set[str], now: dt.datetime) -> None:
    """Remember since when each condition holds; forget those that stopped."""
    seen = state["seen"]
    for key in list(seen):
        if key not in keys:
            del seen[key]
    for key in keys:
        seen.setdefault(key, now.isoformat(timespec="seconds"))


def _decide(
    candidates: list[Candidate],
    state: dict[str, dict[str, str]],
    settings: Settings,
    now: dt.datetime,
) -> list[Reminder]:
    today = now.date().isoformat()
    quiet = in_quiet_hours(settings.quiet_hours, now)
    out: list[Reminder] = []
    for c in candidates:
        until_raw = state["snoozed"].get(c.key)
        until = _parse(until_raw) if until_raw else None
        if until is not None and until > now:
            out.append(Reminder(c, "snoozed", until.isoformat(timespec="minutes")))
        elif state["sent"].get(c.key) == today:
            out.append(Reminder(c, "sent_today"))
        elif not settings.desktop:
            out.append(Reminder(c, "desktop_off"))
        elif quiet:
            out.append(Reminder(c, "quiet"))
        else:
            out.append(Reminder(c, "notify"))
    return out


def _facts_by_key(facts: Any) -> dict[str, Fact]:
    return {f.key: f for f in facts}


def current_facts() -> dict[str, Fact]:
    """The audit's facts, gathered now (no history entry: a reminder run is not a bilan)."""
    from hygie.audit import audit

    return _facts_by_key(audit(record=False).facts)


def last_audit_facts(store: Store) -> dict[str, Fact] | None:
    """The facts of the last recorded audit (the dashboard opens without probing)."""
    last = store.last_audit()
    doc = store.audit_document(int(last["id"])) if last else None
    if not doc or not isinstance(doc.get("facts"), list):
        return None
    out: dict[str, Fact] = {}
    for item in doc["facts"]:
        try:
            fact = Fact.from_dict(item)
        except (KeyError, ValueError, TypeError):
            continue
        out[fact.key] = fact
    return out


# -- the public functions ------------------------------------------------------------------


def remind(
    *,
    store: Store,
    config: Mapping[str, Any],
    facts: Mapping[str, Fact] | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> RemindResult:
    """Evaluate the reminders and notify what is due (nothing is written with ``dry_run``)."""
    settings = settings_from_config(config)
    at = _now(now)
    facts = dict(facts) if facts is not None else current_facts()
    if dry_run:
        return _remind_locked(store, facts, settings, at, dry_run=True)
    # the schedule's run and the login run may meet: one at a time, so "once a day" holds
    from filelock import FileLock

    from hygie.fileio import private_dir
    from hygie.paths import get_paths

    lock = FileLock(str(private_dir(get_paths().data_dir) / "remind.lock"), timeout=120)
    with lock:
        return _remind_locked(store, facts, settings, at, dry_run=False)


def _remind_locked(
    store: Store,
    facts: dict[str, Fact],
    settings: Settings,
    at: dt.datetime,
    *,
    dry_run: bool,
) -> RemindResult:
    from hygie.platform import system

    state = _load(store)
    _track(state, conditions(facts, settings.thresholds), at)
    seen = {k: v for k, v in ((k, _parse(s)) for k, s in state["seen"].items()) if v}
    reminders = _decide(
        evaluate(facts, settings.thresholds, seen_since=seen, now=at), state, settings, at
    )
    notified: list[str] = []
    failed: list[tuple[str, str]] = []
    if not dry_run:
        for r in reminders:
            if r.status != "notify":
                continue
            body = f"{r.candidate.action}\n{_('Tableau de bord hygie')} → {r.candidate.link}"
            cp = system().notify(r.candidate.title, body, urgent=r.candidate.severity == "fail")
            if cp.ok:
                notified.append(r.key)
                state["sent"][r.key] = at.date().isoformat()
            else:
                failed.append((r.key, cp.why()))
                log.warning("desktop notification failed for %s: %s", r.key, cp.why())
        # forget sent/snooze entries of reminders that are no longer due
        due_keys = {r.key for r in reminders}
        for part in ("sent", "snoozed"):
            for key in list(state[part]):
                if key not in due_keys and not (
                    part == "snoozed" and (_parse(state[part][key]) or at) > at
                ):
                    del state[part][key]
        _save(store, state)
    return RemindResult(
        at.isoformat(timespec="seconds"), tuple(reminders), tuple(notified), tuple(failed), dry_run
    )


def banner(
    *, store: Store, config: Mapping[str, Any], now: dt.datetime | None = None
) -> list[Reminder]:
    """The reminders the dashboard's overview shows (from the last recorded audit)."""
    facts = last_audit_facts(store)
    if facts is None:
        return []
    settings = settings_from_config(config)
    at = _now(now)
    state = _load(store)
    seen = {k: v for k, v in ((k, _parse(s)) for k, s in state["seen"].items()) if v}
    candidates = evaluate(facts, settings.thresholds, seen_since=seen, now=at)
    return [r for r in _decide(candidates, state, settings, at) if r.status != "snoozed"]


def snooze(*, store: Store, key: str, days: int, now: dt.datetime | None = None) -> str:
    """Silence reminder ``key`` for 1 day or 1 week; returns the end of the snooze."""
    if days not in SNOOZE_DAYS:
        raise ValueError(days)
    rule, _sep, subject = key.partition(":")
    if rule not in CANDIDATE_RULES or len(subject) > 120 or any(ord(c) < 32 for c in subject):
        raise UnknownReminder(key=key[:80])
    at = _now(now)
    state = _load(store)
    until = (at + dt.timedelta(days=days)).isoformat(timespec="minutes")
    state["snoozed"][key] = until
    _save(store, state)
    return until
