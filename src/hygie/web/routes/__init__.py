"""The dashboard's pages, one module per capability (plus the folder chooser and the jobs).

Each module lists its routes in ``ROUTES``; :func:`all_routes` is the one place they meet.
"""

from __future__ import annotations

from starlette.routing import Route

from hygie.web.routes import (
    audit,
    backup,
    choose,
    doctor,
    fleet,
    history,
    incident,
    jobs,
    mail,
    media,
    remind,
)


def all_routes() -> list[Route]:
    return [
        *audit.ROUTES,
        *history.ROUTES,
        *backup.ROUTES,
        *media.ROUTES,
        *mail.ROUTES,
        *incident.ROUTES,
        *choose.ROUTES,
        *jobs.ROUTES,
        *doctor.ROUTES,
        *remind.ROUTES,
        *fleet.ROUTES,
    ]
