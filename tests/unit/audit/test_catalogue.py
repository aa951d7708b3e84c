"""Meta-tests on the measure catalogue: complete, consistent, covered on every OS."""

from __future__ import annotations

import pytest

from hygie.audit import registry
from hygie.audit.catalogue import CATALOGUE_DIR, load_catalogue
from hygie.i18n import set_language
from hygie.platform import ALL_PLATFORMS

# Derived from the YAML files (one per measure), never a hard-coded count: the ids must still be
# M01..Mnn without a gap (checked in tests/unit/test_extension_meta.py).
EXPECTED_IDS = sorted(p.stem for p in CATALOGUE_DIR.glob("M*.yaml"))


def test_all_thirteen_measures_present_in_order() -> None:
    assert [m.measure_id for m in load_catalogue()] == EXPECTED_IDS


def test_every_measure_is_complete() -> None:
    for m in load_catalogue():
        assert m.title and m.why and m.theme and m.source, m.measure_id
        assert m.severity in {"critical", "high", "medium"}
        assert m.priority >= 1
        for platform in ALL_PLATFORMS:
            steps = m.fix_steps(platform)
            assert len(steps) >= 2, (m.measure_id, platform)


def test_every_referenced_check_exists_and_every_check_is_used() -> None:
    checks = registry.checks()
    used = {ref.check_id for m in load_catalogue() for ref in m.checks}
    assert used <= set(checks), used - set(checks)
    assert set(checks) <= used, set(checks) - used
    for m in load_catalogue():
        for ref in m.checks:
            assert ref.check_id.startswith(m.measure_id + "."), ref.check_id


@pytest.mark.parametrize("platform", sorted(ALL_PLATFORMS))
def test_every_measure_has_an_automatic_check_or_a_question_on_each_os(platform: str) -> None:
    import importlib

    from hygie.audit.registry import probe_module

    # only the current OS's probes load by themselves (the platform seam): load this one's
    importlib.import_module(probe_module(platform))
    checks = registry.checks()
    provided = {k for p in registry.providers_for(platform) for k in p.facts}
    for m in load_catalogue():
        asked = {q.fact for q in m.questions if platform in q.platforms}
        coverable = [
            ref.check_id
            for ref in m.checks
            if all(f in provided or f in asked for f in checks[ref.check_id].facts)
        ]
        assert coverable, f"{m.measure_id} has nothing that works on {platform}"


def test_question_facts_are_used_by_a_check_of_their_measure() -> None:
    checks = registry.checks()
    for m in load_catalogue():
        facts = {f for ref in m.checks for f in checks[ref.check_id].facts}
        for q in m.questions:
            assert q.fact in facts, (m.measure_id, q.fact)


def test_required_catalogue_facts_from_the_leaflet() -> None:
    text = {m.measure_id: " ".join([m.why, *m.fix_steps("linux")]) for m in load_catalogue()}
    assert "patient.mssante.fr" in text["M04"] and "Mon Espace Santé" in text["M04"]
    assert "signal-spam.fr" in text["M04"]
    assert "dmp.fr" in text["M11"] and "e-CPS" in text["M11"]
    from hygie.incident import STEPS  # the six steps: one list, quoted word for word by M12

    m12 = " ".join(text["M12"].split())
    positions = [m12.index(f"{s.number}. {s.title}") for s in STEPS]
    assert positions == sorted(positions)


def test_catalogue_loads_in_english() -> None:
    set_language("en")
    m = {x.measure_id: x for x in load_catalogue()}
    assert m["M05"].title == "Accept updates, on a system that is still supported"
    set_language("fr")
    assert load_catalogue()[4].title.startswith("Accepter les mises à jour")
