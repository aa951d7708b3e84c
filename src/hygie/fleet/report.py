"""The one thing a device ever sends about its audit: a closed, privacy-checked report.

A fleet report carries, and can only carry: a random report id, the audit's time (UTC, to the
minute), the OS family, hygie's version, the score and one status per measure of the
catalogue. Nothing in it is free text: every value is an enum, a number, a UUID or a
pattern-checked version, and :func:`report_schema` is closed (``additionalProperties:
false`` everywhere), so the server rejects any other field and a device cannot leak a path, a
file name, an address, an evidence line or an identifier even by mistake.

Both sides use this module: the device builds reports with :func:`build_report`; the server
validates what it receives with :func:`validate_report` (the same schema object).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import jsonschema

from hygie.audit import Status, measure_ids
from hygie.fleet.errors import ReportInvalid

if TYPE_CHECKING:
    from hygie.audit import AuditResult

REPORT_SCHEMA_ID = "hygie.fleet.report/1"
OsFamily = Literal["windows", "macos", "linux"]
OS_FAMILIES: tuple[str, ...] = ("windows", "macos", "linux")
# hygie's platform names -> the report's OS family
_OS_FAMILY = {"windows": "windows", "darwin": "macos", "linux": "linux"}
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
_TOP_FIELDS = (
    "schema",
    "report_id",
    "audited_at",
    "os_family",
    "hygie_version",
    "score",
    "measures",
)
VERSION_PATTERN = r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}([.+-][0-9A-Za-z.]{1,20})?$"


@functools.cache
def report_schema() -> dict[str, Any]:
    """The closed JSON schema of a report (draft 2020-12), built from the catalogue."""
    ids = measure_ids()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": REPORT_SCHEMA_ID,
        "type": "object",
        "additionalProperties": False,
        "required": list(_TOP_FIELDS),
        "properties": {
            "schema": {"const": REPORT_SCHEMA_ID},
            "report_id": {
                "type": "string",
                "minLength": 36,
                "maxLength": 36,
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            },
            "audited_at": {
                "type": "string",
                "minLength": 17,
                "maxLength": 17,
                "pattern": r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]Z$",
            },
            "os_family": {"enum": list(OS_FAMILIES)},
            # Python's "$" also matches before a final newline: refuse any control character
            "hygie_version": {
                "type": "string",
                "maxLength": 40,
                "pattern": VERSION_PATTERN,
                "not": {"pattern": "[\\x00-\\x1f]"},
            },
            "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            "measures": {
                "type": "object",
                "additionalProperties": False,
                "required": list(ids),
                "properties": {mid: {"enum": list(STATUSES)} for mid in ids},
            },
        },
    }


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(report_schema())
    cls.check_schema(report_schema())
    return cls(report_schema())


@dataclass(frozen=True)
class FleetReport:
    """One report, as sent (``to_dict``) and as received (``from_dict`` validates)."""

    report_id: str
    audited_at: dt.datetime  # UTC, to the minute
    os_family: str
    hygie_version: str
    score: int | None
    measures: tuple[tuple[str, str], ...]  # (measure id, status value), sorted by id

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA_ID,
            "report_id": self.report_id,
            "audited_at": self.audited_at.strftime("%Y-%m-%dT%H:%MZ"),
            "os_family": self.os_family,
            "hygie_version": self.hygie_version,
            "score": self.score,
            "measures": dict(self.measures),
        }

    @classmethod
    def from_dict(cls, data: Any) -> FleetReport:
        """Validate ``data`` against the closed schema; :class:`ReportInvalid` names the path."""
        validate_report(data)
        return cls.from_checked(data)

    @classmethod
    def from_checked(cls, data: dict[str, Any]) -> FleetReport:
        """A report from ``data`` that the closed schema (this module's validator or the
        server's compiled copy of it) already accepted; :class:`ReportInvalid` for what a
        schema cannot say: an impossible date (2026-19-39T28:14Z has the pattern's shape) and
        a score written 50.0 (JSON Schema counts it as an integer)."""
        at = data["audited_at"]  # YYYY-MM-DDTHH:MMZ
        try:
            audited = dt.datetime(int(at[0:4]), int(at[5:7]), int(at[8:10]), int(at[11:13]),
                                  int(at[14:16]), tzinfo=dt.UTC)  # fmt: skip
        except ValueError:
            raise ReportInvalid(where="audited_at", rule="date") from None
        score = data["score"]
        if isinstance(score, float):
            raise ReportInvalid(where="score", rule="type")
        return cls(
            report_id=data["report_id"],
            audited_at=audited,
            os_family=data["os_family"],
            hygie_version=data["hygie_version"],
            score=score,
            measures=tuple(sorted(data["measures"].items())),
        )


def validate_report(data: Any) -> None:
    """Raise :class:`ReportInvalid` naming the first wrong place (never echoing its value)."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(racine)"
        raise ReportInvalid(where=where, rule=str(error.validator))
    if isinstance(data["score"], float):  # JSON Schema counts 50.0 as an integer; we do not
        raise ReportInvalid(where="score", rule="type")


def os_family(platform_name: str) -> str:
    """The report's OS family for one of hygie's platform names (``darwin`` -> ``macos``)."""
    return _OS_FAMILY[platform_name]


def build_report(result: AuditResult, *, report_id: str | None = None) -> FleetReport:
    """The report of one audit: statuses and score only, validated before it leaves."""
    started = dt.datetime.fromisoformat(result.started_at)
    if started.tzinfo is None:
        started = started.astimezone()  # a naive local time
    audited = started.astimezone(dt.UTC).replace(second=0, microsecond=0)
    report = FleetReport(
        report_id=report_id or str(uuid.uuid4()),
        audited_at=audited,
        os_family=os_family(result.platform),
        hygie_version=result.hygie_version,
        score=result.score.value,
        measures=tuple(sorted((m.measure_id, m.status.value) for m in result.measures)),
    )
    validate_report(report.to_dict())
    return report
