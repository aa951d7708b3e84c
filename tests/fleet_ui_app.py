"""The UI's routes in a Starlette app, for the tests' uvicorn subprocess (interim, until
``hygie fleet serve`` mounts them)."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from hygie.fleet.server.ui import ui_routes


def app() -> Starlette:
    return Starlette(routes=ui_routes(os.environ["HYGIE_FLEET_UI_TEST_DB"]))
