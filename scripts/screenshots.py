"""Regenerate docs/screenshots/*.png: every dashboard page in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts `hygie serve --no-browser` on a throw-away HYGIE_HOME (and a throw-away home folder for
the folder chooser), runs a few audits and answers a question (so the history has a curve and
the first-run path has begun), then photographs each page at 1280 px wide, and the home page
at 360 px (narrow window / 200 % zoom).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hygie.web.browser import CHROMIUM, CHROMIUM_ARGS

PAGES = [
    ("accueil", "/"),
    ("mesure", "/mesures/M07"),
    ("questionnaire", "/questionnaire"),
    ("historique", "/historique"),
    ("incident", "/incident"),
    ("logiciel-indisponible", "/logiciel-indisponible"),
    ("sauvegardes", "/sauvegardes"),
    ("cle-usb", "/cle-usb"),
    ("messagerie", "/messagerie"),
    ("contacts", "/incident/contacts"),
    ("exercice", "/incident/exercice"),
    ("choisir-dossier", "/choisir?champ=sources&retour=/sauvegardes%23configurer&chemin={docs}"),
    ("kit-impression", "/incident/kit/imprimer"),
    ("composants", "/composants"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="hygie-shots-") as home:
        # her home, with the folders the chooser shows first
        user = Path(home) / "infirmiere"
        for sub in ("Documents/Cabinet", "Documents/Comptabilité", "Desktop"):
            (user / sub).mkdir(parents=True)
        env = dict(
            os.environ, HYGIE_HOME=str(Path(home) / "hygie"), HYGIE_LANG="fr", HOME=str(user)
        )
        cli = [sys.executable, "-c", "from hygie.cli.app import main; main()"]
        for _ in range(3):
            subprocess.run([*cli, "audit", "--json"], env=env, capture_output=True, check=False)
        proc = subprocess.Popen(
            [*cli, "serve", "--no-browser"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            base = url.split("/?", 1)[0]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                # answer one question so that a measure moves and the history shows it
                page.goto(base + "/mesures/M10")
                page.get_by_label("oui").first.check()
                page.get_by_role("button", name="Enregistrer et réévaluer").click()
                for name, path in PAGES:
                    page.goto(base + path.format(docs=user / "Documents"))
                    page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                    print(args.out / f"{name}.png")
                page.set_viewport_size({"width": 360, "height": 800})
                page.goto(base + "/")
                page.screenshot(path=str(args.out / "accueil-etroit.png"), full_page=False)
                print(args.out / "accueil-etroit.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
