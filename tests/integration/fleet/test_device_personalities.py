"""The device commands run as a Windows and as a macOS program (tests/personality.py, from the
recorded machines of tests/machines.py) against the REAL ``hygie fleet serve``, with the wire
recorded by a TCP relay in front of the server: the privacy proof of the issue.

A real audit with many facts (the French Windows laptop, the practice's MacBook) is made, its
report queued and sent; then every byte that crossed the wire is searched for every text the
audit produced (facts, evidence, titles, actions, the user's folder and name, the Wi-Fi name,
the data folder): none may appear. The bodies must be exactly a join request and closed-schema
reports; the headers exactly the expected ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hygie.audit.catalogue import measure_ids
from hygie.fleet import validate_report
from tests.fleet_device_helpers import Relay
from tests.integration.fleet.conftest import FleetServer, scalar
from tests.machines import mac_machine_outputs, recording, windows_fr_machine
from tests.personality import Personality, run_hygie

pytestmark = pytest.mark.integration

ENV = {"HYGIE_KEYRING": "file"}  # never the host's keyring
HEADERS = {"host", "user-agent", "accept", "accept-encoding", "content-type", "content-length",
           "authorization", "connection"}  # fmt: skip


def _strings(value: Any) -> set[str]:
    """Every string value (not the keys: the audit's field names are the program's words)."""
    out: set[str] = set()
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            out |= _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            out |= _strings(v)
    return out


def _requests(wire: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    """The HTTP requests in the recorded bytes: (request line, headers, body)."""
    out = []
    rest = wire
    while rest:
        head, sep, rest = rest.partition(b"\r\n\r\n")
        assert sep, f"a cut request on the wire: {head[:200]!r}"
        lines = head.decode("ascii").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        n = int(headers.get("content-length", "0"))
        body, rest = rest[:n], rest[n:]
        out.append((lines[0], headers, body))
    return out


@pytest.mark.parametrize("personality", ["windows", "darwin"])
def test_join_audit_status_send_leave_and_nothing_private_on_the_wire(
    fleet_server: FleetServer, tmp_path: Path, personality: Personality
) -> None:
    machine = windows_fr_machine() if personality == "windows" else mac_machine_outputs()
    rec = recording(tmp_path / "rec", personality, machine)
    relay = Relay(fleet_server.port)
    home = tmp_path / "poste"

    def run(*args: str) -> Any:
        return run_hygie(personality, list(args), home=home, replay=rec, env=ENV)

    try:
        code = fleet_server.campaign(f"Cabinet {personality}", "identified")
        cp = run("fleet", "join", relay.url, code, "--department", "2A", "--label", "PC accueil",
                 "--yes", "--json")  # fmt: skip
        assert cp.returncode == 0, cp.stderr
        assert json.loads(cp.stdout)["data"]["mode"] == "identified"
        audit = run("audit", "--json")
        assert audit.returncode in (0, 1), audit.stderr
        doc = json.loads(audit.stdout)["data"]
        assert len(doc["facts"]) > 20, "the recorded machine gave few facts: the proof is weak"
        st = json.loads(run("fleet", "status", "--json").stdout)["data"]
        family = "windows" if personality == "windows" else "macos"
        assert st["sent_at_join"]["os_family"] == family
        assert st["delivered"] == 1 and st["queue"]["length"] == 0
        human = run("fleet", "status")
        assert "Cabinet" in human.stdout and "PC accueil" in human.stdout
        send = run("fleet", "send")
        assert send.returncode == 0, send.stderr
        stored = scalar(
            fleet_server.database,
            f"SELECT count(*) FROM device WHERE os_family = '{family}' AND label = 'PC accueil' "
            "AND department = '2A' AND last_statuses IS NOT NULL",
        )
        assert stored == 1
        assert scalar(fleet_server.database, "SELECT count(*) FROM report") == 1

        # -- the wire: exactly a join and one report, nothing else --------------------------
        requests = _requests(bytes(relay.to_server))
        assert [r[0].split(" ")[:2] for r in requests] == [
            ["POST", "/api/v1/join"],
            ["POST", "/api/v1/reports"],
        ]
        for _line, headers, _body in requests:
            assert set(headers) <= HEADERS, set(headers) - HEADERS
            assert headers["user-agent"].startswith("hygie/")
        join = json.loads(requests[0][2])
        assert join == {"code": code, "department": "2A", "label": "PC accueil",
                        "os_family": family, "hygie_version": doc["hygie_version"]}  # fmt: skip
        report = json.loads(requests[1][2])
        validate_report(report)  # closed schema: nothing but what it allows
        assert report["measures"] == {m["id"]: m["status"] for m in doc["measures"]}
        assert sorted(report["measures"]) == list(measure_ids())

        # -- nothing the audit saw reaches the server ---------------------------------------
        allowed = _strings(report) | _strings(join) | {"PC accueil"}
        vocabulary = " ".join([*report, *join, *allowed, *HEADERS, "application/json"])
        texts = {
            t for t in _strings(doc) - allowed
            if len(t) >= 5 and re.search(r"[A-Za-z]", t) and t not in vocabulary
        }  # fmt: skip
        assert len(texts) > 50, "the audit gave little to look for"
        texts |= {str(tmp_path), str(home), "infirmiere", "claire", "Livebox-7A2C"}
        facts_text = {
            str(f.get(k)) for f in doc["facts"] for k in ("value", "source", "reason")
            if isinstance(f.get(k), str) and len(str(f.get(k))) >= 5
        }  # fmt: skip
        evidence = {
            c["evidence"] for m in doc["measures"] for c in m["checks"]
            if len(c.get("evidence") or "") >= 5
        }  # fmt: skip
        assert len(facts_text) > 10 and len(evidence) > 5, "the audit gave little to look for"
        wire = bytes(relay.to_server).decode("utf-8", errors="replace")
        leaked = sorted(t for t in texts if t in wire)
        assert leaked == [], f"{personality}: audit text on the wire: {leaked[:10]}"
        # nor in the server's database
        with_text = scalar(
            fleet_server.database,
            "SELECT count(*) FROM device WHERE coalesce(label, '') <> 'PC accueil' "
            "AND label IS NOT NULL",
        )
        assert with_text == 0

        # -- leave: the server deletes this computer's data ---------------------------------
        bye = run("fleet", "leave", "--yes")
        assert bye.returncode == 0, bye.stderr
        assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 0
        assert scalar(fleet_server.database, "SELECT count(*) FROM report") == 0
    finally:
        relay.close()
