"""The device side of the fleet: queue bounds, back-off with an injected clock, delivery rules,
leave, the address policy, TLS, redirects and where the token may (not) go.

The HTTP peer is a scripted real server on 127.0.0.1 (tests/fleet_device_helpers.py): it gives
the answers the real server only gives in rare states. The same flows against the real
``hygie fleet serve`` are in tests/integration/fleet/.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
from pathlib import Path
from typing import Any

import pytest

from hygie.audit import AuditResult
from hygie.fleet import build_report, device
from hygie.fleet.device import backoff, state
from hygie.fleet.device.transport import normalize_server_url
from hygie.fleet.errors import (
    FleetAlreadyJoined,
    FleetJoinCodeInvalid,
    FleetJoinDetailsInvalid,
    FleetLeavePending,
    FleetMembershipGone,
    FleetNotJoined,
    FleetServerAddressInvalid,
    FleetServerAnswerInvalid,
    FleetServerUnreachable,
)
from hygie.store import open_store
from tests.fleet_device_helpers import FakeClock, Scripted, Seen, new_report_id, scripted_server

CODE = "ABCD-EFGH-JKMN-PQRS"


@pytest.fixture(scope="module")
def audit_result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    import os

    from hygie import audit as audit_api

    home = tmp_path_factory.mktemp("audit-home")
    old = os.environ.get("HYGIE_HOME")
    os.environ["HYGIE_HOME"] = str(home)
    try:
        return audit_api.audit(ctx=audit_api.make_context(), record=False)
    finally:
        if old is None:
            os.environ.pop("HYGIE_HOME", None)
        else:
            os.environ["HYGIE_HOME"] = old


@pytest.fixture
def server() -> Any:
    with scripted_server() as s:
        yield s


def _join(server: Scripted, **kw: Any) -> device.Membership:
    return device.join(device.prepare_join(server.url, CODE.lower().replace("-", " "), **kw))


def _queue(audit_result: AuditResult, n: int) -> list[str]:
    st = open_store()
    ids = []
    try:
        for _ in range(n):
            rid = new_report_id()
            data = build_report(audit_result, report_id=rid).to_dict()
            state.enqueue(st, rid, state.body_of(data))
            ids.append(rid)
    finally:
        st.close()
    return ids


def _row() -> state.MembershipRow:
    st = open_store()
    try:
        row = state.membership(st)
        assert row is not None
        return row
    finally:
        st.close()


# -- back-off (pure) -------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for n in range(1, 12):
        ceiling = min(backoff.CAP, backoff.BASE * 2 ** (n - 1))
        for _ in range(50):
            d = backoff.next_delay(n, rng)
            assert ceiling / 2 <= d <= ceiling
    delays = {round(backoff.next_delay(3, rng), 3) for _ in range(20)}
    assert len(delays) > 10, "no jitter: every device would knock at the same second"
    assert backoff.next_delay(40, rng) <= backoff.CAP
    assert backoff.next_delay(0, rng) == 0.0
    # Retry-After wins when longer, within the cap
    assert backoff.next_delay(1, rng, retry_after=900) == 900
    assert backoff.next_delay(1, rng, retry_after=10**9) == backoff.CAP


# -- address policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://parc.urps.fr/", "https://parc.urps.fr"),
        ("  https://parc.urps.fr:8443/hygie/ ", "https://parc.urps.fr:8443/hygie"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_accepted_addresses(raw: str, expected: str) -> None:
    assert normalize_server_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "http://parc.urps.fr",  # plain http off this computer
        "http://192.168.1.10:8080",
        "ftp://parc.urps.fr",
        "parc.urps.fr",
        "https://user:pw@parc.urps.fr",
        "https://parc.urps.fr/?token=x",
        "https://parc.urps.fr:99999",
        "",
    ],
)
def test_refused_addresses(raw: str) -> None:
    with pytest.raises(FleetServerAddressInvalid):
        normalize_server_url(raw)


def test_plain_http_off_loopback_only_when_explicitly_allowed() -> None:
    assert normalize_server_url("http://192.168.1.10:8080", allow_plain_http=True) == (
        "http://192.168.1.10:8080"
    )


def test_join_checks_code_department_and_label_before_sending(server: Scripted) -> None:
    with pytest.raises(FleetJoinCodeInvalid):
        device.prepare_join(server.url, "ABCD-EFGH")
    with pytest.raises(FleetJoinCodeInvalid):
        device.prepare_join(server.url, "ABCD-EFGH-JKMN-PQR0")  # 0 is not in the alphabet
    with pytest.raises(FleetJoinDetailsInvalid, match="département"):
        device.prepare_join(server.url, CODE, department="20")
    with pytest.raises(FleetJoinDetailsInvalid) as err:
        device.prepare_join(server.url, CODE, department="18505780060")
    assert "185" not in str(err.value)  # what she typed is never shown back
    with pytest.raises(FleetJoinDetailsInvalid):
        device.prepare_join(server.url, CODE, label="Dossier 185057800608491")
    with pytest.raises(FleetJoinDetailsInvalid):
        device.prepare_join(server.url, CODE, label="C:/Users/anne")
    assert server.seen == []
    plan = device.prepare_join(
        server.url, "abcd efgh jkmn pqrs", department="2a", label=" PC  accueil "
    )
    assert plan.code == CODE and plan.department == "2A" and plan.label == "PC accueil"
    assert plan.shown()["code"] == "ABCD-…"


# -- join --------------------------------------------------------------------------------------


def test_join_keeps_the_token_in_the_keyring_only(
    server: Scripted, hygie_home: Path, audit_result: AuditResult, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    m = _join(server, department="75")
    device.queue_report(audit_result)
    device.deliver(force=True)
    assert m.campaign_name == "URPS test" and m.mode == "anonymous" and m.state == "active"
    join = server.seen[0]
    assert json.loads(join.body) == {
        "code": CODE,
        "department": "75",
        "label": None,
        "os_family": "linux",
        "hygie_version": json.loads(join.body)["hygie_version"],
    }
    secret = str(server.token).split(".")[2]
    from hygie.secrets import get_secret

    assert get_secret(state.TOKEN_SECRET) == str(server.token)
    # the store, the config and the log hold neither the token nor the join code
    for path in hygie_home.rglob("*"):
        if path.is_file() and "secrets" not in path.parts:
            raw = path.read_bytes()
            assert secret.encode() not in raw, path
            assert CODE.encode() not in raw, path
    with pytest.raises(FleetAlreadyJoined):
        _join(server)
    device.leave()
    # nor any log record, at any level (the code at most as its first four characters)
    assert caplog.records and secret not in caplog.text and CODE not in caplog.text
    assert CODE[5:] not in caplog.text


def test_wrong_code_and_broken_answers(server: Scripted) -> None:
    server.script = lambda s: (403, {"error": "join_code_invalid", "message": "non"}, {})
    with pytest.raises(FleetJoinCodeInvalid):
        _join(server)
    server.script = lambda s: (422, {"error": "join_invalid", "field": "label"}, {})
    with pytest.raises(FleetJoinDetailsInvalid, match="nom"):
        _join(server)
    server.script = lambda s: (429, {"error": "too_many_attempts"}, {"Retry-After": "60"})
    with pytest.raises(FleetServerAnswerInvalid, match="trop de codes"):
        _join(server)
    server.script = lambda s: (200, {"hello": "proxy page"}, {})
    with pytest.raises(FleetServerAnswerInvalid):
        _join(server)
    server.script = lambda s: (
        (201, {"device_id": str(server.token.device_id), "token": str(server.token),
               "campaign": {"name": "URPS\x1b[2J[bold]", "mode": "anonymous"}}, {})
    )  # fmt: skip
    with pytest.raises(FleetServerAnswerInvalid):  # no control character reaches her terminal
        _join(server)
    server.script = lambda s: (502, None, {})
    with pytest.raises(FleetServerAnswerInvalid, match="502"):
        _join(server)
    with pytest.raises(FleetNotJoined):
        device.leave()


def test_identified_campaign_without_label_is_undone(server: Scripted) -> None:
    server.campaign = {"name": "Cabinet des Lilas", "mode": "identified"}
    with pytest.raises(FleetJoinDetailsInvalid):
        _join(server)
    assert [s.method for s in server.seen] == ["POST", "DELETE"]
    assert device.status().membership is None
    m = _join(server, label="PC accueil")
    assert m.mode == "identified" and m.label == "PC accueil"


def test_unreachable_server_on_join() -> None:
    with scripted_server() as s:
        url = s.url
    with pytest.raises(FleetServerUnreachable, match="refusée"):
        device.join(device.prepare_join(url, CODE), timeout=2)


# -- queue bounds --------------------------------------------------------------------------------


def test_queue_keeps_the_newest_200_and_says_so(
    server: Scripted, audit_result: AuditResult, caplog: pytest.LogCaptureFixture
) -> None:
    _join(server)
    ids = _queue(audit_result, state.QUEUE_LIMIT)
    assert device.status().queue_length == state.QUEUE_LIMIT
    with caplog.at_level(logging.WARNING, logger="hygie.fleet.device"):
        more = _queue(audit_result, 5)
    st = device.status()
    assert st.queue_length == state.QUEUE_LIMIT and st.dropped == 5
    store = open_store()
    kept = [q.report_id for q in state.queued(store)]
    store.close()
    assert kept == ids[5:] + more  # the five oldest went, order kept
    assert caplog.text.count("the 1 oldest report(s) were dropped, never sent") == 5
    # the same report queued twice is one row
    store = open_store()
    state.enqueue(store, more[-1], b"{}")
    assert state.queue_length(store) == state.QUEUE_LIMIT
    store.close()


def test_queue_report_only_when_in_an_active_campaign(
    server: Scripted, audit_result: AuditResult
) -> None:
    assert device.queue_report(audit_result) is None  # not joined: nothing built or kept
    _join(server)
    rid = device.queue_report(audit_result)
    assert rid is not None
    store = open_store()
    (item,) = state.queued(store)
    store.close()
    data = json.loads(item.body)
    assert data["report_id"] == rid and data == build_report(audit_result, report_id=rid).to_dict()


# -- delivery --------------------------------------------------------------------------------------


def test_server_down_backs_off_then_delivers_the_same_bytes_once(
    server: Scripted, audit_result: AuditResult
) -> None:
    _join(server)
    ids = _queue(audit_result, 3)
    clock = FakeClock()
    rng = random.Random(1)
    server.script = lambda s: (503, {"error": "unavailable"}, {}) if "reports" in s.path else None
    r = device.deliver(clock=clock, rng=rng)
    assert r.delivered == 0 and r.remaining == 3 and r.error is not None
    assert len(server.reports()) == 1  # the round stops at the first failure
    row = _row()
    assert row.failures == 1 and backoff.BASE / 2 <= row.next_attempt_at - clock() <= backoff.BASE
    # before the back-off is over an automatic round does nothing at all
    clock.advance(backoff.BASE / 4)
    r = device.deliver(clock=clock, rng=rng)
    assert r.waited and len(server.reports()) == 1
    # a second failure doubles the wait
    clock.advance(backoff.BASE)
    device.deliver(clock=clock, rng=rng)
    row = _row()
    assert row.failures == 2 and backoff.BASE <= row.next_attempt_at - clock() <= 2 * backoff.BASE
    first_bytes = server.reports()[0].body
    # the server is back
    server.script = None
    clock.advance(3 * backoff.BASE)
    r = device.deliver(clock=clock, rng=rng)
    assert (r.delivered, r.remaining, r.error) == (3, 0, None)
    sent = [json.loads(s.body)["report_id"] for s in server.reports()]
    assert sent[-3:] == ids  # oldest first
    assert server.reports()[2].body == first_bytes  # retried with the very same bytes
    row = _row()
    assert row.failures == 0 and row.next_attempt_at == 0 and row.delivered == 3
    assert device.status().last_error is None
    assert all(s.headers["Authorization"] == f"Bearer {server.token}" for s in server.reports())


def test_a_round_that_fails_midway_keeps_what_went_and_backs_off(
    server: Scripted, audit_result: AuditResult
) -> None:
    _join(server)
    ids = _queue(audit_result, 3)
    clock = FakeClock()

    def script(s: Seen) -> Any:
        if "reports" in s.path and json.loads(s.body)["report_id"] == ids[2]:
            return 503, None, {}
        return None

    server.script = script
    r = device.deliver(clock=clock, rng=random.Random(2))
    assert (r.delivered, r.remaining) == (2, 1)
    row = _row()
    assert row.delivered == 2 and row.failures == 1 and row.next_attempt_at > clock()


def test_forced_send_ignores_the_back_off(server: Scripted, audit_result: AuditResult) -> None:
    _join(server)
    _queue(audit_result, 1)
    clock = FakeClock()
    server.script = lambda s: (500, None, {}) if "reports" in s.path else None
    device.deliver(clock=clock)
    server.script = None
    assert device.deliver(clock=clock).waited
    assert device.deliver(clock=clock, force=True).delivered == 1


def test_retry_after_is_honoured(server: Scripted, audit_result: AuditResult) -> None:
    _join(server)
    _queue(audit_result, 1)
    clock = FakeClock()
    server.script = lambda s: (429, None, {"Retry-After": "3600"}) if "reports" in s.path else None
    device.deliver(clock=clock, rng=random.Random(3))
    assert _row().next_attempt_at - clock() == 3600


def test_already_stored_counts_and_422_is_dropped_with_a_reason(
    server: Scripted, audit_result: AuditResult, caplog: pytest.LogCaptureFixture
) -> None:
    _join(server)
    ids = _queue(audit_result, 3)

    def script(s: Seen) -> Any:
        if "reports" not in s.path:
            return None
        rid = json.loads(s.body)["report_id"]
        if rid == ids[0]:
            return 200, {"status": "already_stored"}, {}
        if rid == ids[1]:
            return 422, {"error": "report_invalid", "message": "measures/M99"}, {}
        return 201, {"status": "stored"}, {}

    server.script = script
    with caplog.at_level(logging.WARNING, logger="hygie.fleet.device"):
        r = device.deliver(force=True)
    assert (r.delivered, r.rejected, r.remaining, r.rejected_ids) == (2, 1, 0, [ids[1]])
    assert f"{ids[1]} refused by the server (422 report_invalid)" in caplog.text
    st = device.status()
    assert st.rejected == 1 and st.delivered == 2 and st.queue_length == 0


@pytest.mark.parametrize("code", [401, 410])
def test_membership_gone_stops_everything(
    server: Scripted, audit_result: AuditResult, code: int
) -> None:
    _join(server)
    _queue(audit_result, 3)
    server.script = lambda s: (code, {"error": "device_gone"}, {}) if "reports" in s.path else None
    r = device.deliver(force=True)
    assert isinstance(r.error, FleetMembershipGone) and r.remaining == 3
    assert len(server.reports()) == 1
    st = device.status()
    assert st.membership is not None and st.membership.state == "gone"
    assert st.last_error is not None and "ne reconnaît plus" in st.last_error
    # nothing more is sent, nothing more is queued
    assert isinstance(device.deliver(force=True).error, FleetMembershipGone)
    assert device.queue_report(audit_result) is None
    assert len(server.reports()) == 1
    # leaving works (the server holds nothing) and forgets everything
    server.script = lambda s: (code, None, {})
    device.leave()
    assert device.status().membership is None


def test_after_audit_queues_and_delivers_in_the_background(
    server: Scripted, audit_result: AuditResult
) -> None:
    _join(server)
    thread = device.after_audit(audit_result)
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive()
    assert len(server.reports()) == 1 and device.status().queue_length == 0


def test_after_audit_never_raises_and_never_waits_for_a_dead_server(
    audit_result: AuditResult,
) -> None:
    assert device.after_audit(audit_result) is None  # not joined: nothing at all
    with scripted_server() as s:
        _join(s)
    # the server is gone: queued, the background round fails quickly, a back-off starts
    thread = device.after_audit(audit_result)
    assert thread is not None
    thread.join(10)
    st = device.status()
    assert st.queue_length == 1 and st.last_error is not None and st.next_attempt_at
    # the next audit inside the back-off makes no attempt at all
    before = _row().failures
    thread = device.after_audit(audit_result)
    assert thread is not None
    thread.join(10)
    assert _row().failures == before and device.status().queue_length == 2


def test_a_lost_token_stops_sending_without_touching_the_audit(
    server: Scripted, audit_result: AuditResult
) -> None:
    from hygie.secrets import delete_secret

    _join(server)
    delete_secret(state.TOKEN_SECRET)  # the keyring was wiped
    thread = device.after_audit(audit_result)
    assert thread is not None
    thread.join(10)
    st = device.status()
    assert st.membership is not None and st.membership.state == "gone"
    assert server.reports() == []


# -- leave -----------------------------------------------------------------------------------------


def test_leave_deletes_on_the_server_and_forgets(
    server: Scripted, audit_result: AuditResult
) -> None:
    from hygie.secrets import get_secret

    _join(server)
    _queue(audit_result, 2)
    device.leave()
    assert server.seen[-1].method == "DELETE" and server.seen[-1].path == "/api/v1/device"
    assert server.seen[-1].headers["Authorization"] == f"Bearer {server.token}"
    assert device.status().membership is None and get_secret(state.TOKEN_SECRET) is None
    assert server.reports() == []  # the queue was dropped, not flushed


def test_leave_with_the_server_down_stays_pending_and_retries(
    audit_result: AuditResult,
) -> None:
    with scripted_server() as s:
        _join(s)
        token = s.token
    _queue(audit_result, 2)
    with pytest.raises(FleetLeavePending):
        device.leave(timeout=2)
    st = device.status()
    assert st.membership is not None and st.membership.state == "leaving"
    assert st.queue_length == 0  # nothing more will be sent
    assert device.queue_report(audit_result) is None
    # the server is back (same address is not guaranteed: point the membership at it)
    with scripted_server() as back:
        back.token = token
        store = open_store()
        state.update_membership(store, server_url=back.url)
        store.close()
        clock = FakeClock(2_000_000_000.0)
        r = device.deliver(clock=clock)
        assert r.left and r.leaving and [x.method for x in back.seen] == ["DELETE"]
    assert device.status().membership is None


# -- transport hostility -----------------------------------------------------------------------


def test_tls_is_verified(tmp_path: Path) -> None:
    import trustme

    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    with scripted_server(tls_context=ctx) as s:
        assert s.url.startswith("https://")
        with pytest.raises(FleetServerUnreachable, match="certificat"):
            device.join(device.prepare_join(s.url, CODE), timeout=5)
        assert s.seen == []  # nothing crossed
        # an authority the nurse's provider installed (SSL_CERT_FILE) is trusted
        ca_file = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        mp = pytest.MonkeyPatch()
        mp.setenv("SSL_CERT_FILE", str(ca_file))
        try:
            assert device.join(device.prepare_join(s.url, CODE), timeout=5).state == "active"
        finally:
            mp.undo()


def test_redirects_are_not_followed_and_the_token_stays_home(
    server: Scripted, audit_result: AuditResult
) -> None:
    _join(server)
    _queue(audit_result, 1)
    with scripted_server() as elsewhere:
        server.script = lambda s: (
            (307, None, {"Location": elsewhere.url + "/api/v1/reports"})
            if "reports" in s.path
            else None
        )
        r = device.deliver(force=True)
        assert r.remaining == 1 and r.error is not None
        assert elsewhere.seen == []


def test_a_server_dripping_bytes_cannot_hold_a_call() -> None:
    import socket
    import threading

    from hygie.fleet.device.transport import request

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        try:
            while not stop.is_set():  # a header that never ends, one byte at a time
                conn.sendall(b"X")
                stop.wait(0.05)
        except OSError:
            pass
        finally:
            conn.close()

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    try:
        with pytest.raises(FleetServerUnreachable, match="délai"):
            request("GET", f"http://127.0.0.1:{listener.getsockname()[1]}", "/", timeout=0.3)
    finally:
        stop.set()
        listener.close()
        t.join(5)


def test_status_before_joining_shows_what_would_be_sent(audit_result: AuditResult) -> None:
    st = device.status(example_from=audit_result)
    assert not st.joined and st.report_example is not None
    assert st.report_example["measures"] == {
        m.measure_id: m.status.value for m in audit_result.measures
    }
    assert set(st.to_dict()) >= {"joined", "queue", "last_error", "report_example"}
