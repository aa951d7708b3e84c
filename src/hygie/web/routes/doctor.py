"""« Composants »: what ``hygie doctor`` sees, for the nurse (``hygie.doctor``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie.web.base import in_thread, render


async def components(request: Request) -> Response:
    from hygie.doctor import STATE_LABELS, run_doctor, web_advice
    from hygie.i18n import _

    report = await in_thread(lambda: run_doctor(serving_port=request.url.port))
    rows = [(c, *web_advice(c, report.platform)) for c in report.components]
    labels = {state: _(text) for state, text in STATE_LABELS.items()}
    return render(
        request, "doctor.html.j2", active="doctor", report=report, rows=rows, state_labels=labels
    )


ROUTES = [Route("/composants", components)]
