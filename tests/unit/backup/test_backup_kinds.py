"""The destination-kind table: every kind is complete, and every front reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hygie.backup import KINDS, kind_of, parse_destination
from hygie.backup.configure import name_for
from hygie.backup.destinations import Destination, endpoint
from hygie.i18n import known_translations

SRC = Path(__file__).parents[3] / "src" / "hygie"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_is_complete(kind: object) -> None:
    from hygie.backup.kinds import DestinationKind

    assert isinstance(kind, DestinationKind)
    assert kind.label_fr and known_translations("en").get(kind.label_fr), kind.name
    parsed_kind, url = parse_destination(kind.example)
    assert parsed_kind == kind.name
    d = Destination("x", kind.name, url)
    assert d.offsite is kind.offsite
    if kind.offsite:
        assert d.host, "a network kind names its host (M10 reads it)"
    for f in kind.credentials:
        assert f.env.isupper() and known_translations("en").get(f.label_fr)
    assert kind_of(kind.name) is kind


def test_endpoints_and_hosts() -> None:
    s3 = Destination("s3", "s3", "s3:https://S3.Example.fr:9000/bucket")
    assert endpoint(s3) == ("s3.example.fr", 9000) and s3.host == "s3.example.fr"
    assert endpoint(Destination("r", "rest", "rest:http://127.0.0.1:8000/x")) == ("127.0.0.1", 8000)
    assert endpoint(Destination("s", "sftp", "sftp:u@nas.local:/srv")) is None
    assert Destination("s", "sftp", "sftp:u@NAS.local:/srv").host == "nas.local"
    assert Destination("l", "local", "/x").host == ""


def test_names_given_by_setup() -> None:
    taken: set[str] = set()
    names = []
    for kind, removable in [("s3", False), ("s3", False), ("local", True), ("local", False)]:
        n = name_for(kind, removable, taken)
        taken.add(n)
        names.append(n)
    assert names == ["s3", "s3-2", "disque", "local"]


def test_no_front_tests_kind_names_itself() -> None:
    """`if kind == "s3" … elif kind == "local"` chains live nowhere but the table."""
    pattern = re.compile(
        r"""kind\s*[!=]=\s*["'](local|s3|rest|sftp)["']|["']s3["']\s*:\s*N?_|(?<!flash)\.kind\s*\}\}"""
    )
    offenders = []
    for folder in ("backup", "cli", "incident", "web"):
        for path in [*(SRC / folder).rglob("*.py"), *(SRC / folder).rglob("*.j2")]:
            if path.name == "kinds.py":
                continue
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(SRC)}:{i}: {line.strip()}")
    assert offenders == []
