"""Incident, kit and dashboard commands run as Windows and macOS programs (the personalities
of tests/personality.py), from recordings; nothing on this machine is changed."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from hygie.incident import network
from tests.helpers import fixture_text
from tests.machines import mac_machine_outputs, recording, windows_fr_machine
from tests.personality import Personality, assert_no_traceback, run_hygie, start_hygie


def _doc(cp: subprocess.CompletedProcess[str]) -> dict[str, object]:
    doc = json.loads(cp.stdout)
    assert isinstance(doc, dict)
    return doc


def _windows_recording(folder: Path, *, netsh_only: bool = False) -> Path:
    outs = dict(windows_fr_machine())
    fr = fixture_text("cmd", "windows", "netsh_interfaces", "fr.txt")
    # what Python reads from netsh on a French console: cp850 bytes decoded as cp1252
    outs[("netsh", "interface", "show", "interface")] = (
        fr.replace("\u2019", "'").encode("cp850").decode("cp1252", errors="replace")
    )
    if not netsh_only:
        outs[tuple(network.NET_ADAPTERS_PS)] = fixture_text(
            "cmd", "windows", "net_adapters", "fr_laptop.json"
        )
        for name in ("Ethernet", "Wi-Fi", "VPN Cabinet"):  # what --apply would run, recorded
            outs[network.netadapter_command(name, on=False)] = ""
    else:  # no PowerShell on this recording: only netsh answers
        outs = {k: v for k, v in outs.items() if k[0] != "powershell"}
    return recording(folder, "windows", outs)


def test_windows_isolate_plan_from_a_french_recording(tmp_path: Path) -> None:
    rec = _windows_recording(tmp_path / "rec")
    doc = _doc(run_hygie("windows", ["incident", "isolate", "--json"], home=tmp_path, replay=rec))
    data = doc["data"]
    assert isinstance(data, dict) and data["applied"] is False
    assert data["backend"] == "netadapter"
    assert data["targets"] == ["Ethernet", "Wi-Fi", "VPN Cabinet"]
    assert all("Disable-NetAdapter" in c["display"] for c in data["commands"])


def test_windows_isolate_plan_from_french_netsh_only(tmp_path: Path) -> None:
    rec = _windows_recording(tmp_path / "rec", netsh_only=True)
    doc = _doc(run_hygie("windows", ["incident", "isolate", "--json"], home=tmp_path, replay=rec))
    data = doc["data"]
    assert isinstance(data, dict) and data["backend"] == "netsh"
    assert data["targets"] == ["Ethernet", "Wi-Fi"]  # "Activ‚" read as enabled


def test_windows_isolate_apply_runs_only_recorded_commands(tmp_path: Path) -> None:
    rec = _windows_recording(tmp_path / "rec")
    inc = tmp_path / "incident"
    start = run_hygie(
        "windows", ["incident", "start", "--to", inc, "--no-guide", "--json"], home=tmp_path,
        replay=rec,
    )  # fmt: skip
    assert start.returncode == 0, start.stderr
    cp = run_hygie(
        "windows", ["incident", "isolate", "--apply", "--yes", "--to", inc, "--json"],
        home=tmp_path, replay=rec,
    )  # fmt: skip
    assert cp.returncode == 0, cp.stderr
    state = json.loads((inc / "state" / "isolation.json").read_text(encoding="utf-8"))
    assert state["backend"] == "netadapter" and state["isolated"] is True
    assert state["targets"] == ["Ethernet", "Wi-Fi", "VPN Cabinet"]
    verify = _doc(run_hygie("windows", ["incident", "verify", inc, "--json"], home=tmp_path,
                            replay=rec))  # fmt: skip
    data = verify["data"]
    assert isinstance(data, dict) and data["intact"] is True and data["entries"] >= 2
    back = _doc(
        run_hygie("windows", ["incident", "reconnect", "--to", inc, "--json"], home=tmp_path,
                  replay=rec)
    )  # fmt: skip
    commands = back["data"]["commands"]  # type: ignore[index]
    assert [c["argv"] for c in commands] == [
        list(network.netadapter_command(n, on=True)) for n in ("Ethernet", "Wi-Fi", "VPN Cabinet")
    ]


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_triage_writes_its_bundle(tmp_path: Path, personality: Personality) -> None:
    outputs = windows_fr_machine() if personality == "windows" else mac_machine_outputs()
    rec = recording(tmp_path / "rec", personality, outputs)
    (tmp_path / "profil" / "Documents").mkdir(parents=True)
    (tmp_path / "profil" / "Documents" / "compte-rendu.txt").write_text("rien\n", "utf-8")
    cp = run_hygie(
        personality, ["incident", "triage", "--to", tmp_path / "constat", "--json"],
        home=tmp_path, replay=rec,
    )  # fmt: skip
    assert cp.returncode in (0, 1), cp.stderr
    data = _doc(cp)["data"]
    assert isinstance(data, dict)
    files = {f["file"] for f in data["files"]}
    assert files and any(f.startswith("commands/") for f in files)
    folder = Path(str(data["folder"]))
    assert folder.is_dir() and folder.parent == tmp_path / "constat"


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_start_and_verify_journal(tmp_path: Path, personality: Personality) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    inc = tmp_path / "incident"
    cp = run_hygie(personality, ["incident", "start", "--to", inc, "--no-guide", "--json"],
                   home=tmp_path, replay=empty)  # fmt: skip
    assert cp.returncode == 0, cp.stderr
    ok = _doc(run_hygie(personality, ["incident", "verify", inc, "--json"], home=tmp_path,
                        replay=empty))  # fmt: skip
    assert ok["data"]["intact"] is True  # type: ignore[index]
    journal = inc / "journal.jsonl"
    journal.write_text(journal.read_text(encoding="utf-8").replace("incident", "Incident"), "utf-8")
    bad = run_hygie(personality, ["incident", "verify", inc, "--json"], home=tmp_path,
                    replay=empty)  # fmt: skip
    assert bad.returncode == 1 and _doc(bad)["data"]["intact"] is False  # type: ignore[index]


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_kit_pdf(tmp_path: Path, personality: Personality) -> None:
    pytest.importorskip("weasyprint")
    empty = tmp_path / "vide"
    empty.mkdir()
    pdf = tmp_path / "kit.pdf"
    cp = run_hygie(personality, ["kit", "--pdf", pdf, "--json"], home=tmp_path, replay=empty,
                   timeout=300)  # fmt: skip
    assert cp.returncode == 0, cp.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_serve_answers_one_page_on_loopback(tmp_path: Path, personality: Personality) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    proc = start_hygie(personality, ["serve", "--no-browser"], home=tmp_path, replay=empty)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(url, timeout=30) as resp:
            body = resp.read().decode("utf-8")
            assert resp.status == 200
        assert "<html" in body.lower() and "hygie" in body.lower()
    finally:
        proc.terminate()
        try:
            _out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
    assert_no_traceback(subprocess.CompletedProcess(proc.args, proc.returncode, "", err))
