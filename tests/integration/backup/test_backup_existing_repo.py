"""setup on an existing repository never makes up a new password (issue #14): it asks for
the one on the recovery sheet and checks that it opens the repository (real restic)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hygie import backup
from hygie.cli.app import main
from hygie.secrets import delete_secret, get_secret
from hygie.store import open_store

pytestmark = pytest.mark.integration


def _cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str
) -> tuple[int, dict[str, object], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    cap = capsys.readouterr()
    return int(exc.value.code or 0), (json.loads(cap.out) if cap.out.strip() else {}), cap.err


def test_lost_password_file_then_setup_asks_for_the_sheet(
    source_tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = tmp_path / "disque" / "hygie"
    repo.parent.mkdir()
    backup.setup([str(source_tree)], [str(repo)], pdf=False)
    assert backup.run().ok
    sheet_password = get_secret(backup.password_secret("local"))
    assert sheet_password
    cfg = backup.load_config(open_store())
    assert cfg is not None
    repo_id = cfg.destinations[0].repo_id
    delete_secret(backup.password_secret("local"))  # the password file is lost

    args = ("backup", "setup", "--source", str(source_tree), "--destination", str(repo))
    rc, _doc, err = _cli(capsys, monkeypatch, "", *args, "--yes", "--no-pdf")
    assert rc == 56, err
    text = " ".join(err.split())
    assert "ne crée pas de nouveau mot de passe" in text and "fiche de récupération" in text
    assert get_secret(backup.password_secret("local")) is None  # nothing made up, nothing kept

    rc, _doc, err = _cli(
        capsys, monkeypatch, "pas-le-bon\n", *args, "--yes", "--no-pdf", "--password-stdin"
    )
    assert rc == 13, err  # WrongPassword: checked against the repository
    assert get_secret(backup.password_secret("local")) is None

    rc, doc, err = _cli(
        capsys,
        monkeypatch,
        sheet_password + "\n",
        *args,
        "--yes",
        "--no-pdf",
        "--password-stdin",
        "--json",
    )
    assert rc == 0, err
    data = doc["data"]
    assert isinstance(data, dict)
    assert data["opened"] == ["local"] and data["created"] == []
    assert data["destinations"][0]["repo_id"] == repo_id  # the same repository
    assert get_secret(backup.password_secret("local")) == sheet_password
    assert backup.run().ok and backup.verify().ok  # and its snapshots are all there
    assert backup.status().destinations[0].snapshots == 2


def test_api_takes_the_sheet_password(source_tree: Path, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    backup.setup([str(source_tree)], [str(repo)], pdf=False)
    good = get_secret(backup.password_secret("local")) or ""
    delete_secret(backup.password_secret("local"))
    with pytest.raises(backup.ExistingRepositoryPassword):
        backup.setup([str(source_tree)], [str(repo)], pdf=False)
    res = backup.setup([str(source_tree)], [str(repo)], pdf=False, passwords={str(repo): good})
    assert res.opened == ("local",)
