"""The audit's data: frozen, typed, JSON-serialisable, free of personal data.

A :class:`Fact` is something known (or not) about the machine or the practice. A check turns
facts into an :class:`Outcome`; a measure groups checks into a :class:`MeasureResult`; the
audit produces an :class:`AuditResult`. ``to_dict`` gives the JSON form pinned by
``schemas/audit.schema.json``; ``from_dict`` reads it back into the same types (the history
keeps that JSON: every reader of a past audit gets an :class:`AuditResult` again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hygie.i18n import N_

JSONValue = None | bool | int | float | str | list[Any] | dict[str, Any]


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


# French labels shown to users (translated through gettext at render time).
STATUS_LABELS_FR: dict[Status, str] = {
    Status.OK: N_("ok"),
    Status.WARN: N_("à améliorer"),
    Status.FAIL: N_("critique"),
    Status.UNKNOWN: N_("inconnu"),
    Status.NOT_APPLICABLE: N_("non applicable"),
}

# The sign shown next to a status (report, dashboard), never alone: the label goes with it.
STATUS_ICONS: dict[Status, str] = {
    Status.OK: "✔",
    Status.WARN: "▲",
    Status.FAIL: "✖",
    Status.UNKNOWN: "?",
    Status.NOT_APPLICABLE: "–",
}

# Badness order: the worst status of a measure's checks wins.
STATUS_RANK: dict[Status, int] = {
    Status.FAIL: 4,
    Status.WARN: 3,
    Status.UNKNOWN: 2,
    Status.OK: 1,
    Status.NOT_APPLICABLE: 0,
}


class FactState(StrEnum):
    KNOWN = "known"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Fact:
    """One thing hygie knows, or knows it does not know, with where it came from.

    ``reason`` (for unknown / not applicable) is user-facing French, already translated.
    ``askable`` marks an unknown that a questionnaire answer may fill (a module not set up).
    """

    key: str
    state: FactState
    value: JSONValue = None
    source: str = ""
    reason: str = ""
    askable: bool = False

    @classmethod
    def known(cls, key: str, value: JSONValue, source: str) -> Fact:
        return cls(key, FactState.KNOWN, value, source)

    @classmethod
    def unknown(cls, key: str, reason: str, source: str = "", *, askable: bool = False) -> Fact:
        return cls(key, FactState.UNKNOWN, None, source, reason, askable)

    @classmethod
    def not_applicable(cls, key: str, reason: str, source: str = "") -> Fact:
        return cls(key, FactState.NOT_APPLICABLE, None, source, reason)

    @property
    def is_known(self) -> bool:
        return self.state is FactState.KNOWN

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "state": self.state.value,
            "value": self.value,
            "source": self.source,
            "reason": self.reason,
            "askable": self.askable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        """The fact :meth:`to_dict` wrote (a stored audit read back; audits recorded before
        ``askable`` was written read it as False)."""
        return cls(
            str(data["key"]),
            FactState(data["state"]),
            data.get("value"),
            str(data.get("source", "")),
            str(data.get("reason", "")),
            bool(data.get("askable", False)),
        )


@dataclass(frozen=True)
class Outcome:
    """What a check says: a status and what was seen (user-facing text, no patient data)."""

    status: Status
    evidence: str


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    status: Status
    evidence: str
    required: bool
    facts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.check_id,
            "status": self.status.value,
            "evidence": self.evidence,
            "required": self.required,
            "facts": list(self.facts),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        return cls(
            str(d["id"]),
            Status(d["status"]),
            str(d.get("evidence", "")),
            bool(d.get("required", False)),
            tuple(str(f) for f in d.get("facts", ())),
        )


@dataclass(frozen=True)
class MeasureResult:
    measure_id: str
    title: str
    theme: str
    status: Status
    severity: str
    weight: int
    priority: int
    checks: tuple[CheckResult, ...]
    fix_steps: tuple[str, ...]
    why: str

    @property
    def summary(self) -> str:
        """The evidence of the checks that decided the status, joined for one line."""
        deciding = [c for c in self.checks if c.status is self.status] or list(self.checks)
        seen: list[str] = []
        for c in deciding:
            if c.evidence and c.evidence not in seen:
                seen.append(c.evidence)
        return " ; ".join(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.measure_id,
            "title": self.title,
            "theme": self.theme,
            "status": self.status.value,
            "severity": self.severity,
            "weight": self.weight,
            "priority": self.priority,
            "summary": self.summary,
            "why": self.why,
            "fix_steps": list(self.fix_steps),
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MeasureResult:
        """``summary`` is not read: it is computed from the checks."""
        return cls(
            str(d["id"]),
            str(d["title"]),
            str(d["theme"]),
            Status(d["status"]),
            str(d["severity"]),
            int(d["weight"]),
            int(d["priority"]),
            tuple(CheckResult.from_dict(c) for c in d.get("checks", ())),
            tuple(str(s) for s in d.get("fix_steps", ())),
            str(d.get("why", "")),
        )


@dataclass(frozen=True)
class Score:
    """0-100 index over measures whose status is ok/warn/fail; None when none is."""

    value: int | None
    counted: int
    unknown: int
    not_applicable: int
    by_status: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "counted": self.counted,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
            "by_status": dict(self.by_status),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Score:
        value = d.get("value")
        return cls(
            None if value is None else int(value),
            int(d.get("counted", 0)),
            int(d.get("unknown", 0)),
            int(d.get("not_applicable", 0)),
            {str(k): int(v) for k, v in (d.get("by_status") or {}).items()},
        )


@dataclass(frozen=True)
class Action:
    measure_id: str
    title: str
    status: Status
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure_id,
            "title": self.title,
            "status": self.status.value,
            "steps": list(self.steps),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Action:
        return cls(
            str(d["measure"]),
            str(d["title"]),
            Status(d["status"]),
            tuple(str(s) for s in d.get("steps", ())),
        )


@dataclass(frozen=True)
class Change:
    """How a measure moved since the previous audit."""

    measure_id: str
    before: Status | None
    after: Status

    @property
    def direction(self) -> str:
        if self.before is None:
            return "new"
        delta = STATUS_RANK[self.before] - STATUS_RANK[self.after]
        if self.before in (Status.UNKNOWN, Status.NOT_APPLICABLE) or self.after in (
            Status.UNKNOWN,
            Status.NOT_APPLICABLE,
        ):
            return "changed"
        return "improved" if delta > 0 else "regressed" if delta < 0 else "same"

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure_id,
            "before": self.before.value if self.before else None,
            "after": self.after.value,
            "direction": self.direction,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Change:
        """``direction`` is not read: it is computed from the two statuses."""
        before = d.get("before")
        return cls(str(d["measure"]), Status(before) if before else None, Status(d["after"]))


@dataclass(frozen=True)
class AuditResult:
    started_at: str
    duration_s: float
    platform: str
    lang: str
    hygie_version: str
    measures: tuple[MeasureResult, ...]
    score: Score
    actions: tuple[Action, ...]
    facts: tuple[Fact, ...]
    previous: dict[str, Any] | None = None
    changes: tuple[Change, ...] = ()

    @property
    def has_critical(self) -> bool:
        return any(m.status is Status.FAIL for m in self.measures)

    def measure(self, measure_id: str) -> MeasureResult:
        for m in self.measures:
            if m.measure_id == measure_id:
                return m
        raise KeyError(measure_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "platform": self.platform,
            "lang": self.lang,
            "hygie_version": self.hygie_version,
            "score": self.score.to_dict(),
            "critical": self.has_critical,
            "measures": [m.to_dict() for m in self.measures],
            "actions": [a.to_dict() for a in self.actions],
            "facts": [f.to_dict() for f in self.facts],
            "previous": self.previous,
            "changes": [c.to_dict() for c in self.changes],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditResult:
        """The result :meth:`to_dict` wrote (a recorded audit read back): ``critical`` and
        each measure's ``summary`` are computed again, never read."""
        previous = d.get("previous")
        return cls(
            started_at=str(d["started_at"]),
            duration_s=float(d.get("duration_s", 0.0)),
            platform=str(d.get("platform", "")),
            lang=str(d.get("lang", "")),
            hygie_version=str(d.get("hygie_version", "")),
            measures=tuple(MeasureResult.from_dict(m) for m in d.get("measures", ())),
            score=Score.from_dict(d.get("score") or {}),
            actions=tuple(Action.from_dict(a) for a in d.get("actions", ())),
            facts=tuple(Fact.from_dict(f) for f in d.get("facts", ())),
            previous=dict(previous) if isinstance(previous, dict) else None,
            changes=tuple(Change.from_dict(c) for c in d.get("changes", ())),
        )
