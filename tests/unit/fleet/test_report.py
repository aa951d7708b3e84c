"""The fleet report: built from a real audit, closed schema, nothing else can pass."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hygie.audit.catalogue import measure_ids
from hygie.audit.runner import run_audit
from hygie.audit.service import make_context
from hygie.fleet import FleetReport, ReportInvalid, build_report, validate_report
from hygie.fleet.protocol import (
    JOIN_CODE_RE,
    DeviceToken,
    new_join_code,
    normalize_join_code,
    valid_department,
    valid_label,
)


@pytest.fixture(scope="module")
def report_and_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[FleetReport, dict]:
    import os

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("HYGIE_HOME")
    os.environ["HYGIE_HOME"] = str(home)
    try:
        result = run_audit(make_context(), record=False)
    finally:
        if old is None:
            os.environ.pop("HYGIE_HOME", None)
        else:
            os.environ["HYGIE_HOME"] = old
    return build_report(result), result.to_dict()


def test_a_real_audit_gives_a_valid_report_with_every_measure(report_and_audit) -> None:
    report, audit = report_and_audit
    data = report.to_dict()
    validate_report(data)
    assert sorted(data["measures"]) == list(measure_ids())
    assert data["measures"] == {m["id"]: m["status"] for m in audit["measures"]}
    assert data["score"] == audit["score"]["value"]
    assert FleetReport.from_dict(json.loads(json.dumps(data))) == report


def test_nothing_of_the_audit_but_statuses_and_score_is_in_the_report(report_and_audit) -> None:
    report, audit = report_and_audit
    wire = json.dumps(report.to_dict())
    texts: set[str] = set()
    for fact in audit["facts"]:
        for v in (fact.get("value"), fact.get("source"), fact.get("reason")):
            if isinstance(v, str) and len(v) > 3:
                texts.add(v)
    for m in audit["measures"]:
        texts.update(c["evidence"] for c in m["checks"] if len(c.get("evidence") or "") > 3)
        texts.add(m["title"])
    texts.add(str(Path.home()))
    assert texts, "the audit produced no text to look for"
    leaked = [t for t in texts if t in wire]
    assert leaked == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(extra="x"),
        lambda d: d["measures"].update(M99="ok"),
        lambda d: d["measures"].update(M01="Mme Durand"),
        lambda d: d["measures"].pop("M01"),
        lambda d: d.update(score=101),
        lambda d: d.update(hygie_version="C:\\Users\\anne\\patients.xlsx"),
        lambda d: d.update(audited_at="2026-11-29T08:14:33Z"),
        lambda d: d.update(report_id="185057800608491"),
        lambda d: d.update(os_family="Windows 11 de Anne"),
        lambda d: d.update(schema="hygie.fleet.report/2"),
        # found by attacking the server: Python's "$" matches before a final newline
        lambda d: d.update(hygie_version="0.1.0\n"),
        lambda d: d.update(report_id=d["report_id"] + "\n"),
        lambda d: d.update(audited_at=d["audited_at"] + "\n"),
        lambda d: d.update(score=50.0),
        lambda d: d.update(score=True),
    ],
)
def test_the_schema_refuses_anything_else(report_and_audit, mutate) -> None:
    report, _audit = report_and_audit
    data = copy.deepcopy(report.to_dict())
    mutate(data)
    with pytest.raises(ReportInvalid) as err:
        validate_report(data)
    # the message names the place, never the value
    assert "Durand" not in str(err.value) and "185057800608491" not in str(err.value)
    assert "anne" not in str(err.value).lower()


def test_an_impossible_date_is_a_refusal_naming_the_field(report_and_audit) -> None:
    report, _audit = report_and_audit
    data = copy.deepcopy(report.to_dict())
    data["audited_at"] = "2026-19-39T28:14Z"  # the pattern's shape, not a date
    with pytest.raises(ReportInvalid, match="audited_at"):
        FleetReport.from_dict(data)


def test_tokens_codes_labels_departments() -> None:
    token = DeviceToken.new(7)
    assert DeviceToken.parse(str(token)) == token
    assert token.matches(token.secret_hash)
    assert not DeviceToken.new(7).matches(token.secret_hash)
    for bad in ("", "7..", "x.y.z", "7.not-a-uuid.abc", f"7.{token.device_id}.c2hvcnQ"):
        assert DeviceToken.parse(bad) is None
    code = new_join_code()
    assert JOIN_CODE_RE.match(code)
    assert normalize_join_code(code.lower().replace("-", " ")) == code
    assert normalize_join_code("é²" + code) == code  # non-ASCII is dropped, never hashed
    assert valid_label("PC accueil") and valid_label("Poste-2 d'Anne")
    assert not valid_label("185057800608491") and not valid_label("x" * 41)
    assert not valid_label("a/b") and not valid_label("")
    assert all(valid_department(d) for d in ("01", "2A", "2B", "75", "95", "971", "976"))
    assert not any(valid_department(d) for d in ("00", "20", "96", "977", "7", "750"))
