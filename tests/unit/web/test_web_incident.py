"""The incident page's isolation action: nothing runs without the explicit confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from hygie.incident import network
from hygie.web.app import create_app
from hygie.web.security import Sessions


@pytest.fixture
def client() -> Iterator[TestClient]:
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1") as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace the real network change by a recorder: tests never touch the host's network."""
    calls: list[Any] = []

    def fake_apply(plan: network.Plan, folder: Any = None) -> network.Applied:
        calls.append(plan)
        return network.Applied(plan, tuple(c.display for c in plan.commands), None)

    fake_plan = network.Plan(
        "isolate",
        "linux",
        "ip",
        ("eth9",),
        (network.Command(("ip", "link", "set", "dev", "eth9", "down"), "linux"),),
    )
    monkeypatch.setattr(network, "apply", fake_apply)
    monkeypatch.setattr(network, "plan_isolate", lambda *a, **k: fake_plan)
    return calls


def _csrf(c: TestClient) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/incident").text)
    assert m is not None
    return m[1]


def test_incident_page_shows_the_six_steps_the_plan_and_the_confirmation(
    client: TestClient, applied: list[Any]
) -> None:
    html = client.get("/incident").text
    assert html.count("<li><strong>") == 6
    assert "ip link set dev eth9 down" in html
    assert 'name="confirmer" value="oui" required' in html
    assert applied == []  # showing the plan runs nothing


def test_isolation_without_confirmation_does_nothing(
    client: TestClient, applied: list[Any]
) -> None:
    r = client.post("/incident/isoler", data={"csrf_token": _csrf(client)})
    assert r.status_code == 200 and "Rien n&#39;a été fait" in r.text
    assert applied == []


def test_isolation_with_confirmation_runs_the_incident_module_plan(
    client: TestClient, applied: list[Any]
) -> None:
    r = client.post("/incident/isoler", data={"csrf_token": _csrf(client), "confirmer": "oui"})
    assert r.status_code == 200 and "Réseau coupé (1 commande(s))" in r.text
    assert [p.targets for p in applied] == [("eth9",)]


def test_kit_opens_as_a_print_view_and_is_recorded_for_the_audit(client: TestClient) -> None:
    from hygie.incident.state import kit_generated_at
    from hygie.store import open_store

    r = client.get("/incident/kit/imprimer")
    assert r.status_code == 200
    assert "content-disposition" not in r.headers  # a page to print, never a download
    assert "cybermalveillance" in r.text and "Imprimez puis fermez cette page" in r.text
    # its own <style> is allowed by hash only
    assert "style-src 'self' 'sha256-" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert kit_generated_at(open_store()) is not None


def test_kit_pdf(client: TestClient) -> None:
    r = client.get("/incident/kit.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def _contacts_form(c: TestClient, **over: str) -> dict[str, str]:
    data = {"csrf_token": _csrf(c), "practice": "Cabinet des Lilas"}
    data.update(
        it_provider_name="Info Services",
        it_provider_phone="01 23 45 67 89",
        it_provider_email="aide@info.example",
    )
    data.update(over)
    return data


def test_contacts_form_saves_the_kit_section_like_kit_setup(client: TestClient) -> None:
    from hygie.incident.kit import load_kit_config

    r = client.post("/incident/contacts", data=_contacts_form(client))
    assert r.status_code == 200 and "Contacts enregistrés" in r.text
    kc = load_kit_config()
    assert kc is not None and kc.contacts_ready and kc.practice == "Cabinet des Lilas"
    assert "Info Services" in client.get("/incident").text
    # the form shows what is saved
    assert 'value="01 23 45 67 89"' in client.get("/incident/contacts").text


def test_contacts_form_errors_keep_values_and_mark_the_field(client: TestClient) -> None:
    from hygie.incident.kit import load_kit_config

    r = client.post(
        "/incident/contacts",
        data=_contacts_form(client, it_provider_phone="appelez-moi", insurer_note="x" * 501),
    )
    assert r.status_code == 400
    assert 'id="it_provider_phone" name="it_provider_phone"' in r.text
    field = re.search(r'<input[^>]*id="it_provider_phone"[^>]*>', r.text)
    assert field is not None
    assert 'aria-invalid="true"' in field[0] and "it_provider_phone-erreur" in field[0]
    assert 'id="it_provider_phone-erreur"' in r.text and 'value="appelez-moi"' in r.text
    assert 'value="Cabinet des Lilas"' in r.text  # what she typed is still there
    assert "500 caractères au plus" in r.text
    assert load_kit_config() is None  # nothing saved


def test_drill_in_the_browser_writes_a_journal_and_is_recorded(
    client: TestClient, tmp_path: Path
) -> None:
    from hygie.incident import journal
    from hygie.incident.state import last_drill_at
    from hygie.store import open_store

    key = tmp_path / "CLE"
    key.mkdir()
    page = client.get(f"/incident/exercice?dossier={key}")
    assert f'value="{key}"' in page.text and page.text.count("Fait (pour l") == 6
    data = {"csrf_token": _csrf(client), "dossier": str(key), "description": "écran bleu"}
    data.update({f"etape{n}": "fait" for n in range(1, 7)})
    data["donnees"] = "non"
    r = client.post("/incident/exercice", data=data)
    assert r.status_code == 200 and "Exercice terminé et enregistré" in r.text
    folders = list(key.glob("hygie-exercice-*"))
    assert len(folders) == 1
    check = journal.verify(folders[0])
    assert check.intact and check.entries >= 8, check.to_dict()
    entries = journal.Journal.open(folders[0]).entries()
    steps = {e.get("step") for e in entries if e.get("kind") == "step"}
    assert steps >= {1, 2, 3, 4, 5}  # the guide's own entries (step 6 writes the drafts)
    ticked = [e for e in entries if e.get("kind") == "drill"]
    assert ticked and ticked[-1]["data"]["ticked"] == [1, 2, 3, 4, 5, 6]
    assert ticked[-1]["data"]["complete"] is True
    assert all(e.get("data", {}).get("drill") for e in entries if e.get("kind") == "step")
    assert last_drill_at(open_store()) is not None


def test_drill_with_unticked_steps_is_recorded_as_incomplete(
    client: TestClient, tmp_path: Path
) -> None:
    from hygie.store import open_store

    data = {"csrf_token": _csrf(client), "dossier": str(tmp_path), "etape1": "fait"}
    r = client.post("/incident/exercice", data=data)
    assert "incomplet" in r.text and "2, 3, 4, 5, 6" in r.text
    drills = open_store().get_state("incident", "drills")
    assert drills and drills[-1]["completed"] is False


def test_drill_refuses_a_folder_that_does_not_exist_with_the_value_kept(
    client: TestClient, tmp_path: Path
) -> None:
    missing = tmp_path / "nulle-part"
    data = {"csrf_token": _csrf(client), "dossier": str(missing), "description": "test"}
    r = client.post("/incident/exercice", data=data)
    assert r.status_code == 400 and "n&#39;existe pas" in r.text
    assert f'value="{missing}"' in r.text and 'aria-invalid="true"' in r.text
    assert not missing.exists()


def test_what_she_types_is_never_markup(client: TestClient) -> None:
    """A contact named like a script stays text on every page that shows it."""
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    r = client.post(
        "/incident/contacts",
        data=_contacts_form(client, it_provider_name=evil[:200], it_provider_note=evil),
    )
    assert r.status_code == 200
    for path in ("/incident", "/incident/contacts", "/incident/kit/imprimer"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html or "&lt;script" in html, path


def test_relay_set_up_from_the_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from hygie.config import load_config
    from hygie.mail import SECRET_UPSTREAM
    from hygie.secrets import get_secret

    monkeypatch.setenv("HYGIE_KEYRING", "file")  # never the host's keyring
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/messagerie").text)
    assert m is not None
    r = client.post(
        "/messagerie/relais",
        data={
            "csrf_token": m[1],
            "hote": "smtp.exemple.fr",
            "port": "587",
            "securite": "starttls",
            "politique": "reject",
            "utilisateur": "cabinet@exemple.fr",
            "mot_de_passe": "s3cret-du-cabinet",
        },
    )
    assert r.status_code == 200 and "Relais enregistré" in r.text
    relay = load_config()["mail"]["relay"]
    assert relay["upstream"] == "smtp.exemple.fr:587" and relay["policy"] == "reject"
    assert "s3cret" not in str(load_config())  # the password is in the keyring only
    assert get_secret(SECRET_UPSTREAM) == "s3cret-du-cabinet"
    assert "smtp.exemple.fr:587" in client.get("/messagerie").text
