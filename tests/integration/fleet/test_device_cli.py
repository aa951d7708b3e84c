"""The nurse's side against the REAL ``hygie fleet serve`` (tests/integration/fleet/conftest.py)
and a real PostgreSQL: join, a report after a real audit, the server down during reports
(queued, then delivered once), leave (data gone), wrong and expired codes, 401 and 410.

Every hygie here is a real ``python -m hygie`` process with its own HYGIE_HOME; rows are
counted on the server with psycopg.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fleet_device_helpers import Relay
from tests.integration.fleet.conftest import FleetServer, scalar

pytestmark = pytest.mark.integration


def dev(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The device CLI, as the nurse runs it (own data folder, secrets in protected files)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYGIE_", "PYTEST_"))}
    env.update(
        HYGIE_HOME=str(home), HYGIE_KEYRING="file", HYGIE_LANG="fr", HOME=str(home / "profil")
    )
    (home / "profil").mkdir(parents=True, exist_ok=True)
    cp = subprocess.run(
        [sys.executable, "-m", "hygie", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in cp.stderr, cp.stderr
    return cp


def dev_json(home: Path, *args: str) -> dict[str, Any]:
    cp = dev(home, *args, "--json")
    doc: dict[str, Any] = json.loads(cp.stdout)
    return doc


def stored_status(home: Path) -> dict[str, Any]:
    """What ``hygie fleet status --json`` gives (``data``), read from the device's own store in
    this process (the CLI's output is checked once, in the first test)."""
    from hygie.fleet import device
    from hygie.store import open_store

    store = open_store(home / "data" / "hygie.sqlite3")
    try:
        return device.status(store=store).to_dict()
    finally:
        store.close()


def reports_of_devices(server: FleetServer) -> int:
    return scalar(server.database, "SELECT count(*) FROM report")


def devices(server: FleetServer) -> int:
    return scalar(server.database, "SELECT count(*) FROM device")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "poste"


def test_join_report_after_audit_idempotent_then_leave(
    fleet_server: FleetServer, home: Path
) -> None:
    code = fleet_server.campaign("URPS Occitanie", "anonymous")
    cp = dev(
        home, "fleet", "join", fleet_server.base_url, code.lower(), "--department", "34", "--yes"
    )
    assert cp.returncode == 0, cp.stderr
    assert "URPS Occitanie" in cp.stdout and "anonyme" in cp.stdout
    assert code not in cp.stdout + cp.stderr  # the code is never printed whole
    assert devices(fleet_server) == 1
    assert scalar(fleet_server.database, "SELECT count(*) FROM device WHERE department = '34'") == 1
    audit = dev(home, "audit", "--json")
    assert audit.returncode in (0, 1), audit.stderr
    doc = json.loads(audit.stdout)["data"]
    # the quick delivery after the audit went through: one row, with this audit's statuses
    assert reports_of_devices(fleet_server) == 1
    st = dev_json(home, "fleet", "status")["data"]
    assert st["queue"]["length"] == 0 and st["delivered"] == 1 and st["last_error"] is None
    assert st["membership"]["campaign"] == "URPS Occitanie"
    assert st["membership"]["server_url"] == fleet_server.base_url
    sent = st["report_example"]
    assert sent["measures"] == {m["id"]: m["status"] for m in doc["measures"]}
    assert sent["score"] == doc["score"]["value"]
    stored = scalar(
        fleet_server.database,
        f"SELECT count(*) FROM report WHERE report_id = '{sent['report_id']}' "
        f"AND score IS NOT DISTINCT FROM {sent['score'] if sent['score'] is not None else 'NULL'}",
    )
    assert stored == 1
    # nothing queued: send exits 0 and sends nothing twice
    assert dev(home, "fleet", "send").returncode == 0
    assert reports_of_devices(fleet_server) == 1
    # the device's own bytes re-sent with its own token (what a lost 201 would cause)
    from hygie.fleet.device import state

    token = (home / "data" / "secrets" / state.TOKEN_SECRET).read_text(encoding="utf-8")
    r = fleet_server.send(token, sent)
    assert r.status_code == 200 and r.json()["stored"] is False
    assert reports_of_devices(fleet_server) == 1
    # already in a campaign
    again = dev(home, "fleet", "join", fleet_server.base_url, code, "--yes")
    assert again.returncode == 84 and "participe déjà" in again.stderr
    # leaving: a confirmation is needed, then the server deletes the device and its reports
    refused = dev(home, "fleet", "leave")  # not a terminal, no --yes
    assert refused.returncode == 2 and devices(fleet_server) == 1
    cp = dev(home, "fleet", "leave", "--yes")
    assert cp.returncode == 0, cp.stderr
    assert "effacé les données" in cp.stdout
    assert devices(fleet_server) == 0 and reports_of_devices(fleet_server) == 0
    assert stored_status(home)["joined"] is False
    assert not (home / "data" / "secrets" / state.TOKEN_SECRET).exists()
    # later audits send nothing
    dev(home, "audit", "--json")
    assert reports_of_devices(fleet_server) == 0 and devices(fleet_server) == 0
    assert dev(home, "fleet", "send").returncode == 83


def test_server_down_during_reports_then_delivered_once(
    fleet_server: FleetServer, home: Path, tmp_path: Path
) -> None:
    relay = Relay(fleet_server.port)  # the address the device knows, whatever is behind it
    try:
        code = fleet_server.campaign("Cabinet", "anonymous")
        assert dev(home, "fleet", "join", relay.url, code, "--yes").returncode == 0
        fleet_server.stop()  # the real server goes down
        relay.target_port = None
        for _ in range(2):
            a = dev(home, "audit", "--json")
            assert a.returncode in (0, 1), a.stderr  # the audit never fails because of it
        st = stored_status(home)
        assert st["queue"]["length"] == 2 and st["last_error"] and st["delivered"] == 0
        down = dev(home, "fleet", "send")
        assert down.returncode == 85, down.stderr
        assert "2 bilan(s) n'ont pas pu partir" in down.stderr
        # the server comes back (another process, same database)
        back = FleetServer.start(fleet_server.database, tmp_path / "back.log")
        try:
            relay.target_port = back.port
            ok = dev(home, "fleet", "send")
            assert ok.returncode == 0, ok.stderr
            assert "Envoyé : 2 bilan(s)" in ok.stdout
            assert reports_of_devices(back) == 2
            # delivered once: a second send, and the same bytes again, add nothing
            assert dev(home, "fleet", "send").returncode == 0
            assert reports_of_devices(back) == 2
            assert scalar(back.database, "SELECT count(DISTINCT report_id) FROM report") == 2
        finally:
            back.stop()
    finally:
        relay.close()


def test_leave_while_the_server_is_down_is_finished_later(
    fleet_server: FleetServer, home: Path, tmp_path: Path
) -> None:
    relay = Relay(fleet_server.port)
    try:
        code = fleet_server.campaign("Départ différé", "anonymous")
        assert dev(home, "fleet", "join", relay.url, code, "--yes").returncode == 0
        relay.target_port = None
        cp = dev(home, "fleet", "leave", "--yes")
        assert cp.returncode == 89 and "Plus aucun bilan n'est envoyé" in cp.stderr
        assert stored_status(home)["membership"]["state"] == "leaving"
        dev(home, "audit", "--json")  # not queued, not sent
        assert stored_status(home)["queue"]["length"] == 0
        still = dev(home, "fleet", "send")  # still down: the deletion stays pending
        assert still.returncode == 89, still.stderr
        relay.target_port = fleet_server.port
        done = dev(home, "fleet", "send")
        assert done.returncode == 0 and "effacé" in done.stdout
        assert devices(fleet_server) == 0 and reports_of_devices(fleet_server) == 0
        assert stored_status(home)["joined"] is False
    finally:
        relay.close()


def test_wrong_and_expired_codes(fleet_server: FleetServer, home: Path) -> None:
    from hygie.fleet.protocol import new_join_code
    from hygie.fleet.server import connect

    wrong = dev(home, "fleet", "join", fleet_server.base_url, new_join_code(), "--yes")
    assert wrong.returncode == 81
    assert "Ce code d'inscription n'est pas accepté" in wrong.stderr
    assert "demandez un nouveau code" in wrong.stderr
    code = fleet_server.campaign("Expirée", "anonymous", expires_days=30)
    with connect(fleet_server.database) as conn:
        conn.execute("UPDATE campaign SET join_expires_at = now() - interval '1 minute'")
        conn.commit()
    expired = dev(home, "fleet", "join", fleet_server.base_url, code, "--yes", "--json")
    assert expired.returncode == 81
    assert json.loads(expired.stdout)["error"]["code"] == "fleet_join_code_invalid"
    malformed = dev(home, "fleet", "join", fleet_server.base_url, "1234", "--yes")
    assert malformed.returncode == 81
    assert devices(fleet_server) == 0
    assert stored_status(home)["joined"] is False


def test_identified_campaign_needs_a_label(fleet_server: FleetServer, home: Path) -> None:
    code = fleet_server.campaign("Cabinet des Lilas", "identified")
    cp = dev(home, "fleet", "join", fleet_server.base_url, code, "--yes")
    assert cp.returncode == 87 and "donnez-lui un nom" in cp.stderr
    assert devices(fleet_server) == 0  # the device the server created was deleted at once
    bad = dev(
        home, "fleet", "join", fleet_server.base_url, code, "--label", "185057800608491", "--yes"
    )
    assert bad.returncode == 87 and "185057800608491" not in bad.stderr
    ok = dev(home, "fleet", "join", fleet_server.base_url, code, "--label", "PC accueil", "--yes")
    assert ok.returncode == 0 and "PC accueil" in ok.stdout
    assert (
        scalar(fleet_server.database, "SELECT count(*) FROM device WHERE label = 'PC accueil'") == 1
    )


def _joined_with_a_queued_report(server: FleetServer, home: Path, relay: Relay) -> None:
    code = server.campaign(f"C{os.getpid()}-{id(relay)}", "anonymous")
    assert dev(home, "fleet", "join", relay.url, code, "--yes").returncode == 0
    relay.target_port = None
    dev(home, "audit", "--json")
    relay.target_port = server.port
    assert stored_status(home)["queue"]["length"] == 1


@pytest.mark.parametrize("how", ["campaign_closed", "row_gone"])
def test_membership_gone_stops_sending_and_tells_her(
    fleet_server: FleetServer, home: Path, how: str
) -> None:
    from hygie.fleet.server import connect

    relay = Relay(fleet_server.port)
    try:
        _joined_with_a_queued_report(fleet_server, home, relay)
        with connect(fleet_server.database) as conn:
            if how == "campaign_closed":
                conn.execute("UPDATE campaign SET closed_at = now()")  # 410 device_gone
            else:
                conn.execute("DELETE FROM device")  # 401: the server does not know the token
            conn.commit()
        cp = dev(home, "fleet", "send")
        assert cp.returncode == 86, cp.stderr
        assert "ne reconnaît plus cet ordinateur" in cp.stderr
        st = stored_status(home)
        assert st["membership"]["state"] == "gone" and "ne reconnaît plus" in st["last_error"]
        before = len(relay.to_server)
        dev(home, "audit", "--json")  # nothing queued, nothing sent
        assert dev(home, "fleet", "send").returncode == 86
        assert len(relay.to_server) == before
        human = dev(home, "fleet", "status")
        assert "plus rien n'est envoyé" in human.stdout
        assert dev(home, "fleet", "leave", "--yes").returncode == 0
        assert stored_status(home)["joined"] is False
    finally:
        relay.close()
