"""The server's fast report check is never looser than the reference (jsonschema) check."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.audit.catalogue import measure_ids
from hygie.fleet.errors import ReportInvalid
from hygie.fleet.report import FleetReport
from hygie.fleet.server.ingest import check_window, parse_report


def valid() -> dict[str, Any]:
    return {
        "schema": "hygie.fleet.report/1",
        "report_id": str(uuid.uuid4()),
        "audited_at": "2026-11-29T08:14Z",
        "os_family": "linux",
        "hygie_version": "0.1.0",
        "score": 72,
        "measures": dict.fromkeys(measure_ids(), "ok"),
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["ok", "fail", "0.1.0\n", "2026-19-39T28:14Z", "2026-11-29T08:14Z\n",
                       "linux", "hygie.fleet.report/1", str(uuid.uuid4()) + "\n", "M01", 50.0]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)  # fmt: skip
keys = st.sampled_from([*valid().keys(), "path", "label", ""])
measure_keys = st.sampled_from([*measure_ids(), "M99", "m01", "M1"])


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    data: Any = valid()
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["set", "drop", "measure", "drop_measure", "whole"]))
        if kind == "set":
            data[draw(keys)] = draw(json_values)
        elif kind == "drop":
            data.pop(draw(keys), None)
        elif kind == "measure" and isinstance(data.get("measures"), dict):
            data["measures"][draw(measure_keys)] = draw(json_values)
        elif kind == "drop_measure" and isinstance(data.get("measures"), dict):
            data["measures"].pop(draw(measure_keys), None)
        elif kind == "whole":
            data = draw(json_values)
            break
    return data


def reference(data: Any) -> FleetReport | None:
    try:
        return FleetReport.from_dict(data)
    except ReportInvalid:
        return None
    except ValueError:  # from_dict's strptime on an impossible date: a refusal too
        return None


@settings(max_examples=600, deadline=None)
@given(mutated())
def test_whatever_the_fast_check_accepts_the_reference_accepts_identically(data: Any) -> None:
    try:
        fast = parse_report(data)
    except ReportInvalid as exc:
        assert exc.params["where"]  # the refusal names a place
        return
    ref = reference(data)
    assert ref is not None, "the fast check accepted what the reference refuses"
    assert fast == ref
    assert isinstance(fast.score, int | None) and not isinstance(fast.score, bool)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hygie_version", "0.1.0\n"),  # Python's $ matches before a final newline
        ("report_id", "7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a\n"),
        ("audited_at", "2026-11-29T08:14Z\n"),
        ("audited_at", "2026-19-39T28:14Z"),  # matches the pattern, is no date
        ("audited_at", "2026-02-30T08:14Z"),
        ("score", True),
        ("measures", {**valid()["measures"], "M99": "ok"}),
    ],
)
def test_values_the_reference_might_let_through_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ReportInvalid) as refused:
        parse_report({**valid(), field: value})
    assert refused.value.params["where"].split("/")[0] == field
    assert str(value).strip() not in refused.value.render() or field == "measures"


def test_the_time_window() -> None:
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    report = parse_report(valid())
    check_window(report, now)
    with pytest.raises(ReportInvalid, match="audited_at"):
        check_window(report, now - dt.timedelta(days=2))  # the report is from the future
    with pytest.raises(ReportInvalid, match="audited_at"):
        check_window(report, now + dt.timedelta(days=401))
