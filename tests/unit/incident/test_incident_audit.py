"""M11/M12 from the incident state: the provider's facts and the new checks (table tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hygie.audit import registry
from hygie.audit.catalogue import load_catalogue
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Status
from hygie.audit.registry import Facts
from hygie.audit.runner import evaluate
from hygie.config import load_config
from hygie.incident.checks import backup_verified, kit_recent
from hygie.incident.facts import incident_state
from hygie.incident.kit import Contact, KitConfig, save_kit_config
from hygie.incident.state import MODULE, record_drill, record_kit
from hygie.store import Store, open_store
from incident_helpers import record_backup_state

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(hygie_home: Path) -> Store:
    s = open_store()
    yield s  # type: ignore[misc]
    s.close()


def _facts(store: Store) -> dict[str, Fact]:
    ctx = ProbeContext(now=NOW, store=store, config=load_config())
    return {f.key: f for f in incident_state(ctx)}


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, Status.WARN),
        (10.0, Status.OK),
        (364.0, Status.OK),
        (400.0, Status.WARN),
    ],
)
def test_kit_recent(value: float | None, status: Status) -> None:
    f = Facts({"incident.kit_age_days": Fact.known("incident.kit_age_days", value, "t")})
    assert kit_recent(f).status is status


def test_kit_recent_unknown() -> None:
    f = Facts({"incident.kit_age_days": Fact.unknown("incident.kit_age_days", "store absent")})
    out = kit_recent(f)
    assert out.status is Status.UNKNOWN and out.evidence == "store absent"


@pytest.mark.parametrize(
    ("value", "status"),
    [(5.0, Status.OK), (89.0, Status.OK), (120.0, Status.WARN), (-1, Status.FAIL)],
)
def test_backup_verified(value: float, status: Status) -> None:
    key = "incident.backup_verified_age_days"
    assert backup_verified(Facts({key: Fact.known(key, value, "t")})).status is status


def test_nothing_set_up_leaves_the_questions(store: Store) -> None:
    facts = _facts(store)
    for key in ("incident.contacts_ready", "incident.sheet_printed", "incident.drill_done"):
        assert facts[key].state is FactState.UNKNOWN and facts[key].askable, key
    assert facts["incident.kit_age_days"].value is None
    assert facts["incident.backup_verified_age_days"].state is FactState.UNKNOWN
    assert not facts["incident.backup_verified_age_days"].askable


def test_state_makes_m11_and_m12_pass(store: Store) -> None:
    save_kit_config(KitConfig("Cabinet", (Contact("it_provider", "Info", "01 02 03 04 05"),)))
    record_kit(["pdf"], with_password=False, store=store)
    record_drill(completed=True, store=store)
    record_backup_state(
        {"disque": [("verify", True, "2026-11-20T20:00:00+00:00"),
                    ("backup", True, "2026-11-28T20:00:00+00:00")]}
    )  # fmt: skip
    facts = _facts(store)
    assert facts["incident.contacts_ready"].value is True
    assert facts["incident.sheet_printed"].value is True
    assert facts["incident.drill_done"].value is True
    assert facts["incident.backup_verified_age_days"].value == pytest.approx(8.7, abs=0.1)
    # Questions that stay questions: e-CPS and the DMP access test.
    facts["ecps.ready"] = Fact.known("ecps.ready", True, "answer")
    facts["dmp.access_tested"] = Fact.known("dmp.access_tested", True, "answer")
    registry.load()
    measures = [m for m in load_catalogue() if m.measure_id in ("M11", "M12")]
    results = {r.measure_id: r for r in evaluate(measures, facts, "linux")}
    assert results["M11"].status is Status.OK
    assert results["M12"].status is Status.OK
    assert {c.check_id for c in results["M12"].checks} >= {"M12.backup_verified"}


def test_incomplete_contacts_and_old_drill(store: Store) -> None:
    save_kit_config(KitConfig("Cabinet", (Contact("insurer", "Assur", "01"),)))
    store.put_state(MODULE, "drills", [{"at": "2025-06-01T10:00:00+00:00", "completed": True}])
    store.put_state(MODULE, "kit", {"generated_at": "2025-01-01T10:00:00+00:00"})
    facts = _facts(store)
    assert facts["incident.contacts_ready"].value is False
    assert facts["incident.drill_done"].state is FactState.UNKNOWN
    assert facts["incident.sheet_printed"].state is FactState.UNKNOWN
    assert facts["incident.kit_age_days"].value == pytest.approx(697, abs=1)


def test_provider_and_checks_are_registered() -> None:
    assert "incident.state" in registry.providers()
    assert {"M11.kit_recent", "M12.backup_verified"} <= set(registry.checks())


def test_her_answer_after_the_kit_wins_over_the_kit_generated(store: Store) -> None:
    """A kit generated is not a kit printed: "non" answered afterwards must not read
    "la fiche des six gestes est imprimée"."""
    store.put_state(MODULE, "kit", {"generated_at": "2026-11-20T10:00:00+00:00"})
    assert _facts(store)["incident.sheet_printed"].value is True
    store.put_answer("incident.sheet_printed", "no", "2026-11-25T10:00:00+00:00")
    fact = _facts(store)["incident.sheet_printed"]
    assert fact.state is FactState.UNKNOWN and fact.askable  # the answer fills it in
    # printed again after her answer: the new kit counts
    store.put_state(MODULE, "kit", {"generated_at": "2026-11-28T10:00:00+00:00"})
    assert _facts(store)["incident.sheet_printed"].value is True


def test_m12_evidence_follows_the_answer_no(store: Store) -> None:
    from hygie.audit import service

    record_kit(["html"], with_password=False, store=store)
    store.put_answer("incident.sheet_printed", "no")
    result = service.audit(ctx=service.make_context(store))
    m12 = next(m for m in result.measures if m.measure_id == "M12")
    printed = next(c for c in m12.checks if c.check_id == "M12.sheet_printed")
    assert printed.status is Status.WARN
    assert "n'est pas imprimée" in printed.evidence
