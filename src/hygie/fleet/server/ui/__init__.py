"""The operator's web UI of ``hygie fleet serve``: sign-in, campaigns, charts, exports.

Public surface: :func:`ui_routes` (the server's app includes them, after the device API) and
the account functions the ``hygie fleet operator`` commands use (:mod:`.accounts`).
French first, English through gettext (``src/hygie/locale/en/fleet.po``). Anonymous
campaigns never show a figure about fewer than 5 computers (the rule is
:func:`hygie.fleet.server.stats.for_display`, applied before anything is shown).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .web import HERE, UiState, operator_page, public_page


def ui_routes(database: str) -> list[BaseRoute]:
    """The UI's routes for the database at ``database`` (a libpq URL). The UI opens its own
    small synchronous pool at first use (its pages run in worker threads)."""
    from . import pages

    state = UiState(database)

    return [
        Route("/", operator_page(state, pages.home), methods=["GET"]),
        Route("/connexion", public_page(state, pages.login_page), methods=["GET"]),
        Route("/connexion", public_page(state, pages.login_submit), methods=["POST"]),
        Route("/deconnexion", operator_page(state, pages.logout), methods=["POST"]),
        Route("/langue/{lang}", pages.language, methods=["GET"]),
        Route("/rejoindre", public_page(state, pages.join_page), methods=["GET"]),
        Route("/campagnes", operator_page(state, pages.campaigns_page), methods=["GET"]),
        Route("/campagnes", operator_page(state, pages.campaign_create), methods=["POST"]),
        Route(
            "/campagnes/{campaign_id:int}",
            operator_page(state, pages.campaign_page),
            methods=["GET"],
        ),
        Route(
            "/campagnes/{campaign_id:int}/feuille",
            operator_page(state, pages.handout),
            methods=["POST"],
        ),
        Route(
            "/campagnes/{campaign_id:int}/export.{kind}",
            operator_page(state, pages.export),
            methods=["GET"],
        ),
        Mount("/ui-static", app=StaticFiles(directory=HERE / "static"), name="fleet-ui-static"),
    ]


__all__ = ["ui_routes"]
