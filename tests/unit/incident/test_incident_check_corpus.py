"""``hygie incident check`` by content on a labelled corpus (tests/incident_corpus.py): every
ransomware-like folder is flagged, no normal folder is; the rates are printed at the end of the
run ("measured by the tests") and recorded in docs/benchmarks.md."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hygie.incident.signs import scan
from incident_corpus import KEPT_KINDS, NORMAL, RANSOMWARE


@pytest.mark.parametrize("name", sorted(RANSOMWARE))
def test_ransomware_like_folder_is_flagged(
    name: str, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    folder = tmp_path / name
    encrypted = RANSOMWARE[name](folder, random.Random(14))
    report = scan([folder])
    assert report.sampled == report.files  # every file read by content, whatever its name
    assert report.found, report.to_dict()
    caught = report.flagged
    # the OLE .doc has no recognisable end: not in this corpus; all others are caught
    assert caught >= encrypted * 0.95, (caught, report.to_dict())
    record_property(
        "summary",
        f"incident check, ransomware-like {name}: flagged, {caught}/{encrypted} files "
        f"({100 * caught / encrypted:.0f} %)",
    )


@pytest.mark.parametrize("name", sorted(NORMAL))
def test_normal_folder_raises_no_alarm(
    name: str, tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    folder = tmp_path / name
    n = NORMAL[name](folder, random.Random(14))
    report = scan([folder])
    assert report.sampled == report.files == n
    assert not report.found and report.flagged == 0, report.to_dict()
    record_property(
        "summary",
        f"incident check, normal {name}: no alarm, {report.flagged}/{n} files flagged (0 %)",
    )


def test_kept_head_is_caught_for_each_type(tmp_path: Path) -> None:
    from hygie.incident.content import classify

    folder = tmp_path / "k"
    RANSOMWARE["kept_head"](folder, random.Random(1))
    missed = []
    for p in sorted(folder.iterdir()):
        c = classify(str(p), p.stat().st_size, p.suffix)
        if c.verdict not in ("broken", "random"):
            missed.append((p.suffix, c.verdict, c.format))
    assert missed == [], missed
    assert {p.suffix.lstrip(".") for p in folder.iterdir()} == set(KEPT_KINDS)


def test_a_few_random_files_among_many_are_not_an_alarm(tmp_path: Path) -> None:
    """Two VeraCrypt-like containers in a folder of 120 edited documents: below the
    thresholds (10 files, or 3 making half the sample)."""
    folder = tmp_path / "docs"
    NORMAL["edited"](folder, random.Random(2))
    for i in range(2):
        (folder / f"coffre-{i}.hc").write_bytes(random.randbytes(50_000))
    assert not scan([folder]).found


def test_nothing_sampled_is_not_a_pass(tmp_path: Path) -> None:
    from hygie.incident.attack_check import verdict_for

    empty = tmp_path / "vide"
    empty.mkdir()
    (empty / "zero").write_bytes(b"")
    report = scan([empty])
    assert report.sampled == 0 and not report.conclusive
    verdict, _next = verdict_for(report)
    assert "rien conclure" in verdict


def test_cli_check_of_nothing_exits_59(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from incident_helpers import run_cli

    empty = tmp_path / "vide"
    empty.mkdir()
    code, out, _err = run_cli(["incident", "check", str(empty)], capsys)
    assert code == 59 and "rien conclure" in " ".join(out.split())
    code, out, _err = run_cli(["incident", "check", str(empty), "--json"], capsys)
    doc = json.loads(out)
    assert code == 59 and doc["status"] == "unknown" and doc["data"]["status"] == "unknown"
    assert doc["data"]["sampled"] == 0 and doc["data"]["conclusive"] is False
