"""``hygie fleet``: campaign server (operators) and device commands (the nurse's computer).

Server and operator commands live in :mod:`hygie.cli.fleet_server`, device commands in
:mod:`hygie.cli.fleet_device`; this module only assembles the ``fleet`` group.
"""

from __future__ import annotations

import typer

from hygie.cli import fleet_device, fleet_operator, fleet_server

fleet_app = typer.Typer(
    help=(
        "Suivi de parc : campagnes d'une union régionale, d'un cabinet de groupe ou d'un "
        "prestataire informatique. Seuls les statuts des mesures et le score sont envoyés, "
        "jamais une donnée de patient."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
fleet_server.register(fleet_app)
fleet_device.register(fleet_app)
fleet_operator.register(fleet_app)


def register(app: typer.Typer) -> None:
    app.add_typer(fleet_app, name="fleet")
