"""``python -m hygie`` runs the CLI."""

from hygie.cli.app import main

main()
