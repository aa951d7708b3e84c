"""restic driving: version parsing, error classification, password handling, time parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hygie.backup.restic import Repo, classify, parse_version
from hygie.backup.verifying import parse_rfc3339_ns
from hygie.proc import Completed


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("restic 0.14.0 compiled with go1.19.8 on linux/amd64", (0, 14, 0)),
        ("restic 0.18.1 compiled with go1.24.4 on windows/amd64", (0, 18, 1)),
        ("restic v0.17.3-dev (compiled manually)", (0, 17, 3)),
        ("bash: restic: command not found", None),
    ],
)
def test_parse_version(text: str, version: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == version


def cp(rc: int | None, err: str = "", **kw: bool) -> Completed:
    return Completed(("restic",), rc, "", err, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("completed", "op", "code", "exit_code"),
    [
        (cp(None, missing=True), "backup", "restic_not_found", 10),
        (cp(1, "Fatal: wrong password or no key found\n"), "backup", "wrong_password", 13),
        (cp(12, "Fatal: repository password is incorrect"), "backup", "wrong_password", 13),
        (
            cp(1, "Fatal: unable to save snapshot: write /x/data/ab: no space left on device"),
            "backup",
            "destination_full",
            15,
        ),
        (
            cp(
                1,
                "Save(<data/1>) returned error: dial tcp 127.0.0.1:9: connect: connection refused",
            ),
            "backup",
            "destination_unreachable",
            16,
        ),
        (cp(None, timed_out=True), "backup", "destination_unreachable", 16),
        (
            cp(
                1,
                "error for tree abc:\n  ciphertext verification failed\n"
                "Fatal: repository contains errors",
            ),
            "check",
            "repository_corrupted",
            14,
        ),
        (
            cp(
                10,
                "Fatal: unable to open config file: "
                "Is there a repository at the following location?",
            ),
            "backup",
            "backup_failed",
            17,
        ),
        (cp(1, "something unexpected"), "backup", "backup_failed", 17),
    ],
)
def test_classify(completed: Completed, op: str, code: str, exit_code: int) -> None:
    err = classify(completed, "disque", operation=op)
    assert (err.code, err.exit_code) == (code, exit_code)
    assert err.hint()  # always the next step


def test_password_goes_through_a_private_pipe_never_argv_or_env() -> None:
    repo = Repo("local", "/srv/repo", "s3cr3t-Pa55word", {})
    with repo._password_env() as (env, fds):
        assert "s3cr3t-Pa55word" not in "".join(env.values())
        assert "RESTIC_PASSWORD" not in env
        assert env["RESTIC_PASSWORD_FILE"] == f"/dev/fd/{fds[0]}"
        assert os.read(fds[0], 100) == b"s3cr3t-Pa55word\n"


def test_repo_call_reads_the_password_from_the_pipe(tmp_path: Path) -> None:
    repo = Repo("local", str(tmp_path / "repo"), "un-mot-de-passe-long", {})
    created, repo_id = repo.init()
    assert created and len(repo_id) == 64
    assert Repo("local", str(tmp_path / "repo"), "un-mot-de-passe-long").repo_id() == repo_id
    again, same = repo.init()
    assert not again and same == repo_id


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1970-01-01T00:00:01Z", 1_000_000_000),
        ("1970-01-01T00:00:01.5Z", 1_500_000_000),
        ("1970-01-01T01:00:01.000000123+01:00", 1_000_000_123),
        ("not a time", None),
    ],
)
def test_parse_rfc3339_ns(text: str, ns: int | None) -> None:
    assert parse_rfc3339_ns(text) == ns
