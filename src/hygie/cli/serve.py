"""``hygie serve``: the local web dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from hygie.errors import EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("serve", help="Ouvrir le tableau de bord dans le navigateur (sur cet ordinateur).")(
        serve
    )


def serve(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (défaut : un port libre).")
    ] = 0,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Ne pas ouvrir le navigateur.")
    ] = False,
    listen: Annotated[
        str, typer.Option("--listen", help="Adresse d'écoute (défaut : 127.0.0.1).")
    ] = "127.0.0.1",
    i_know: Annotated[
        bool,
        typer.Option(
            "--i-know-what-i-am-doing",
            help="Autoriser une adresse d'écoute accessible depuis le réseau (déconseillé).",
        ),
    ] = False,
) -> int:
    """Ouvrir le tableau de bord dans le navigateur."""
    from hygie.web.server import ServeSettings
    from hygie.web.server import serve as run

    run(ServeSettings(listen=listen, port=port, open_browser=not no_browser, allow_remote=i_know))
    return EXIT_OK
