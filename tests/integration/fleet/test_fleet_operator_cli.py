"""``hygie fleet operator add|list|remove`` against a real PostgreSQL."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.fleet_ui_helpers import run_hygie

pytestmark = pytest.mark.integration


@pytest.fixture
def db(fleet_db: str) -> str:
    return fleet_db


def test_add_list_remove(db: str) -> None:
    done = run_hygie(["fleet", "operator", "add", "--database", db, "--name", "lea.martin"],
                     "une phrase assez longue")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "une phrase" not in done.stdout + done.stderr
    with psycopg.connect(db) as conn:
        row = conn.execute(
            "SELECT password_hash FROM operator WHERE name = 'lea.martin'"
        ).fetchone()
    assert row is not None and str(row[0]).startswith("scrypt$17$8$1$")
    assert "une phrase" not in str(row[0])

    listed = run_hygie(["fleet", "operator", "list", "--database", db, "--json"])
    assert listed.returncode == 0, listed.stderr
    doc = json.loads(listed.stdout)
    assert [o["name"] for o in doc["data"]["operators"]] == ["lea.martin"]
    assert doc["data"]["operators"][0]["last_login_at"] is None

    again = run_hygie(["fleet", "operator", "add", "--database", db, "--name", "lea.martin"],
                      "une autre phrase longue")  # fmt: skip
    assert again.returncode == 91
    assert "existe déjà" in again.stderr

    gone = run_hygie(["fleet", "operator", "remove", "--database", db, "--name", "lea.martin"])
    assert gone.returncode == 0, gone.stderr
    missing = run_hygie(["fleet", "operator", "remove", "--database", db, "--name", "lea.martin"])
    assert missing.returncode == 92
    assert "Aucun opérateur" in missing.stderr


@pytest.mark.parametrize(
    ("name", "password", "code", "text"),
    [
        ("ok.name", "court", 93, "moins de 12 caractères"),
        ("ok.name", "", 93, "il est vide"),
        ("Pas Bon", "une phrase assez longue", 90, "invalide"),
    ],
)
def test_refusals_save_nothing(db: str, name: str, password: str, code: int, text: str) -> None:
    done = run_hygie(["fleet", "operator", "add", "--database", db, "--name", name], password)
    assert done.returncode == code, done.stderr
    assert text in done.stderr
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT count(*) FROM operator WHERE name = %s", (name,)).fetchone()
    assert row == (0,)


def test_a_database_without_the_schema_says_run_init(empty_db: str) -> None:
    done = run_hygie(["fleet", "operator", "list", "--database", empty_db])
    assert done.returncode == 94
    assert "hygie fleet init" in done.stderr
