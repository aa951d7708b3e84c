"""Reminders on the overview (``hygie.remind``): the banner and its snooze buttons."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.i18n import _
from hygie.web.base import WebState, flash, form_of, redirect, state_of

log = logging.getLogger(__name__)


def banner(st: WebState) -> list[dict[str, object]]:
    """What the overview shows: due reminders from the last bilan (no probe runs here)."""
    from hygie.config import load_config
    from hygie.errors import AppError
    from hygie.remind import banner as remind_banner

    try:
        reminders = remind_banner(store=st.store(), config=load_config())
    except AppError:  # a bad [remind] table: the audit page says so; the overview still opens
        log.warning("reminders not shown", exc_info=True)
        return []
    return [r.to_dict() for r in reminders]


async def snooze(request: Request) -> Response:
    from hygie.remind import SNOOZE_DAYS, UnknownReminder
    from hygie.remind import snooze as remind_snooze

    st = state_of(request)
    form = await form_of(request)
    key = str(form.get("cle", ""))[:200]
    try:
        days = int(str(form.get("jours", "")))
    except ValueError:
        days = 0
    if days not in SNOOZE_DAYS:
        flash(request, _("Choisissez « demain » ou « dans une semaine »."), "error")
        return redirect("/")
    try:
        remind_snooze(store=st.store(), key=key, days=days)
    except UnknownReminder:
        flash(request, _("Ce rappel n'est plus en cours."), "error")
        return redirect("/")
    flash(
        request,
        _("C'est noté : hygie vous le rappellera demain.")
        if days == 1
        else _("C'est noté : hygie vous le rappellera dans une semaine."),
    )
    return redirect("/")


ROUTES = [Route("/rappels/reporter", snooze, methods=["POST"])]
