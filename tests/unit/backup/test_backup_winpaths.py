"""restic's Windows paths (``/C/Users/…``) mapped to the nurse's (``C:\\Users\\…``) and back,
and a restore test that compared nothing is a failure on every OS."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from hygie.backup.verifying import parse_ls, sample_pairs
from hygie.backup.winpaths import native_from_restored, restored_location, to_native, to_restic

FIXTURE = Path(__file__).parents[2] / "fixtures" / "cmd" / "windows" / "restic_ls" / "latest.jsonl"


@pytest.mark.parametrize(
    ("restic", "native"),
    [
        ("/C/Users/Infirmiere/Documents", "C:\\Users\\Infirmiere\\Documents"),
        ("/d/Cabinet/base cabinet.db", "D:\\Cabinet\\base cabinet.db"),
        ("/C", "C:\\"),
        ("/C/Users/Infirmiere/Documents/Tournées", "C:\\Users\\Infirmiere\\Documents\\Tournées"),
    ],
)
def test_windows_round_trip(restic: str, native: str) -> None:
    assert to_native(restic, windows=True) == native
    assert to_restic(native, windows=True) == "/" + restic[1].upper() + restic[2:]
    assert to_native(to_restic(native, windows=True), windows=True) == native


def test_posix_paths_are_left_alone() -> None:
    for p in ("/home/ide/Documents", "/C/Users/x", "/tmp"):
        assert to_native(p, windows=False) == p
        assert to_restic(p, windows=False) == p
    # on Windows a POSIX-looking path that is not a drive is not invented into one
    assert to_native("/tmp/x", windows=True) == "/tmp/x"
    assert to_restic("relative\\file.txt", windows=True) == "relative/file.txt"


def test_restored_location_and_back(tmp_path: Path) -> None:
    where = restored_location(tmp_path, "/C/Users/Infirmiere/Documents/agenda.ics")
    assert where == tmp_path / "C" / "Users" / "Infirmiere" / "Documents" / "agenda.ics"
    rel = where.relative_to(tmp_path).parts
    assert native_from_restored(rel, windows=True) == str(
        PureWindowsPath("C:\\Users\\Infirmiere\\Documents\\agenda.ics")
    )
    assert native_from_restored(rel, windows=False) == "/C/Users/Infirmiere/Documents/agenda.ics"


def test_recorded_windows_ls_is_compared_under_c_drive_names(tmp_path: Path) -> None:
    """restic ls --json of a Windows snapshot (tests/fixtures/cmd/README.md): the sample is
    compared with C:\\ files, and restored where restic puts them."""
    snap, nodes = parse_ls(FIXTURE.read_text(encoding="utf-8"))
    assert snap.startswith("7d1e2f3a") and len(nodes) == 3  # files only, no folders
    pairs = sample_pairs(nodes, tmp_path, windows=True)
    sources = sorted(str(p[0]) for p in pairs)
    assert sources == [
        "C:\\Users\\Infirmiere\\Documents\\Tournées\\tournée-lundi.xlsx",
        "C:\\Users\\Infirmiere\\Documents\\agenda.ics",
        "C:\\Users\\Infirmiere\\Documents\\base cabinet.db",
    ]
    restored = {p[1] for p in pairs}
    assert tmp_path / "C" / "Users" / "Infirmiere" / "Documents" / "agenda.ics" in restored
    assert {p[2] for p in pairs} == {31, 18342, 409600}
    assert all(p[3] > 0 for p in pairs)  # mtimes with 100 ns precision are read


def test_zero_files_compared_is_a_failure(tmp_path: Path) -> None:
    """None of the recorded C:\\ files exists here: nothing can be compared, and the test
    fails instead of saying OK having tested nothing (issue #10)."""
    from hygie.backup import verifying
    from hygie.backup.errors import VerifyFailed

    _snap, nodes = parse_ls(FIXTURE.read_text(encoding="utf-8"))
    pairs = sample_pairs(nodes, tmp_path, windows=True)
    checked, checked_bytes, mismatches = verifying._compare(pairs)
    assert (checked, checked_bytes, mismatches) == (0, 0, [])
    with pytest.raises(VerifyFailed) as exc:
        verifying.require_compared("C", checked, pairs)
    assert "aucun fichier" in exc.value.render()
    with pytest.raises(VerifyFailed):
        verifying.require_compared("C", 0, [])
    verifying.require_compared("C", 1, pairs)  # one compared file is enough to go on
