"""Errors of the dashboard (exit codes 50-59)."""

from __future__ import annotations

from hygie.errors import AppError


class DashboardError(AppError):
    """Base class of the dashboard's errors."""

    exit_code = 50
    code = "dashboard"
    message_fr = "Le tableau de bord n'a pas pu démarrer : {detail}"
    hint_fr = (
        "Relancez « hygie serve » ; si cela recommence, montrez ce message à votre prestataire."
    )


class RemoteListenRefused(DashboardError):
    """A non-loopback ``--listen`` address without the explicit opt-in flag."""

    exit_code = 51
    code = "dashboard_remote_listen"
    message_fr = (
        "Le tableau de bord n'écoute que sur cet ordinateur ; l'adresse « {host} » "
        "le rendrait accessible depuis le réseau."
    )
    hint_fr = (
        "Utilisez l'adresse par défaut (127.0.0.1). Si vous savez exactement ce que vous "
        "faites, ajoutez --i-know-what-i-am-doing."
    )


class PortUnavailable(DashboardError):
    """The requested port is taken or cannot be used."""

    exit_code = 52
    code = "dashboard_port"
    message_fr = "Le port {port} n'est pas disponible : {detail}"
    hint_fr = "Choisissez un autre port avec --port, ou laissez hygie en choisir un libre."
