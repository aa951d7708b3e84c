"""Helpers of the operator UI's tests: the CLI with a password on stdin, seeded campaigns.

Campaigns are filled through the real device API of a running ``hygie fleet serve`` (join,
then reports dated in the past weeks), as computers would.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from hygie.audit import measure_ids

STATUS_OF = {"o": "ok", "w": "warn", "f": "fail", "u": "unknown", "n": "not_applicable"}


def run_hygie(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_LANG": "fr"}
    return subprocess.run(
        [sys.executable, "-m", "hygie", *args],
        input=stdin + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def add_operator(url: str, name: str, password: str) -> subprocess.CompletedProcess[str]:
    return run_hygie(["fleet", "operator", "add", "--database", url, "--name", name], password)


@dataclass(frozen=True)
class SeedDevice:
    department: str | None
    label: str | None
    statuses: list[str]  # one 13-character status string per week, oldest first
    score: int = 50
    silent_days: int = 0  # the last report is this many days old


def seed_campaign(server: Any, name: str, mode: str, devices: list[SeedDevice]) -> str:
    """A campaign whose computers join and report through the API; returns the join code."""
    from tests.integration.fleet.conftest import make_report

    code: str = server.campaign(name=name, mode=mode)
    now = dt.datetime.now(dt.UTC)
    ids = measure_ids()
    for d in devices:
        token = server.new_device(code, department=d.department, label=d.label)
        for i, chars in enumerate(d.statuses):
            weeks_back = len(d.statuses) - 1 - i
            at = now - dt.timedelta(days=d.silent_days + 7 * weeks_back)
            measures = {m: STATUS_OF[c] for m, c in zip(ids, chars, strict=True)}
            r = server.send(token, make_report(audited_at=at, score=d.score, **measures))
            assert r.status_code == 201, r.text
    return code
