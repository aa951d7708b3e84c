"""Not one command in the dashboard: every page, in every state it has, is rendered and its
visible text searched for a ``hygie …`` command or an ``--option``.

Visible means what she reads: the folded "Détails techniques" (raw tool output for the IT
provider) and the printed documents' bodies (the recovery sheet's restic commands are for
whoever restores without hygie) are left out; everything else counts, in French and English.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import typer
from starlette.testclient import TestClient

from hygie.errors import AppError, all_error_classes
from hygie.web.app import create_app
from hygie.web.base import WebState
from hygie.web.failures import failure_of
from hygie.web.plain import plain, shows_command
from hygie.web.security import Sessions


def _commands() -> frozenset[str]:
    """Every command path of the CLI ("backup setup", "kit", "audit"…), from the CLI itself
    (its groups load their commands lazily: asked through the groups' own interface)."""
    from hygie.cli.app import app

    out: set[str] = set()

    def walk(cmd: Any, ctx: Any, prefix: str) -> None:
        if not hasattr(cmd, "list_commands"):
            return
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None:
                continue
            path = f"{prefix} {name}".strip()
            if not hasattr(sub, "list_commands") or sub.invoke_without_command:
                out.add(path)
            walk(sub, type(ctx)(sub, parent=ctx, info_name=name), path)

    root = typer.main.get_command(app)
    walk(root, root.make_context("hygie", [], resilient_parsing=True), "")
    assert {"audit", "backup setup", "kit", "incident start"} <= out, sorted(out)
    return frozenset(out)


COMMANDS = _commands()


class _Visible(HTMLParser):
    """Text a person sees: not scripts, styles, folded technical details or input values."""

    SKIP = frozenset({"script", "style", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hide = tag in self.SKIP or (tag == "details" and "tech" in (a.get("class") or ""))
        if tag in ("input", "br", "meta", "link", "img"):
            if tag == "input" and a.get("type") in ("submit", "button"):
                self.parts.append(a.get("value") or "")
            return
        self.stack.append((tag, hide))
        self.hidden += hide
        for attr in ("aria-label", "placeholder", "title"):
            if a.get(attr) and not self.hidden:
                self.parts.append(str(a[attr]))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, hide = self.stack.pop()
            self.hidden -= hide
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def assert_no_command(html: str, where: str) -> None:
    text = visible(html)
    assert len(text) > 80, f"{where}: nothing visible?"  # the check is never vacuous
    found = shows_command(text, COMMANDS)
    assert found == [], f"{where} shows {found}"


def test_the_detector_catches_the_terminal_wording() -> None:
    """Control: the catalogue's terminal steps do name commands, and are caught."""
    from hygie.audit.catalogue import load_catalogue

    cat = {m.measure_id: m for m in load_catalogue()}
    cli = " ".join(cat["M12"].fix_steps("linux"))
    assert {"hygie kit setup", "--pdf", "--drill"} <= set(shows_command(cli, COMMANDS))
    web = " ".join(cat["M12"].dashboard_steps("linux"))
    assert shows_command(web, COMMANDS) == []
    html = "<p>ok " + "x" * 90 + '</p><details class="tech"><pre>restic --repo x</pre></details>'
    assert "--repo" not in visible(html)


def _csrf(c: TestClient, path: str = "/") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m is not None
    return m[1]


@pytest.fixture
def home_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    return home


@pytest.fixture
def dash(home_dir: Path) -> Iterator[tuple[TestClient, WebState]]:
    sessions = Sessions()
    app, st = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        yield c, st


def _wait(st: WebState, kind: str) -> Any:
    job = st.jobs.latest(kind)
    assert job is not None
    deadline = time.monotonic() + 120
    while job.running and time.monotonic() < deadline:
        st.jobs.wait_change(job, job.version, 1.0)
    assert not job.running
    return job


PAGES = (
    "/",
    "/questionnaire",
    "/historique",
    "/sauvegardes",
    "/cle-usb",
    "/messagerie",
    "/incident",
    "/incident/contacts",
    "/incident/exercice",
    "/logiciel-indisponible",
    "/choisir",
    "/choisir?chemin=/etc",
    "/composants",
    "/page-qui-n-existe-pas",
)


def _all_pages(c: TestClient, label: str) -> int:
    n = 0
    for path in PAGES:
        r = c.get(path)
        assert_no_command(r.text, f"{label} {path}")
        n += 1
    for mid in range(1, 14):
        r = c.get(f"/mesures/M{mid:02d}")
        assert r.status_code == 200
        assert_no_command(r.text, f"{label} M{mid:02d}")
        n += 1
    steps = len(re.findall(r"<h2", c.get("/questionnaire").text)) + 12
    for i in range(1, steps):
        r = c.get(f"/questionnaire?etape={i}")
        assert_no_command(r.text, f"{label} questionnaire step {i}")
        n += 1
    return n


def test_every_page_before_and_after_an_audit_in_both_languages(
    dash: tuple[TestClient, WebState],
) -> None:
    c, st = dash
    assert _all_pages(c, "fresh") > 20
    c.post("/bilan", data={"csrf_token": _csrf(c)})
    job = _wait(st, "audit")
    assert job.state == "done"
    assert_no_command(c.get(f"/taches/{job.job_id}").text, "audit job")
    _all_pages(c, "audited")
    c.post("/langue", data={"csrf_token": _csrf(c), "lang": "en", "next": "/"})
    assert 'lang="en"' in c.get("/").text
    _all_pages(c, "english")


def test_forms_in_their_error_states(dash: tuple[TestClient, WebState], tmp_path: Path) -> None:
    c, _st = dash
    posts = [
        ("/sauvegardes/configurer", {"type": "disque", "sources": "", "dossier": ""}),
        ("/sauvegardes/configurer", {"type": "disque", "sources": "x" * 9000, "dossier": "/"}),
        ("/sauvegardes/configurer", {"type": "s3", "s3_url": "ftp://x", "s3_key": ""}),
        ("/cle-usb/analyse", {"chemin": "/" + "a" * 9000}),
        ("/cle-usb/analyse", {"chemin": "relatif"}),
        ("/cle-usb/copie", {"source": str(tmp_path / "absent"), "destination": ""}),
        ("/messagerie/relais", {"hote": "pas un hôte", "port": "99999"}),
        ("/incident/contacts", {"it_provider_phone": "pas un numéro"}),
        ("/incident/exercice", {"dossier": str(tmp_path / "absent")}),
    ]
    for path, data in posts:
        r = c.post(path, data={"csrf_token": _csrf(c), **data})
        assert r.status_code == 400, (path, r.status_code)
        assert 'aria-invalid="true"' in r.text, path
        assert "Un problème est survenu" not in r.text, path
        assert_no_command(r.text, f"error state of {path}")


def test_a_failed_job_and_the_engine_status_in_plain_words(
    dash: tuple[TestClient, WebState], hygie_home: Path, tmp_path: Path
) -> None:
    """No antivirus reachable: the page says so in French, the raw output is folded away."""
    c, st = dash
    (hygie_home / "config").mkdir(parents=True, exist_ok=True)
    (hygie_home / "config" / "config.toml").write_text(
        f'[media]\nclamd = "unix:{tmp_path / "absent.sock"}"\n', encoding="utf-8"
    )
    c.post("/cle-usb/antivirus", data={"csrf_token": _csrf(c, "/cle-usb")})
    job = _wait(st, "engine")
    assert job.state == "failed"
    for path in (f"/taches/{job.job_id}", "/cle-usb"):
        html = c.get(path).text
        assert_no_command(html, path)
        assert "ClamAV" in visible(html) and "Détails techniques" in html


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_has_a_dashboard_wording(cls: type[AppError]) -> None:
    params = {
        "detail": "Fatal: unable to open repository --repo /x: read-only file system",
        "destination": "disque",
        "label": "SAUVEGARDE",
        "path": "/media/CLE",
        "host": "0.0.0.0",
        "port": 8000,
        "tool": "restic",
        "install": "sudo apt install restic",
        "line": 3,
        "device": "/dev/sdb1",
        "not_scanned": 2,
        "target": "/tmp/x",
        "action": "couper le réseau",
    }
    exc = cls(**params)
    f = failure_of(exc)
    shown = f"{f.message} {f.hint} {f.action_label}"
    assert shows_command(shown, COMMANDS) == [], (cls.__name__, shown)
    assert f.message and f.hint
    assert "read-only file system" not in shown  # raw tool output only in the details
    assert "read-only file system" in f.details or "detail" not in cls.message_fr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hygie backup n'est pas configuré (« hygie backup setup »)",
            "hygie backup n'est pas configuré",
        ),
        ("aucun test de restauration (« hygie backup verify »)", "aucun test de restauration"),
        ("pas encore examiné : lancez « hygie mail exposure »", "pas encore examiné"),
        ("kit jamais édité : hygie kit --pdf", "kit jamais édité"),
        (
            "à renseigner dans le questionnaire (hygie questionnaire)",
            "à renseigner dans le questionnaire",
        ),
        ("indiquez un dossier (--source)", "indiquez un dossier"),
        ('Configure it first: "hygie backup setup".', "Configure it first."),
        ("Relancez « hygie backup run ». Rien n'est perdu.", "Rien n'est perdu."),
    ],
)
def test_plain_takes_commands_out_and_keeps_the_sentence(text: str, expected: str) -> None:
    assert plain(text) == expected
    assert shows_command(plain(text), COMMANDS) == []


@pytest.mark.parametrize("platform", ["linux", "windows", "darwin"])
def test_every_measure_s_dashboard_steps_on_every_os(platform: str) -> None:
    """The measure pages show the steps of the audited OS: none of them names a command."""
    from hygie.audit.catalogue import load_catalogue

    for m in load_catalogue():
        steps = " ".join(plain(s) for s in m.dashboard_steps(platform))
        assert shows_command(steps, COMMANDS) == [], (m.measure_id, platform, steps)


def test_hostile_parameters_give_a_page_not_a_crash(dash: tuple[TestClient, WebState]) -> None:
    c, _st = dash
    huge = "9" * 5000
    for path in (
        f"/questionnaire?etape={huge}",
        f"/rapport.html?bilan={huge}",
        "/questionnaire?etape=-1",
        "/questionnaire?etape=٣",  # a digit that is not ASCII
        "/mesures/M99",
        "/mesures/%2e%2e",
        f"/taches/{huge}",
    ):
        r = c.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert "Un problème est survenu" not in r.text, path
    for data in ({"etape": huge}, {"etape": "x"}, {"action": "<script>"}):
        r = c.post("/questionnaire", data={"csrf_token": _csrf(c), **data})
        assert r.status_code == 200, data
    r = c.post("/messagerie/relais", data={"csrf_token": _csrf(c), "hote": "a.fr", "port": "٥٨٧"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.text
