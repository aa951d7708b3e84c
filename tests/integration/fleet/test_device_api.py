"""The device API of the REAL server (``hygie fleet serve`` in a subprocess, real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from hygie.fleet.protocol import DeviceToken
from tests.integration.fleet.conftest import FleetServer, bearer, make_report, scalar

pytestmark = pytest.mark.integration


def reports_of(server: FleetServer) -> int:
    return scalar(server.database, "SELECT count(*) FROM report")


def test_join_report_duplicate_and_what_the_device_can_read(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign("Cabinet des Lilas", mode="identified")
    # a hurried typist: lower case, spaces instead of dashes
    r = fleet_server.join(code.lower().replace("-", " "), department="2A", label="PC accueil",
                          os_family="windows")  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["campaign"] == {"name": "Cabinet des Lilas", "mode": "identified"}
    token = body["token"]
    parsed = DeviceToken.parse(token)
    assert parsed is not None and str(parsed.device_id) == body["device_id"]
    # the database keeps the secret's hash only
    with_secret = scalar(
        fleet_server.database,
        f"SELECT count(*) FROM device WHERE position('{token.split('.')[2]}' in device::text) > 0",
    )
    assert with_secret == 0

    report = make_report(M03="fail", M07="warn")
    first = fleet_server.send(token, report)
    assert first.status_code == 201 and first.json() == {
        "report_id": report["report_id"],
        "stored": True,
    }
    again = fleet_server.send(token, report)
    assert again.status_code == 200 and again.json()["stored"] is False
    assert reports_of(fleet_server) == 1

    mine = fleet_server.device(token)
    assert mine.status_code == 200
    data = mine.json()
    assert data["label"] == "PC accueil" and data["department"] == "2A"
    assert data["os_family"] == "windows" and data["reports"] == 1
    assert data["last_report"]["measures"]["M03"] == "fail"
    assert data["last_report"]["measures"]["M07"] == "warn"
    assert data["last_report"]["score"] == 72
    assert set(data) == {
        "device_id", "campaign", "department", "label", "os_family", "hygie_version",
        "joined_at", "last_report", "reports",
    }  # fmt: skip


def test_an_anonymous_campaign_never_stores_a_label(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign("URPS", mode="anonymous")
    token = fleet_server.new_device(code, label="PC de Mme Martin", department="75")
    assert fleet_server.device(token).json()["label"] is None
    assert scalar(fleet_server.database, "SELECT count(*) FROM device WHERE label IS NOT NULL") == 0


def test_only_a_newer_report_moves_the_device_last_status(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    now = dt.datetime.now(dt.UTC)
    assert fleet_server.send(token, make_report(audited_at=now, M01="fail")).status_code == 201
    late = make_report(audited_at=now - dt.timedelta(days=2), M01="ok")
    assert fleet_server.send(token, late).status_code == 201  # stored (history), not "last"
    last = fleet_server.device(token).json()["last_report"]
    assert last["measures"]["M01"] == "fail"
    assert last["audited_at"] == now.strftime("%Y-%m-%dT%H:%M:00Z")
    assert reports_of(fleet_server) == 2


def test_leave_deletes_the_device_and_all_its_reports(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign()
    token, other = fleet_server.new_device(code), fleet_server.new_device(code)
    for days in range(3):
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        assert fleet_server.send(token, make_report(audited_at=when)).status_code == 201
    assert fleet_server.send(other, make_report()).status_code == 201
    assert reports_of(fleet_server) == 4

    assert fleet_server.leave(token).status_code == 204
    device_id = token.split(".")[1]
    db = fleet_server.database
    assert scalar(db, f"SELECT count(*) FROM report WHERE device_id = '{device_id}'") == 0
    assert scalar(db, f"SELECT count(*) FROM device WHERE id = '{device_id}'") == 0
    assert reports_of(fleet_server) == 1  # the other device's report stays
    # afterwards the token is "gone" (stop sending), leaving twice is fine
    assert fleet_server.device(token).status_code == 410
    gone = fleet_server.send(token, make_report())
    assert gone.status_code == 410 and gone.json()["error"] == "device_gone"
    assert fleet_server.leave(token).status_code == 204
    assert reports_of(fleet_server) == 1


def test_wrong_expired_and_closed_codes_get_one_answer(fleet_server: FleetServer) -> None:
    db = fleet_server.database
    expired = fleet_server.campaign("expired", expires_days=1)
    closed = fleet_server.campaign("closed")
    good = fleet_server.campaign("open")
    from hygie.fleet.server import close_campaign, connect

    with connect(db) as conn:
        conn.execute("UPDATE campaign SET join_expires_at = now() - interval '1 minute' "
                     "WHERE name = 'expired'")  # fmt: skip
        conn.commit()
        close_campaign(conn, "closed")
    wrong = "2345-6789-ABCD-EFGH"
    answers = [fleet_server.join(code) for code in (wrong, expired, closed, "nonsense")]
    assert [a.status_code for a in answers] == [403] * 4
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["error"] == "join_code_invalid"
    assert scalar(db, "SELECT count(*) FROM device") == 0
    assert fleet_server.join(good).status_code == 201


def test_join_attempts_are_braked_per_address(fleet_server: FleetServer) -> None:
    good = fleet_server.campaign()
    for _ in range(30):
        assert fleet_server.join("2345-6789-ABCD-EFGH").status_code == 403
    braked = fleet_server.join("2345-6789-ABCD-EFGH")
    assert braked.status_code == 429 and int(braked.headers["Retry-After"]) > 0
    # even the right code waits: a guesser cannot tell when it found one
    assert fleet_server.join(good).status_code == 429
    assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 0


def test_a_device_cannot_read_or_delete_another_device(fleet_server: FleetServer) -> None:
    code = fleet_server.campaign(mode="identified")
    alice = fleet_server.new_device(code, label="PC Alice")
    bob = fleet_server.new_device(code, label="PC Bob")
    assert fleet_server.send(alice, make_report()).status_code == 201
    a, b = DeviceToken.parse(alice), DeviceToken.parse(bob)
    assert a is not None and b is not None
    forged = [
        str(DeviceToken(b.campaign_id, a.device_id, b.secret)),  # Bob's secret, Alice's id
        str(DeviceToken(a.campaign_id, a.device_id, b"\0" * 32)),  # Alice's id, made-up secret
        str(DeviceToken(a.campaign_id + 1, a.device_id, a.secret)),  # another campaign
        str(DeviceToken(a.campaign_id, uuid.uuid4(), a.secret)),
        alice[:-2],  # truncated
        "1.2.3",
        "x",
    ]
    for token in forged:
        assert fleet_server.device(token).status_code == 401, token[:8]
        assert fleet_server.leave(token).status_code == 401, token[:8]
        assert fleet_server.send(token, make_report()).status_code == 401, token[:8]
    raw = fleet_server.client.get("/api/v1/device", headers={"Authorization": alice})
    assert raw.status_code == 401  # no "Bearer"
    # Bob reads only Bob
    assert fleet_server.device(bob).json()["label"] == "PC Bob"
    assert fleet_server.device(alice).json()["reports"] == 1
    assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 2
    assert reports_of(fleet_server) == 1


def test_unknown_fields_are_refused_named_never_echoed_and_nothing_is_stored(
    fleet_server: FleetServer,
) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    leaky = "/home/infirmiere/Patients/DUPONT Jean 1850775123456.pdf"
    cases = {
        "(racine)": {**make_report(), "path": leaky},
        "measures": {**make_report(), "measures": {**make_report()["measures"], "M99": "ok"}},
        "measures/M03": {**make_report(), "measures": {**make_report()["measures"], "M03": leaky}},
        "hygie_version": {**make_report(), "hygie_version": leaky},
        "report_id": {**make_report(), "report_id": leaky},
    }
    for field, body in cases.items():
        r = fleet_server.send(token, body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["error"] == "report_invalid" and r.json()["field"] == field
        assert "DUPONT" not in r.text and "1850775" not in r.text
    r = fleet_server.join("2345-6789-ABCD-EFGH", comment=leaky)
    assert r.status_code == 422 and "DUPONT" not in r.text
    r = fleet_server.join("2345-6789-ABCD-EFGH", label="Dossier 1850775123456")
    assert r.status_code == 422 and r.json()["field"] == "label" and "1850775" not in r.text
    for code in ("2345-6789-ABCD-EFGÉ", "²345-6789-ABCD-EFGH", "2345\n6789ABCDEFGH"):
        r = fleet_server.join(code)
        assert r.status_code == 422 and r.json()["field"] == "code", code
    r = fleet_server.join("2345-6789-ABCD-EFGH", department="20")
    assert r.status_code == 422 and r.json()["field"] == "department"
    assert reports_of(fleet_server) == 0
    assert scalar(fleet_server.database, "SELECT count(*) FROM device") == 1
    assert leaky not in fleet_server.log()


def test_reports_from_the_future_or_too_old_are_refused(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    now = dt.datetime.now(dt.UTC)
    for when in (now + dt.timedelta(days=2), now - dt.timedelta(days=401)):
        r = fleet_server.send(token, make_report(audited_at=when))
        assert r.status_code == 422 and r.json()["field"] == "audited_at", r.text
    assert reports_of(fleet_server) == 0
    for when in (now + dt.timedelta(hours=20), now - dt.timedelta(days=399)):
        assert fleet_server.send(token, make_report(audited_at=when)).status_code == 201
    assert scalar(fleet_server.database, "SELECT count(*) FROM report_default") == 0


def test_bodies_too_large_or_not_json(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    big = fleet_server.client.post(
        "/api/v1/reports", content=b"{" + b" " * 20_000 + b"}", headers=bearer(token)
    )
    assert big.status_code == 413

    def chunks() -> object:
        for _ in range(40):
            yield b" " * 1024

    streamed = fleet_server.client.post(
        "/api/v1/reports",
        content=chunks(),  # type: ignore[arg-type]
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413  # chunked, no Content-Length: counted while reading
    junk = fleet_server.client.post("/api/v1/reports", content=b"\xff\xfe{", headers=bearer(token))
    assert junk.status_code == 400 and junk.json()["error"] == "json_invalid"
    assert reports_of(fleet_server) == 0


def test_a_closed_campaign_takes_no_more_reports(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign("c"))
    assert fleet_server.send(token, make_report()).status_code == 201
    from hygie.fleet.server import close_campaign, connect

    with connect(fleet_server.database) as conn:
        close_campaign(conn, "c")
    r = fleet_server.send(token, make_report())
    assert r.status_code == 410 and r.json()["error"] == "device_gone"
    assert reports_of(fleet_server) == 1
    # the nurse can still see what is held, and leave
    assert fleet_server.device(token).json()["campaign"]["closed"] is True
    assert fleet_server.leave(token).status_code == 204
    assert reports_of(fleet_server) == 0


def test_health_says_the_schema_version(fleet_server: FleetServer) -> None:
    from hygie.fleet.server import latest_version

    r = fleet_server.client.get("/api/v1/health")
    assert r.json() == {"status": "ok", "schema_version": latest_version()}
    assert "server" not in {k.lower() for k in r.headers}
    unknown = fleet_server.client.get("/api/v1/nothing")
    assert unknown.status_code == 404
    wrong_method = fleet_server.client.put("/api/v1/reports")
    assert wrong_method.status_code == 405
    assert isinstance(fleet_server.client, httpx.Client)


def test_hostile_bodies_and_tokens_get_a_clean_refusal(fleet_server: FleetServer) -> None:
    token = fleet_server.new_device(fleet_server.campaign())
    parsed = DeviceToken.parse(token)
    assert parsed is not None
    # nested thousands deep, within the size limit
    deep = fleet_server.client.post(
        "/api/v1/reports", content=b"[" * 8000 + b"]" * 8000, headers=bearer(token)
    )
    assert deep.status_code == 400
    nested = fleet_server.client.post(
        "/api/v1/reports",
        content=b'{"measures": ' + b"[" * 7000 + b"]" * 7000 + b"}",
        headers=bearer(token),
    )
    assert nested.status_code in (400, 422)
    # a campaign id beyond PostgreSQL's integers, a huge header
    huge = str(DeviceToken(9_999_999_999, parsed.device_id, parsed.secret))
    assert fleet_server.send(huge, make_report()).status_code == 401
    assert fleet_server.device(huge).status_code == 401
    assert fleet_server.send("x" * 8000, make_report()).status_code == 401
    # a version ending in a newline slips past a "$" pattern: refused at join too
    r = fleet_server.join("2345-6789-ABCD-EFGH", hygie_version="0.1.0\n")
    assert r.status_code == 422 and r.json()["field"] == "hygie_version"
    # the server is still fine, and stored nothing of all that
    assert fleet_server.send(token, make_report()).status_code == 201
    assert reports_of(fleet_server) == 1
    assert "Traceback" not in fleet_server.log()


def test_behind_a_local_proxy_the_brake_is_per_forwarded_address(
    fleet_server: FleetServer,
) -> None:
    def join_from(address: str) -> httpx.Response:
        body = {"code": "2345-6789-ABCD-EFGH", "department": None, "label": None,
                "os_family": "linux", "hygie_version": "0.1.0"}  # fmt: skip
        return fleet_server.client.post(
            "/api/v1/join", json=body, headers={"X-Forwarded-For": address}
        )

    for _ in range(30):
        assert join_from("203.0.113.5").status_code == 403
    assert join_from("203.0.113.5").status_code == 429
    # another nurse behind the same proxy is not braked by the first one's mistakes
    assert join_from("203.0.113.6").status_code == 403
    # a client cannot dodge the brake by prepending a made-up address: the proxy's own
    # entry (the last one, appended by nginx) is the one that counts
    assert join_from("198.51.100.1, 203.0.113.5").status_code == 429
