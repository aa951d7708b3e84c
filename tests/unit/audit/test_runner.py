"""The runner: concurrency, failing probes, answers as fallback, history and comparison."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from hygie.audit import fact_history, last_recorded, recorded_result, registry
from hygie.audit.answers import Answer
from hygie.audit.context import ProbeContext
from hygie.audit.model import AuditResult, Fact, FactState, Status
from hygie.audit.runner import collect_facts, run_audit
from hygie.store import Store

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, registry.Provider]:
    """Only the providers a test registers (the real ones are set aside)."""
    registry.load()
    mine: dict[str, registry.Provider] = {}
    monkeypatch.setattr(registry, "_providers", mine)
    return mine


def ctx(tmp_path: Path, store: Store | None = None) -> ProbeContext:
    return ProbeContext(platform="linux", root=tmp_path, home=tmp_path, now=NOW, store=store)


def test_a_raising_probe_gives_unknown_with_reason(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    @registry.provider("t.boom", facts=["firewall.enabled"], platforms={"linux"})
    def boom(_ctx: ProbeContext) -> Iterable[Fact]:
        raise PermissionError("nope")

    result = run_audit(ctx(tmp_path))
    m03 = result.measure("M03")
    fw = next(c for c in m03.checks if c.check_id == "M03.firewall")
    assert fw.status is Status.UNKNOWN
    assert "PermissionError" in fw.evidence
    assert m03.status is not Status.OK


def test_a_slow_probe_times_out_as_unknown(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    @registry.provider("t.slow", facts=["disk.system_encrypted"], platforms={"linux"})
    def slow(_ctx: ProbeContext) -> Iterable[Fact]:
        time.sleep(1.0)
        return [Fact.known("disk.system_encrypted", True, "t")]

    @registry.provider("t.fast", facts=["firewall.enabled"], platforms={"linux"})
    def fast(_ctx: ProbeContext) -> Iterable[Fact]:
        return [Fact.known("firewall.enabled", True, "t")]

    coll = collect_facts(
        ctx(tmp_path), {"disk.system_encrypted", "firewall.enabled"}, deadline_s=0.2
    )
    assert coll.facts["firewall.enabled"].value is True
    assert not coll.facts["disk.system_encrypted"].is_known
    assert "trop de temps" in coll.facts["disk.system_encrypted"].reason


def test_probes_run_concurrently(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    keys = ["firewall.enabled", "disk.system_encrypted", "updates.automatic", "user.is_admin"]
    for k in keys:

        def make(key: str):  # type: ignore[no-untyped-def]
            def fn(_ctx: ProbeContext) -> Iterable[Fact]:
                time.sleep(0.3)
                return [Fact.known(key, True, "t")]

            return fn

        registry.provider(f"t.{k}", facts=[k], platforms={"linux"})(make(k))
    t0 = time.monotonic()
    coll = collect_facts(ctx(tmp_path), set(keys))
    elapsed = time.monotonic() - t0
    assert all(coll.facts[k].value is True for k in keys)
    assert elapsed < 1.2  # four 0.3 s probes in sequence would take 1.2 s


def test_a_probe_may_not_give_facts_it_did_not_declare(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    @registry.provider("t.greedy", facts=["firewall.enabled"], platforms={"linux"})
    def greedy(_ctx: ProbeContext) -> Iterable[Fact]:
        return [Fact.known("firewall.enabled", True, "t"), Fact.known("backup.exists", True, "t")]

    coll = collect_facts(ctx(tmp_path), {"firewall.enabled", "backup.exists"})
    assert "backup.exists" not in coll.facts
    assert "backup.exists" in coll.unprobeable


def test_answers_fill_facts_no_probe_can_tell(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    answers = {"backup.exists": Answer("backup.exists", "no", NOW)}
    result = run_audit(ctx(tmp_path), extra_answers=answers)
    m07 = result.measure("M07")
    assert m07.status is Status.FAIL
    assert result.has_critical
    assert result.actions[0].measure_id in {"M07", "M05"}


def test_history_and_comparison(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    store = Store(tmp_path / "h.sqlite3")
    first = run_audit(
        ctx(tmp_path, store), extra_answers={"backup.exists": Answer("backup.exists", "no", NOW)}
    )
    assert first.previous is None and first.changes == ()
    store.put_answer("backup.exists", "yes")
    for k in (
        "backup.restore_tested",
        "backup.encrypted",
        "backup.two_places",
        "backup.disconnected",
    ):
        store.put_answer(k, "yes")
    second = run_audit(ctx(tmp_path, store))
    assert second.previous is not None
    change = {c.measure_id: c for c in second.changes}["M07"]
    assert (change.before, change.after, change.direction) == (Status.FAIL, Status.OK, "improved")
    assert len(store.audit_history()) == 2
    doc = store.audit_document(2)
    assert doc is not None and doc["measures"][6]["status"] == "ok"
    # one typed form: the recorded JSON reads back as the same result
    back = recorded_result(store, 2)
    assert back is not None and back.to_dict() == second.to_dict()
    assert back == replace(second, duration_s=round(second.duration_s, 3))
    found = last_recorded(store)
    assert found is not None and found[0]["id"] == 2 and found[1] == back
    assert recorded_result(store, 99) is None


def test_every_field_of_a_result_reads_back(
    tmp_path: Path, isolated_registry: dict[str, registry.Provider]
) -> None:
    """A result with a known, an unknown and a not-applicable fact, changes and actions."""

    @registry.provider("t.some", facts=["firewall.enabled", "screen_lock.enabled"])
    def some(_ctx: ProbeContext) -> Iterable[Fact]:
        yield Fact.known("firewall.enabled", {"on": [1, 2]}, "t")
        yield Fact.not_applicable("screen_lock.enabled", "pas d'écran", "t")

    store = Store(tmp_path / "h.sqlite3")
    run_audit(ctx(tmp_path, store))
    result = run_audit(ctx(tmp_path, store))
    assert result.actions and result.facts and result.previous
    doc = result.to_dict()
    back = AuditResult.from_dict(doc)
    assert back.to_dict() == doc
    states = {f.state for f in back.facts}
    assert states == {FactState.KNOWN, FactState.UNKNOWN, FactState.NOT_APPLICABLE}
    # a fact across the recorded audits, oldest first, typed
    history = fact_history(store, "firewall.enabled")
    assert [f.value for _at, f in history] == [{"on": [1, 2]}, {"on": [1, 2]}]
    assert fact_history(store, "firewall.enabled", limit=1) == history[1:]
    assert fact_history(store, "no.such.fact") == []
