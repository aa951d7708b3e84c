"""Where hygie looks for a Chromium-family browser on each OS, and the page it hands it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.render import pdf


def test_windows_standard_paths_edge_first() -> None:
    env = {
        "PROGRAMFILES(X86)": "C:\\Program Files (x86)",
        "PROGRAMFILES": "C:\\Program Files",
        "LOCALAPPDATA": "C:\\Users\\idel\\AppData\\Local",
    }
    found = pdf.browser_candidates("windows", env)
    assert found[0] == "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
    assert "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" in found
    assert "C:\\Users\\idel\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe" in found


def test_find_browser_on_windows_with_only_chrome_installed() -> None:
    env = {"PROGRAMFILES": "C:\\Program Files"}
    chrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
    got = pdf.find_browser(
        platform="windows", env=env, exists=lambda p: p == chrome, which=lambda _n: None
    )
    assert got == chrome


def test_macos_applications_then_home_applications() -> None:
    found = pdf.browser_candidates("darwin", {"HOME": "/Users/idel"})
    assert found[0] == "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    assert "/Users/idel/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge" in found


def test_linux_uses_the_path() -> None:
    got = pdf.find_browser(
        platform="linux",
        env={},
        exists=lambda _p: False,
        which=lambda n: "/usr/bin/google-chrome" if n == "google-chrome" else None,
    )
    assert got == "/usr/bin/google-chrome"
    assert pdf.find_browser(platform="linux", env={}, exists=lambda _p: False,
                            which=lambda _n: None) is None  # fmt: skip


def test_named_browser_wins_and_a_missing_one_is_not_replaced() -> None:
    env = {pdf.BROWSER_ENV: "/opt/edge/msedge"}
    assert pdf.find_browser(platform="linux", env=env, exists=lambda p: True) == "/opt/edge/msedge"
    assert (
        pdf.find_browser(platform="linux", env=env, exists=lambda _p: False, which=lambda _n: None)
        is None
    )


def test_page_gets_a_policy_forbidding_scripts_and_fetches() -> None:
    html = '<!DOCTYPE html><html><head lang="fr"><title>x</title></head><body>x</body></html>'
    out = pdf.with_csp(html)
    assert out.index("Content-Security-Policy") < out.index("<title>")
    assert "script-src 'none'" in out and "default-src 'none'" in out
    assert pdf.with_csp("<p>no head</p>").startswith('<meta http-equiv="Content-Security-Policy"')


def test_browser_command_line(tmp_path: Path) -> None:
    eng = pdf.BrowserEngine("/usr/bin/chromium")
    args = eng.command(tmp_path / "p.html", tmp_path / "o.pdf", tmp_path / "prof", no_sandbox=False)
    assert "--headless" in args and "--no-pdf-header-footer" in args
    assert f"--print-to-pdf={tmp_path / 'o.pdf'}" in args
    assert f"--user-data-dir={tmp_path / 'prof'}" in args  # never the user's own profile
    assert "--no-sandbox" not in args
    assert args[-1] == (tmp_path / "p.html").as_uri()
    assert eng.name == "Chromium"
    assert pdf.which_browser_name("C:\\x\\msedge.exe") == "Microsoft Edge"


def test_install_hint_per_os() -> None:
    assert "Edge" in pdf.install_hint("windows")
    assert "Applications" in pdf.install_hint("darwin")
    assert "chromium" in pdf.install_hint("linux")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium not installed")
def test_browser_engine_never_fetches_nor_runs_scripts(tmp_path: Path) -> None:
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        html = (
            "<html><head><meta charset='utf-8'></head><body><h1 id='t'>Titre sûr</h1>"
            f"<img src='http://127.0.0.1:{port}/img.png'>"
            f"<link rel='stylesheet' href='http://127.0.0.1:{port}/x.css'>"
            "<script>document.getElementById('t').textContent = 'SCRIPT EXÉCUTÉ';</script>"
            "</body></html>"
        )
        data = pdf.BrowserEngine("/usr/bin/chromium").render(html)
    finally:
        server.shutdown()
        server.server_close()
    assert data.startswith(b"%PDF")
    out = tmp_path / "o.pdf"
    out.write_bytes(data)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Titre sûr" in text and "SCRIPT" not in text
    assert hits == []


def test_a_hanging_browser_is_killed_with_its_children(tmp_path: Path) -> None:
    import os
    import time

    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "fake-browser"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nsleep 300\n")
    fake.chmod(0o755)
    eng = pdf.BrowserEngine(str(fake), timeout=1.5)
    start = time.monotonic()
    with pytest.raises(pdf.BrowserPrintFailed) as info:
        eng.render("<html><body>x</body></html>")
    assert time.monotonic() - start < 30
    assert "timed out" in str(info.value)
    child = int(pidfile.read_text())
    time.sleep(0.2)
    try:
        os.kill(child, 0)
        state = open(f"/proc/{child}/stat").read().split()[2]  # noqa: SIM115
        assert state == "Z", f"child {child} still running"  # a zombie is dead
    except ProcessLookupError:
        pass
