"""Background jobs' pages (progress by Server-Sent Events) and the language switch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from sse_starlette.sse import EventSourceResponse
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hygie.i18n import SUPPORTED
from hygie.web import pages
from hygie.web.base import form_of, redirect, render, safe_next, state_of
from hygie.web.jobs import Job
from hygie.web.security import session_of


def _job(request: Request) -> Job:
    job = state_of(request).jobs.get(str(request.path_params["job_id"]))
    if job is None:
        raise HTTPException(404)
    return job


async def job_page(request: Request) -> Response:
    job = _job(request)
    return render(
        request, "job.html.j2", active=pages.nav_of_job(job.kind), job=job, current_job=job
    )


async def job_state(request: Request) -> Response:
    return JSONResponse(_job(request).to_dict())


async def job_events(request: Request) -> Response:
    job = _job(request)

    async def events() -> AsyncIterator[dict[str, str]]:
        seen = -1
        while True:
            if job.version != seen:
                seen = job.version
                yield {"event": "progress", "data": json.dumps(job.to_dict())}
                if not job.running:
                    return
            await asyncio.sleep(0.15)

    return EventSourceResponse(events(), ping=15)


async def set_lang(request: Request) -> Response:
    form = await form_of(request)
    lang = form.get("lang", "fr")
    if lang in SUPPORTED:
        session_of(request).lang = str(lang)
    return redirect(safe_next(form.get("next")))


ROUTES = [
    Route("/taches/{job_id}", job_page),
    Route("/taches/{job_id}/etat", job_state),
    Route("/taches/{job_id}/flux", job_events),
    Route("/langue", set_lang, methods=["POST"]),
]
