"""The dashboard's security model, each rule with plain HTTP clients (no browser)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from hygie.web.app import create_app
from hygie.web.errors import RemoteListenRefused
from hygie.web.security import Sessions, host_name, is_loopback
from hygie.web.server import check_listen

BASE = "http://127.0.0.1"


@pytest.fixture
def app_and_sessions() -> tuple[object, Sessions]:
    sessions = Sessions()
    app, _state = create_app(sessions=sessions, max_body=64 * 1024)
    return app, sessions


@pytest.fixture
def client(app_and_sessions: tuple[object, Sessions]) -> Iterator[TestClient]:
    app, sessions = app_and_sessions
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        r = c.get(f"/?token={sessions.token}", follow_redirects=False)
        assert r.status_code == 303
        yield c


def csrf_of(client: TestClient, path: str = "/") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m is not None
    return m.group(1)


def test_token_becomes_an_httponly_samesite_strict_cookie_and_leaves_the_url(
    app_and_sessions: tuple[object, Sessions],
) -> None:
    app, sessions = app_and_sessions
    with TestClient(app, base_url=BASE) as c:  # type: ignore[arg-type]
        r = c.get(f"/questionnaire?token={sessions.token}&etape=2", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/questionnaire?etape=2"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_token_is_one_time(app_and_sessions: tuple[object, Sessions]) -> None:
    app, sessions = app_and_sessions
    with TestClient(app, base_url=BASE) as first:  # type: ignore[arg-type]
        assert first.get(f"/?token={sessions.token}").status_code == 200
    with TestClient(app, base_url=BASE) as second:  # type: ignore[arg-type]
        r = second.get(f"/?token={sessions.token}")
    assert r.status_code == 403
    assert "ne sert qu&#39;une fois" in r.text and "hygie serve" not in r.text


@pytest.mark.parametrize("path", ["/", "/historique", "/static/hygie.css", "/rapport.pdf", "/x"])
def test_every_request_needs_the_session(
    app_and_sessions: tuple[object, Sessions], path: str
) -> None:
    app, _ = app_and_sessions
    with TestClient(app, base_url=BASE) as c:  # type: ignore[arg-type]
        r = c.get(path)
        assert r.status_code == 403
        assert c.get(path + "?token=wrong").status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.10", "0.0.0.0"])
def test_host_header_must_be_loopback(client: TestClient, host: str) -> None:
    r = client.get("/", headers={"host": host})
    assert r.status_code == 400
    assert "Adresse refusée" in r.text


@pytest.mark.parametrize("host", ["localhost:1234", "127.0.0.1", "[::1]:80"])
def test_loopback_hosts_are_accepted(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/bilan", {}),
        ("/langue", {"lang": "en"}),
        ("/questionnaire", {"etape": "1"}),
        ("/mesures/M10", {"q:cloud.hds_certified": "yes"}),
        ("/messagerie/adresses", {"adresses": "a@gmail.com"}),
        ("/cle-usb/analyse", {"chemin": "/tmp"}),
    ],
)
def test_state_changing_requests_need_the_csrf_token(
    client: TestClient, path: str, data: dict[str, str]
) -> None:
    r = client.post(path, data=data, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post(path, headers={"x-csrf-token": "forged"}, follow_redirects=False)
    assert r.status_code == 403


def test_csrf_token_lets_the_form_through(client: TestClient) -> None:
    token = csrf_of(client)
    r = client.post("/langue", data={"lang": "en", "csrf_token": token, "next": "//evil"})
    assert r.status_code == 200
    assert '<html lang="en">' in r.text  # and the open redirect was refused: we are home
    assert str(r.url).endswith("/")


def test_security_headers_on_pages_errors_and_assets(client: TestClient) -> None:
    for path in ("/", "/nope", "/static/hygie.css", "/incident"):
        r = client.get(path)
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_or_style_and_no_external_asset(client: TestClient) -> None:
    for path in (
        "/",
        "/incident",
        "/questionnaire",
        "/historique",
        "/messagerie",
        "/cle-usb",
        "/sauvegardes",
    ):
        html = client.get(path).text
        assert "<style" not in html and " style=" not in html, path
        assert re.search(r"<script(?![^>]*\bsrc=\"/static/)", html) is None, path
        assert re.search(r"<[^>]+\son[a-z]+=", html) is None, path  # no inline handler
        assert re.search(r'(src|href)="(https?:)?//', html) is None, path


def test_friendly_french_error_pages_without_stack_traces(client: TestClient) -> None:
    r = client.get("/mesures/M99")
    assert r.status_code == 404 and "Page introuvable" in r.text
    r = client.post("/cle-usb/analyse", data={"csrf_token": csrf_of(client), "chemin": "relatif"})
    assert r.status_code == 400 and "chemin complet" in r.text
    assert "Traceback" not in r.text


def test_uploads_are_size_limited(client: TestClient) -> None:
    big = b"x" * (65 * 1024)
    r = client.post(
        "/messagerie/document",
        data={"csrf_token": csrf_of(client)},
        files={"document": ("a.txt", big, "text/plain")},
    )
    assert r.status_code == 413
    assert "Fichier trop gros" in r.text


def test_uploads_never_touch_the_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A 3 MB document is checked without any temporary file being created."""
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    created: list[str] = []
    real = tempfile.SpooledTemporaryFile.rollover

    def rollover(self: tempfile.SpooledTemporaryFile[bytes]) -> None:
        created.append("rollover")
        real(self)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", rollover)
    nir = "1850578006084"
    nir += f"{97 - int(nir) % 97:02d}"
    body = ("ligne sans rien\n" * 200_000 + f"NIR {nir}\n").encode()
    with TestClient(app, base_url=BASE) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        r = c.post(
            "/messagerie/document",
            data={"csrf_token": csrf_of(c, "/messagerie")},
            files={"document": ("lettre.txt", body, "text/plain")},
        )
    assert r.status_code == 200
    assert created == []
    assert "données de patients" in r.text
    assert nir not in r.text  # masked, never in clear


def test_typed_patient_address_is_not_echoed_in_clear(client: TestClient) -> None:
    nir = "1850578006084"
    nir += f"{97 - int(nir) % 97:02d}"
    r = client.post(
        "/messagerie/adresses",
        data={
            "csrf_token": csrf_of(client, "/messagerie"),
            "adresses": f"{nir}@patient.mssante.fr",
        },
    )
    assert r.status_code == 200
    assert nir not in r.text and "patient.mssante.fr" in r.text


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:80", "127.0.0.1"), ("[::1]:8080", "::1"), ("LOCALHOST", "localhost")],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name and is_loopback(name)


def test_non_loopback_listen_is_refused_without_the_flag() -> None:
    with pytest.raises(RemoteListenRefused):
        check_listen("0.0.0.0", allow_remote=False)
    with pytest.raises(RemoteListenRefused):
        check_listen("example.org", allow_remote=False)
    assert check_listen("0.0.0.0", allow_remote=True) is False
    assert check_listen("127.0.0.1", allow_remote=False) is True
    assert check_listen("::1", allow_remote=False) is True


def test_serve_refuses_a_remote_listen_address_with_its_exit_code(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hygie.cli.app import main; main()",
            "serve",
            "--no-browser",
            "--listen",
            "0.0.0.0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HYGIE_HOME": str(tmp_path), "PATH": ""},
    )
    assert r.returncode == RemoteListenRefused.exit_code
    assert r.stdout == ""
    assert "--i-know-what-i-am-doing" in r.stderr


def test_serve_binds_loopback_and_prints_the_url_first(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hygie.cli.app import main; main()", "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"HYGIE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=[\w-]{40,}", url)
        assert m, url
        port = int(m.group(1))
        r = httpx.get(url, follow_redirects=True, timeout=10)
        assert r.status_code == 200 and "hygie" in r.text
        # nothing answers on the machine's other addresses
        try:
            other = socket.gethostbyname(socket.gethostname())
        except OSError as exc:  # a minimal container: the host name does not resolve
            pytest.skip(f"host name does not resolve, no other address to try: {exc}")
        if not other.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((other, port), timeout=2).close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
