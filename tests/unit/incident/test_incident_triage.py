"""``hygie incident triage``: read-only snapshot, manifest, per-platform commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from helpers import ReplayRunner
from hygie import proc
from hygie.incident.triage import (
    parse_apt_history,
    parse_dpkg_log,
    parse_proc_net,
    run_triage,
    triage_commands,
)
from incident_helpers import make_documents, run_cli, simulate_ransomware

SECRET = "NE-PAS-COPIER-4242"


def _tree(root: Path) -> dict[str, tuple[int, float]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime)
        for p in sorted(root.rglob("*"))
    }


def test_linux_triage_of_an_attacked_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_documents(home / "Documents", 40, secret=SECRET)
    simulate_ransomware(home / "Documents")
    (home / ".config" / "autostart").mkdir(parents=True)
    (home / ".config" / "autostart" / "updater.desktop").write_text(
        "[Desktop Entry]\nExec=/tmp/.x/updater --silent\n"
    )
    before = _tree(home)
    usb = tmp_path / "usb"
    result = run_triage(usb, platform="linux", home=home)
    assert _tree(home) == before  # nothing changed in the user's folders
    folder = Path(result.folder)
    assert folder.parent == usb
    assert result.signs_found
    assert set(result.summary["signs"]) == {"ransom_note", "mass_rename", "encrypted_rewrite"}
    names = {f["file"] for f in result.files}
    assert {
        "processes.json",
        "network.json",
        "autostart.json",
        "software_changes.json",
        "recent_files.json",
        "ransomware_signs.json",
        "triage.json",
        "commands/users.txt",
        "commands/network_ss.txt",
        "commands/crontab.txt",
    } <= names
    # The manifest and SHA256SUMS list the SHA-256 of every file written.
    manifest = json.loads((folder / "manifest.json").read_text())
    for f in manifest["files"]:
        data = (folder / f["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(manifest["files"])
    written = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert written == names | {"manifest.json", "SHA256SUMS"}
    # No file contents copied: the documents' text never appears in the bundle.
    for p in folder.rglob("*"):
        if p.is_file():
            assert SECRET not in p.read_text(errors="replace")
    procs = json.loads((folder / "processes.json").read_text())
    me = [p for p in procs if p["exe_sha256"]]
    assert me and all(len(p["exe_sha256"]) == 64 for p in me)
    recent = json.loads((folder / "recent_files.json").read_text())
    assert any(r["path"].endswith(".kr4ck") for r in recent)
    assert all("size" in r for r in recent)
    autostart = json.loads((folder / "autostart.json").read_text())
    assert autostart["xdg_autostart"][0]["exec"] == "/tmp/.x/updater --silent"


def test_triage_of_a_normal_home_finds_no_sign(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_documents(home / "Documents", 20)
    result = run_triage(tmp_path / "usb", platform="linux", home=home)
    assert not result.signs_found and result.summary["recent_files"] == 20


def test_windows_triage_commands() -> None:
    argvs = [c.argv for c in triage_commands("windows")]
    assert argvs[0][:6] == (
        "powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"
    )  # fmt: skip
    assert "Win32_Process" in argvs[0][6] and "OutputEncoding" in argvs[0][6]
    assert argvs[1:] == [
        ("tasklist", "/v", "/fo", "csv"),
        ("netstat", "-ano"),
        ("query", "user"),
        ("schtasks", "/query", "/fo", "csv", "/v"),
        ("reg", "query", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"),
        ("reg", "query", r"HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce"),
        ("reg", "query", r"HKLM\Software\Microsoft\Windows\CurrentVersion\Run"),
        ("reg", "query", r"HKLM\Software\Microsoft\Windows\CurrentVersion\RunOnce"),
        argvs[-1],
    ]
    assert "MsiInstaller" in argvs[-1][-1] and "AddDays(-7)" in argvs[-1][-1]


def test_macos_and_linux_triage_commands() -> None:
    assert [c.argv for c in triage_commands("darwin")] == [
        ("ps", "-axo", "pid=,ppid=,user=,lstart=,comm="),
        ("lsof", "-nP", "-i"),
        ("who",),
        ("launchctl", "list"),
        ("crontab", "-l"),
    ]
    linux = [c.argv for c in triage_commands("linux", "idel", as_root=True)]
    assert ("ss", "-tunap") in linux and ("who",) in linux
    assert ("crontab", "-l", "-u", "idel") in linux
    assert ("crontab", "-l") in [c.argv for c in triage_commands("linux")]


def test_windows_triage_replayed(tmp_path: Path) -> None:
    csv_out = (
        '"ProcessId","ParentProcessId","Name","ExecutablePath","CreationDate"\r\n'
        '"4","0","System","",""\r\n'
        '"6120","880","chiffreur.exe","C:\\Users\\idel\\AppData\\Local\\Temp\\chiffreur.exe",""\r\n'
    )
    outputs: dict[str, tuple[str, int, str] | str | None] = {
        c.argv[0]: "" for c in triage_commands("windows")
    }
    outputs[" ".join(triage_commands("windows")[0].argv)] = csv_out
    outputs["netstat -ano"] = "  TCP    10.0.0.5:49822   203.0.113.9:443   ESTABLISHED   6120\r\n"
    rr = ReplayRunner(outputs)
    home = tmp_path / "home"
    make_documents(home / "Documents", 5)
    with proc.use_runner(rr):
        result = run_triage(tmp_path / "usb", platform="windows", home=home)
    assert [c for c in rr.calls] == [c.argv for c in triage_commands("windows")]
    folder = Path(result.folder)
    exes = json.loads((folder / "executables.json").read_text())
    assert exes[0]["path"].endswith("chiffreur.exe") and exes[0]["sha256"] is None
    assert "203.0.113.9:443" in (folder / "commands" / "network.txt").read_text()


def test_parsers() -> None:
    tcp = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
        "        0 12345 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0500000A:C2A6 0971CBCB:01BB 01 00000000:00000000 00:00000000 00000000  1000"
        "        0 67890 1 0000000000000000 100 0 0 10 0\n"
    )
    got = parse_proc_net(tcp, "tcp")
    assert got[0] == {
        "proto": "tcp", "local": "127.0.0.1:631", "remote": "0.0.0.0:0", "state": "LISTEN",
        "uid": 0, "inode": 12345,
    }  # fmt: skip
    assert got[1]["remote"] == "203.203.113.9:443" and got[1]["state"] == "ESTABLISHED"
    since = dt.datetime(2026, 11, 22, 0, 0)
    dpkg = (
        "2026-11-20 10:00:00 install old:amd64 <none> 1.0\n"
        "2026-11-28 09:12:01 install anydesk:amd64 <none> 6.3.0\n"
        "2026-11-28 09:12:02 status installed anydesk:amd64 6.3.0\n"
    )
    assert parse_dpkg_log(dpkg, since) == [
        {"at": "2026-11-28 09:12:01", "action": "install", "package": "anydesk:amd64",
         "versions": "<none> 6.3.0"}
    ]  # fmt: skip
    apt = (
        "Start-Date: 2026-11-10  08:00:00\nCommandline: apt install a\nInstall: a:amd64 (1)\n"
        "End-Date: 2026-11-10  08:00:05\n\n"
        "Start-Date: 2026-11-27  18:30:00\nCommandline: apt install b\nInstall: b:amd64 (2)\n"
        "End-Date: 2026-11-27  18:30:05\n"
    )
    got_apt = parse_apt_history(apt, since)
    assert len(got_apt) == 1 and got_apt[0]["Commandline"] == "apt install b"


def test_cli_triage_records_in_the_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    docs = tmp_path / "docs"
    make_documents(docs, 4)
    assert run_cli(["incident", "start", "--to", str(usb), "--no-guide"], capsys)[0] == 0
    code, out, _err = run_cli(
        ["incident", "triage", "--to", str(usb), "--path", str(docs), "--json"], capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "hygie.incident.triage/1" and doc["data"]["signs_found"] is False
    last = json.loads((usb / "journal.jsonl").read_text().splitlines()[-1])
    manifest = Path(doc["data"]["folder"]) / "manifest.json"
    assert last["kind"] == "triage"
    assert last["data"]["manifest_sha256"] == hashlib.sha256(manifest.read_bytes()).hexdigest()


def test_incident_folder_inside_the_documents_is_not_listed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_documents(home / "Documents", 3)
    usb = home / "Documents" / "incident"
    first = run_triage(usb, platform="linux", home=home)
    second = run_triage(usb, platform="linux", home=home)
    assert first.summary["recent_files"] == second.summary["recent_files"] == 3
