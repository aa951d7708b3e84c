"""The folder chooser, attacked: never a folder outside her home and the external disks."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from hygie.web import pickers
from hygie.web.app import create_app
from hygie.web.security import Sessions


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "infirmiere"
    (h / "Documents" / "Cabinet").mkdir(parents=True)
    (h / "Desktop").mkdir()
    (h / ".cache").mkdir()
    (tmp_path / "secret-voisin").mkdir()
    os.symlink(tmp_path / "secret-voisin", h / "raccourci-dehors")
    os.symlink("/etc", h / "etc-lien")
    os.symlink(h / "Documents", h / "raccourci-dedans")
    monkeypatch.setenv("HOME", str(h))
    return h


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c


def listing(c: TestClient, chemin: str, **extra: str) -> tuple[int, str]:
    q = urllib.parse.urlencode(
        {"chemin": chemin, "champ": "dossier", "retour": "/cle-usb", **extra}
    )
    r = c.get(f"/choisir?{q}")
    return r.status_code, r.text


def test_known_folders_first_then_the_tree(client: TestClient, home: Path) -> None:
    status, html = listing(client, "")
    assert status == 200
    assert "Documents" in html and "Bureau" in html and "Dossier personnel" in html
    _s, html = listing(client, str(home / "Documents"))
    assert "Cabinet" in html and "Choisir ce dossier" in html
    back = re.search(r'href="(/cle-usb\?dossier=[^"]+)"', html)
    assert back is not None
    assert urllib.parse.unquote(back[1].split("=", 1)[1].replace("&amp;", "&")) == str(
        home / "Documents"
    )


@pytest.mark.parametrize(
    "attack",
    [
        "/etc",
        "/",
        "{home}/../secret-voisin",
        "{home}/Documents/../../secret-voisin",
        "{home}/raccourci-dehors",
        "{home}/etc-lien",
        "../../etc",
        "Documents",
        "{home}/Documents\x00/etc",
        "/" + "a" * 9000,
    ],
)
def test_nothing_outside_is_ever_listed(client: TestClient, home: Path, attack: str) -> None:
    status, html = listing(client, attack.format(home=home))
    assert status == 200
    assert "ne peut pas être choisi" in html
    assert "Choisir ce dossier" not in html
    assert "passwd" not in html and "hostname" not in html


def test_symlinks_leading_out_are_not_offered(client: TestClient, home: Path) -> None:
    _s, html = listing(client, str(home))
    assert "raccourci-dedans" in html  # stays in her home: fine
    assert "raccourci-dehors" not in html and "etc-lien" not in html
    assert ".cache" not in html


def test_the_way_back_is_a_local_page_only(client: TestClient, home: Path) -> None:
    for retour in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        _s, html = listing(client, str(home), retour=retour)
        assert "evil.example" not in html and "javascript:" not in html
    _s, html = listing(client, str(home), champ='x" onclick="alert(1)')
    assert "onclick" not in html


def test_allowed_resolves_inside_only(home: Path, tmp_path: Path) -> None:
    inside = pickers.allowed(str(home / "raccourci-dedans"))
    assert inside == (home / "Documents").resolve()
    assert pickers.allowed(str(tmp_path)) is None
    assert pickers.allowed("relative/path") is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "Choisissez un dossier"),
        ("relatif", "chemin complet"),
        ("/" + "x" * 5000, "trop long"),
        ("/a\x00b", "caractère invalide"),
        ("/nulle/part", "n'existe pas"),
    ],
)
def test_checked_folder(raw: str, problem: str) -> None:
    path, why = pickers.checked_folder(raw)
    assert path == "" and problem in why
