"""The CLI starts without importing capabilities, and speaks French (Click's words too)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from hygie.cli.app import CLI_MODULES, COMMANDS, load_module_commands, short_help, take_lang
from hygie.cli.words import FR, error_message
from hygie.i18n import _, set_language

CAPABILITIES = ("hygie.audit", "hygie.backup", "hygie.incident", "hygie.mail", "hygie.media",
                "hygie.scan", "hygie.web", "hygie.render", "hygie.identifiers", "hygie.store",
                "rich", "jinja2", "yaml", "babel")  # fmt: skip


def hygie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hygie", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--lang", "en", "--help"]])
def test_version_and_help_import_no_capability(args: list[str]) -> None:
    code = (
        "import sys\nfrom hygie.cli.app import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as e:\n    rc = e.code\n"
        "import json\nprint(json.dumps([rc, sorted(m for m in sys.modules)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert rc == 0
    # English reads its catalog (Babel); French, the default, needs none.
    unwanted = [c for c in CAPABILITIES if not (c == "babel" and "en" in args)]
    loaded = [m for m in modules if any(m == c or m.startswith(c + ".") for c in unwanted)]
    assert loaded == []


def test_parsing_options_imports_no_validation_library() -> None:
    """Typer is pinned before the release that coerces every option through pydantic (about
    80 ms at each start of every command, docs/benchmarks.md): parsing stays Click's."""
    code = (
        "import sys\nfrom hygie.cli.app import main\n"
        "try:\n    main(['media', 'scan', 'x', '--workers', '4', '--json', '--clamd', '%'])\n"
        "except SystemExit as e:\n    pass\n"
        "except Exception:\n    pass\n"
        "import json\nprint(json.dumps(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert "hygie.cli.media" in modules  # the options were parsed
    assert [m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")] == []


def test_every_command_is_listed_with_its_module_and_loads() -> None:
    seen: dict[str, str] = {}
    for module in CLI_MODULES:
        for name in load_module_commands(module):
            seen[name] = module
    assert {n: m for n, (m, _h) in COMMANDS.items()} == seen


def test_listing_is_whole_and_french() -> None:
    r = hygie("--help")
    assert r.returncode == 0
    assert r.stdout.startswith("Utilisation : hygie [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert "Commandes" in r.stdout and "Afficher cette aide et quitter." in r.stdout
    assert "…" not in r.stdout and "..." not in r.stdout.split("\n", 1)[1]
    assert "Show this message" not in r.stdout and "Usage:" not in r.stdout
    for name in COMMANDS:
        assert f"\n  {name} " in r.stdout


def test_sub_group_listing_is_not_cut() -> None:
    r = hygie("backup", "--help")
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout and "Commandes" in r.stdout
    # backup setup's whole first line, wrapped but never cut
    flat = " ".join(r.stdout.split())
    assert "crée les dépôts chiffrés et la fiche" in flat


@pytest.mark.parametrize(
    "args", [["--lang", "en", "audit", "--bogus"], ["audit", "--lang", "en", "--bogus"],
             ["audit", "--bogus", "--lang=en"]],
)  # fmt: skip
def test_lang_anywhere_and_english_errors(args: list[str]) -> None:
    r = hygie(*args)
    assert r.returncode == 2
    assert "Error: No such option: --bogus" in r.stderr
    assert "Try 'hygie audit --help' for help." in r.stderr


def test_french_usage_errors() -> None:
    r = hygie("audit", "--bogus")
    assert r.returncode == 2
    assert "Erreur : Option inconnue : --bogus" in r.stderr
    assert "Tapez « hygie audit --help » pour l'aide." in r.stderr
    assert "Utilisation : hygie audit [OPTIONS]" in r.stderr
    r = hygie("serve", "--port", "abc")
    assert "Valeur incorrecte pour '--port' : « abc » n'est pas un nombre entier" in r.stderr
    r = hygie("media", "scan", "x", "--workers", "64")
    assert "Erreur : Valeur incorrecte pour '--workers' : 64 n'est pas entre 1 et 32" in r.stderr
    assert r.returncode == 2
    r = hygie("audti")
    assert "Commande inconnue" in r.stderr and "'audit'" in r.stderr


def test_english_help_keeps_click_words_and_translates_the_listing() -> None:
    r = hygie("--lang", "en", "--help")
    assert r.stdout.startswith("Usage: hygie [OPTIONS] COMMAND [ARGS]...")
    assert "Show this message and exit." in r.stdout
    assert "Check this computer's cyber hygiene" in r.stdout


def test_unknown_language_is_a_usage_error() -> None:
    r = hygie("--lang", "de", "audit")
    assert r.returncode == 2 and "langue « de » inconnue" in r.stderr


def test_take_lang_leaves_everything_after_double_dash() -> None:
    assert take_lang(["scan", "--lang", "en", "x"]) == ("en", ["scan", "x"])
    assert take_lang(["scan", "--", "--lang", "en"]) == (None, ["scan", "--", "--lang", "en"])
    assert take_lang(["--lang=fr"]) == ("fr", [])


def test_error_messages_in_french_and_english() -> None:
    set_language("fr")
    assert error_message("No such option: --x (Possible options: --json)") == (
        "Option inconnue : --x (options possibles : --json)"
    )
    assert error_message("Missing option '--target'.") == (
        "Option obligatoire manquante : '--target'."
    )
    assert error_message("Got unexpected extra argument(s) (a b)") == "Argument(s) en trop : a b"
    assert error_message("something Click never said") == "something Click never said"
    set_language("en")
    assert error_message("No such option: --x") == "No such option: --x"
    set_language("fr")


@pytest.mark.parametrize(
    ("click_says", "french"),
    [
        ("'abc' is not a valid int.", "« abc » n'est pas un nombre entier"),
        ("'5.0' is not a valid int.", "« 5.0 » n'est pas un nombre entier"),
        ("'abc' is not a valid integer.", "« abc » n'est pas un nombre entier"),
        ("'abc' is not a valid int range.", "« abc » n'est pas un nombre entier"),
        ("'' is not a valid int.", "un nombre entier est attendu"),
        ("'' is not a valid int range.", "un nombre entier est attendu"),
        ("'' is not a valid float range.", "un nombre est attendu"),
        ("'x' is not a valid float.", "« x » n'est pas un nombre"),
        ("'1,5' is not a valid float range.",
         "« 1,5 » n'est pas un nombre (écrivez 1.5, avec un point)"),
        ("64 is not in the range 1<=x<=32.", "64 n'est pas entre 1 et 32"),
        ("-1.0 is not in the range x>=0.1.", "-1.0 est plus petit que 0.1"),
        ("9 is not in the range x<=6.", "9 est plus grand que 6"),
    ],
)  # fmt: skip
def test_click_number_errors_in_french(click_says: str, french: str) -> None:
    """Click's number errors (no English left, no quote taken for the value)."""
    set_language("fr")
    assert error_message(f"Invalid value for '--n': {click_says}") == (
        f"Valeur incorrecte pour '--n' : {french}"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "x", "--timeout", "nan"],
        ["scan", "x", "--timeout", "inf"],
        ["mail", "quarantine", "purge", "--older-than", "nan"],
        ["mail", "quarantine", "purge", "--older-than", "inf"],
    ],
)
def test_a_decimal_option_refuses_nan_and_infinity(args: list[str]) -> None:
    """Click's FloatRange lets them through: "nan" meant "no time limit" to the scan and an
    unexpected error to the purge. Now a usage error (exit 2) that says what is expected."""
    r = hygie(*args)
    assert r.returncode == 2, r.stderr
    assert "un nombre fini est attendu" in r.stderr


def test_every_decimal_option_is_checked_finite() -> None:
    """Every float option of every command goes through hygie.cli.params.finite (Click's
    FloatRange lets nan and inf through): a new one cannot forget it."""
    from typer import _click as click

    from hygie.cli.params import finite

    def walk(cmd: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    floats = [
        (path, p.name, p.callback)
        for module in CLI_MODULES
        for name, top_cmd in load_module_commands(module).items()
        for path, cmd in walk(top_cmd, name)
        for p in cmd.params
        if isinstance(p.type, click.types.FloatParamType)
    ]
    assert floats  # the walk found the decimal options (scan --timeout, purge --older-than)
    # by name: a module imported again by another test holds its own copy of the function
    unchecked = [(path, name) for path, name, cb in floats
                 if (getattr(cb, "__module__", ""), getattr(cb, "__name__", ""))
                 != (finite.__module__, finite.__name__)]  # fmt: skip
    assert unchecked == []


def test_short_help_is_the_whole_first_paragraph() -> None:
    cmds = load_module_commands("hygie.cli.backup")
    assert short_help(cmds["backup"]) == _(cmds["backup"].help or "").split("\n\n")[0].strip()
    assert all(v for v in FR.values())


def test_a_typo_imports_no_capability() -> None:
    code = (
        "import sys\nfrom hygie.cli.app import main\n"
        "try:\n    main(['audti'])\nexcept SystemExit as e:\n    rc = e.code\n"
        "print(rc, [m for m in sys.modules if m.startswith(('hygie.audit', 'hygie.backup'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "2" and out.stdout.strip().endswith("[]")
    assert "'audit'" in out.stderr  # still suggests the right command
