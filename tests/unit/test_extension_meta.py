"""Meta-tests that keep the extension points honest (issue #15).

* every OS probe that claims Windows or macOS is exercised by that OS's recorded machine
  (tests/machines.py, from tests/fixtures/cmd/<os>/): each command it runs has a recorded output
  and the recording makes at least one of its facts known — or it reads files, and its fixture
  folder exists (FILE_PROBES below);
* no measure count is hard-coded: the catalogue is M01..Mnn from its YAML files without a gap,
  no ``range(1, N)`` builds measure ids, and every text stating the count ("les 13 mesures",
  "M01 à M13") agrees with the catalogue (adding M14 fails here, naming each text to update);
* every backup DestinationKind has a French label with an English translation: already enforced
  by tests/unit/backup/test_backup_kinds.py::test_every_kind_is_complete (not repeated here).
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from hygie import proc
from hygie.audit import registry
from hygie.audit.catalogue import CATALOGUE_DIR
from hygie.audit.context import ProbeContext
from hygie.audit.model import FactState
from hygie.platform import PlatformName
from tests.helpers import FIXTURES, ReplayRunner
from tests.machines import Spec, mac_machine_outputs, windows_fr_machine

SRC = Path(__file__).resolve().parents[2] / "src" / "hygie"
TESTS = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)

# A recorded machine per non-Linux OS a probe may claim (Linux probes run for real in CI).
MACHINES: dict[str, tuple[Callable[[], dict[tuple[str, ...], Spec]], str]] = {
    "windows": (windows_fr_machine, "infirmiere"),
    "darwin": (mac_machine_outputs, "claire"),
}

# Probes that read files rather than run commands: their fixture folder under
# tests/fixtures/cmd/<os>/ must exist and hold at least one file.
FILE_PROBES: dict[str, str] = {
    "windows.thunderbird": "thunderbird",  # profiles.ini / prefs.js
    "darwin.thunderbird": "thunderbird",
    "darwin.software": "applications",  # /Applications listing
}
# Probes with nothing to read on that OS: they must say "not applicable", never known.
NOTHING_TO_READ: dict[str, str] = {
    "darwin.autorun": "macOS has no AutoRun: media.autorun_disabled is not applicable",
}


def _os_probes() -> list[tuple[str, str]]:
    for os_name in MACHINES:
        importlib.import_module(f"hygie.audit.probes.{os_name}")  # registers that OS's probes
    out = []
    for p in registry.providers().values():
        if p.kind != "probe":
            continue
        out += [(os_name, p.name) for os_name in sorted(p.platforms) if os_name != "linux"]
    return sorted(out)


OS_PROBES = _os_probes()


def test_every_claimed_os_has_a_recorded_machine() -> None:
    assert OS_PROBES, "no Windows/macOS probe found: the meta-test would check nothing"
    claimed = {os_name for os_name, _ in OS_PROBES}
    assert claimed <= set(MACHINES), f"record a machine for {claimed - set(MACHINES)}"
    assert {"windows", "darwin"} <= claimed


@pytest.mark.parametrize(("os_name", "name"), OS_PROBES)
def test_probe_is_exercised_by_its_os_recording(os_name: str, name: str, tmp_path: Path) -> None:
    machine_fn, user = MACHINES[os_name]
    outputs = {" ".join(argv): spec for argv, spec in machine_fn().items()}
    runner = ReplayRunner(outputs)
    ctx = ProbeContext(
        platform=cast(PlatformName, os_name),
        root=tmp_path,
        home=tmp_path / "home",
        user=user,
        now=NOW,
    )
    with proc.use_runner(runner):
        facts = list(registry.providers()[name].fn(ctx))
    commands = [argv for argv in runner.calls if argv and argv[0] != "__which__"]
    unrecorded = [" ".join(a)[:80] for a in commands if " ".join(a) not in outputs]
    assert not unrecorded, f"{name} runs commands no recorded {os_name} machine has: {unrecorded}"
    if name in FILE_PROBES:
        folder = FIXTURES / "cmd" / os_name / FILE_PROBES[name]
        assert folder.is_dir() and any(folder.iterdir()), f"{name}: no fixtures in {folder}"
    elif name in NOTHING_TO_READ:
        assert facts and all(f.state is FactState.NOT_APPLICABLE for f in facts), name
    else:
        assert commands, f"{name} ran no command on the recorded {os_name} machine"
        known = [f.key for f in facts if f.state is FactState.KNOWN]
        assert known, f"{name}: the recorded {os_name} machine makes none of its facts known"


def test_listed_probes_exist() -> None:
    names = {n for _, n in OS_PROBES}
    stale = (set(FILE_PROBES) | set(NOTHING_TO_READ)) - names
    assert not stale, f"no such probe any more: {stale}"


def _measure_ids() -> list[str]:
    return sorted(p.stem for p in CATALOGUE_DIR.glob("M*.yaml"))


def test_catalogue_ids_are_contiguous() -> None:
    ids = _measure_ids()
    assert ids and ids == [f"M{i:02d}" for i in range(1, len(ids) + 1)], ids


_TEXT_SUFFIXES = {".py", ".j2", ".html", ".yaml", ".md"}
_RANGE_IDS = re.compile(r"M\{[^}]*:02d\}[^\n]*range\(\s*1\s*,\s*(\d+)\s*\)")
_COUNT = re.compile(r"\b(\d{1,2}) (?:mesures|measures)\b")
_SPAN = re.compile(r"\bM01 ?(?:à|-|–|to) ?(M\d{2})\b")


def _texts(*roots: Path) -> list[tuple[Path, str]]:
    return [
        (p, p.read_text(encoding="utf-8"))
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.suffix in _TEXT_SUFFIXES and p.is_file() and ".venv" not in p.parts
    ]


def test_no_measure_ids_built_from_a_hard_coded_range() -> None:
    """``[f"M{i:02d}" for i in range(1, 14)]`` goes stale at M14: use tests.helpers.measure_ids."""
    n = len(_measure_ids())
    bad = [
        f"{p}: {m[0]}"
        for p, text in _texts(SRC, TESTS)
        if p != Path(__file__).resolve()
        for m in _RANGE_IDS.finditer(text)
        if int(m[1]) == n + 1  # a synthetic list of another length is not the catalogue
    ]
    assert not bad, f"derive measure ids from the catalogue's YAML files: {bad}"
    assert _RANGE_IDS.search('[f"M{i:02d}" for i in range(1, 14)]')  # the pattern itself works


def test_texts_stating_the_measure_count_agree_with_the_catalogue() -> None:
    ids = _measure_ids()
    wrong = []
    seen = 0
    for p, text in _texts(SRC):
        for m in _COUNT.finditer(text):
            seen += 1
            if int(m[1]) != len(ids):
                wrong.append(f"{p.relative_to(SRC)}: {m[0]!r}")
        for m in _SPAN.finditer(text):
            seen += 1
            if m[1] != ids[-1]:
                wrong.append(f"{p.relative_to(SRC)}: {m[0]!r}")
    assert seen, "the pattern found no text at all: it would check nothing"
    assert not wrong, f"the catalogue has {len(ids)} measures; update (and its .po): {wrong}"


@pytest.mark.parametrize("os_name", ["windows", "darwin"])
def test_every_recorded_output_folder_has_its_provenance(os_name: str) -> None:
    """Windows and macOS outputs are reconstructions: each folder says where its format comes
    from in tests/fixtures/cmd/README.md (a row naming the folder)."""
    cmd = Path(__file__).parents[1] / "fixtures" / "cmd"
    readme = (cmd / "README.md").read_text(encoding="utf-8")
    folders = sorted(d.name for d in (cmd / os_name).iterdir() if d.is_dir())
    assert folders, "no recorded outputs found"
    missing = [f for f in folders if f"`{f}/`" not in readme]
    assert not missing, f"add a provenance row to tests/fixtures/cmd/README.md for: {missing}"
