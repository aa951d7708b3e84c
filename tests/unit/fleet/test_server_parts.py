"""The fleet server's pure parts: listen addresses, the join brake, status storage, URLs."""

from __future__ import annotations

import pytest

from hygie.fleet.errors import FleetDatabaseUrlInvalid, FleetListenInvalid, FleetPlainHttpRefused
from hygie.fleet.server.auth import JoinLimiter, bearer_token, masked
from hygie.fleet.server.db import describe_host, unavailable
from hygie.fleet.server.serve import check_listen, is_loopback, parse_listen
from hygie.fleet.server.statuses import decode, encode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8750", ("127.0.0.1", 8750)),
        ("localhost:80", ("localhost", 80)),
        ("[::1]:9000", ("::1", 9000)),
        ("127.0.0.1", ("127.0.0.1", 8750)),
        ("[::1]", ("::1", 8750)),
    ],
)
def test_parse_listen(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["::1:80", ":80", "127.0.0.1:0", "h:70000", "h:x", "[::1"])
def test_parse_listen_refuses(text: str) -> None:
    with pytest.raises(FleetListenInvalid):
        parse_listen(text)


def test_only_loopback_may_be_plain_http() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert is_loopback(host)
        check_listen(host, allow_plain_http=False)
    for host in ("0.0.0.0", "::", "192.168.1.10", "fleet.example.org", "localhost.evil.org"):
        assert not is_loopback(host)
        with pytest.raises(FleetPlainHttpRefused):
            check_listen(host, allow_plain_http=False)
        check_listen(host, allow_plain_http=True)


def test_join_limiter_counts_failures_per_address_in_a_window() -> None:
    lim = JoinLimiter(max_failures=3, window_s=100)
    for t in (0.0, 1.0, 2.0):
        assert lim.retry_after("a", now=t) == 0
        lim.failed("a", now=t)
    assert lim.retry_after("a", now=3.0) == 98
    assert lim.retry_after("b", now=3.0) == 0  # another address is not braked
    assert lim.retry_after("a", now=100.5) == 0  # the first failure left the window


def test_join_limiter_memory_is_bounded() -> None:
    lim = JoinLimiter(max_failures=1, window_s=100, max_addresses=10)
    for i in range(50):
        lim.failed(f"10.0.0.{i}", now=0.0)
    assert len(lim._failures) == 10
    assert lim.retry_after("10.0.0.49", now=1.0) > 0


def test_bearer_token_parsing_never_raises() -> None:
    good = "12.7d1c63f4-8e4f-4ac1-9a4b-2f0c8e7d6b5a." + "A" * 43
    assert bearer_token({"authorization": f"Bearer {good}"}) is not None
    assert bearer_token({"authorization": f"bearer {good}"}) is not None
    for bad in ("", good, f"Basic {good}", "Bearer ", "Bearer " + "x" * 500, "Bearer a.b.c"):
        assert bearer_token({"authorization": bad}) is None
    assert masked("ABCD-EFGH") == "ABCD…"


def test_statuses_round_trip_in_database_order() -> None:
    order = ["M02", "M01", "M03"]
    stored = encode({"M01": "ok", "M02": "fail", "M03": "not_applicable"}, order)
    assert stored == "fon"
    assert decode(stored, order) == {"M02": "fail", "M01": "ok", "M03": "not_applicable"}
    # a measure the report lacks is stored unknown, never ok; a short string reads unknown
    assert encode({"M01": "ok"}, order) == "uou"
    assert decode("f", order)["M03"] == "unknown"


def test_database_errors_name_the_host_never_the_password() -> None:
    url = "postgresql://fleet:Pa55word@db.example.org:5433/fleet"
    assert describe_host(url) == "db.example.org:5433, base « fleet »"
    assert "/run/pg" in describe_host("postgresql:///fleet?host=/run/pg")
    err = unavailable(url, RuntimeError('password "Pa55word" rejected'))
    assert "Pa55word" not in err.render() and "db.example.org:5433" in err.render()
    with pytest.raises(FleetDatabaseUrlInvalid) as bad:
        describe_host("postgresql://fleet:Pa55word@db/x?bogus=1")
    assert "Pa55word" not in bad.value.render()
