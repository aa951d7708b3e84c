"""History of audits and the report downloads (HTML, PDF)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygie import audit as audit_api
from hygie.audit import AuditResult
from hygie.web import pages
from hygie.web.base import catalogue, in_thread, render, state_of

HISTORY_LIMIT = 1000


async def history(request: Request) -> Response:
    st = state_of(request)
    await in_thread(st.fresh)
    rows = st.store().audit_history(limit=HISTORY_LIMIT)
    return render(
        request,
        "history.html.j2",
        active="history",
        rows=rows[:20],
        count=len(rows),
        chart=pages.chart(rows),
        changes=pages.history_changes(rows[:21], catalogue()),
        directions=pages.DIRECTION_LABELS,
    )


def _report_doc(request: Request) -> AuditResult:
    st = state_of(request)
    raw = request.query_params.get("bilan")
    if raw is not None and raw.isdigit() and len(raw) <= 12:
        doc = audit_api.recorded_result(st.store(), int(raw))
    else:
        _row, doc = st.latest()
    if doc is None:
        raise HTTPException(404)
    return doc


async def report_html(request: Request) -> Response:
    doc = _report_doc(request)
    html = audit_api.render_html(doc)
    name = f"hygie-bilan-{doc.started_at[:10]}.html"
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def report_pdf(request: Request) -> Response:
    doc = _report_doc(request)
    data, media_type = await in_thread(audit_api.pdf_or_printable, doc)
    if media_type != "application/pdf":  # no PDF engine here: the page to print, inline
        return Response(data, media_type=media_type)
    name = f"hygie-bilan-{doc.started_at[:10]}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [
    Route("/historique", history),
    Route("/rapport.html", report_html),
    Route("/rapport.pdf", report_pdf),
]
