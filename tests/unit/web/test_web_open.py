"""The browser is opened without the one-time token on any command line, and a page that
fails is logged with its traceback and shown as the friendly page."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from hygie.log import log_path as log_file
from hygie.web.app import create_app
from hygie.web.security import Sessions
from hygie.web.server import redirect_file


def test_redirect_file_is_private_and_carries_the_token(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8123/?token=abc-DEF_123"
    path = redirect_file(url, 8123)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in text and "token=abc-DEF_123" in text


def test_the_browser_command_line_never_holds_the_token(tmp_path: Path) -> None:
    """A real `hygie serve` opens the browser through $BROWSER: a script that records its
    arguments stands for it."""
    seen = tmp_path / "argv.txt"
    browser = tmp_path / "navigateur"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {seen}\n', encoding="utf-8")
    browser.chmod(0o700)
    env = {
        "HYGIE_HOME": str(tmp_path / "h"),
        "PATH": "/usr/bin:/bin",
        "BROWSER": str(browser),
        "HOME": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from hygie.cli.app import main; main()", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        token = url.split("token=", 1)[1]
        deadline = time.monotonic() + 20
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        argv = seen.read_text(encoding="utf-8")
        assert token not in argv
        m = re.search(r"file://(\S+)", argv)
        assert m is not None, argv
        opener = Path(m[1])
        assert stat.S_IMODE(opener.stat().st_mode) == 0o600
        assert token in opener.read_text(encoding="utf-8")
        # the link in it opens the dashboard, once
        assert httpx.get(url, follow_redirects=True, timeout=10).status_code == 200
        assert httpx.get(url, follow_redirects=True, timeout=10).status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_an_uncaught_error_is_logged_with_its_traceback_and_shown_friendly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hygie.web.routes import history

    def broken(rows: object) -> str:
        raise OSError(36, "File name too long: secret internals")

    monkeypatch.setattr(history.pages, "chart", broken)
    sessions = Sessions()
    app, _ = create_app(sessions=sessions)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        c.get(f"/?token={sessions.token}")
        r = c.get("/historique")
    assert r.status_code == 500
    assert "Rien n&#39;a été perdu" in r.text and "secret internals" not in r.text
    assert "Revenir à l&#39;accueil" in r.text
    logged = log_file().read_text(encoding="utf-8")
    assert "GET /historique" in logged and "Traceback" in logged
    assert "secret internals" in logged and "in broken" in logged
    assert os.name != "posix" or stat.S_IMODE(log_file().parent.stat().st_mode) == 0o700
