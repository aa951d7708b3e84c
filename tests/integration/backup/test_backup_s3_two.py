"""Two S3 destinations with different keys, added one after the other from the dashboard
(issue #15): each keeps its own keys and both back up (real SeaweedFS servers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hygie import backup
from hygie.backup.repo import credentials_secret
from hygie.secrets import get_secret

pytestmark = pytest.mark.integration


def _quiet(*_args: Any) -> None:
    return None


def test_dashboard_second_s3_destination_keeps_both_keys(
    source_tree: Path, make_s3_server: Callable[..., Any]
) -> None:
    from hygie.web.base import WebState
    from hygie.web.routes.backup import _setup_job
    from hygie.web.security import Sessions

    st = WebState(sessions=Sessions())

    one = make_s3_server()
    two = make_s3_server(key="deuxiemecle", secret="deuxiemesecret456")
    url1, url2 = f"s3:{one.url}/cabinet", f"s3:{two.url}/cabinet"
    _setup_job(st, [str(source_tree)], url1, (one.key, one.secret))(_quiet)
    _setup_job(st, [], url2, (two.key, two.secret))(_quiet)
    cfg = backup.load_config(__import__("hygie.store", fromlist=["open_store"]).open_store())
    assert cfg is not None
    names = {d.url: d.name for d in cfg.destinations}
    assert names == {url1: "s3", url2: "s3-2"}
    keys = {n: json.loads(get_secret(credentials_secret(n)) or "{}") for n in names.values()}
    assert keys["s3"]["access_key_id"] == one.key  # not overwritten by the second
    assert keys["s3-2"]["access_key_id"] == two.key
    result = backup.run()
    assert result.ok, result.to_dict()


def test_setup_names_and_stores_credentials_at_once(
    source_tree: Path, make_s3_server: Callable[..., Any]
) -> None:
    """The API the dashboard now calls: credentials keyed by the destination as given."""
    one = make_s3_server()
    two = make_s3_server(key="autrecle", secret="autresecret789")
    url1, url2 = f"s3:{one.url}/cabinet-a", f"s3:{two.url}/cabinet-b"
    creds = {
        url1: {"access_key_id": one.key, "secret_access_key": one.secret},
        url2: {"access_key_id": two.key, "secret_access_key": two.secret},
    }
    res = backup.setup([str(source_tree)], [url1, url2], pdf=False, credentials=creds)
    assert [d.name for d in res.destinations] == ["s3", "s3-2"]
    assert backup.run().ok
