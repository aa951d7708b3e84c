"""The operator's pages: sign-in, campaigns, a campaign's figures, the handout, exports."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from hygie.fleet.errors import FleetCampaignExists
from hygie.fleet.protocol import JOIN_CODE_RE, normalize_join_code
from hygie.fleet.server.campaigns import Campaign, create_campaign
from hygie.i18n import _, ngettext

from . import accounts, exports, figures
from .campaign_store import code_matches
from .charts import COLOURS, now_bar, over_time_chart
from .figures import ALL, DAYS_SHOWN, ShownFigures, shown_figures
from .sessions import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    LOGIN_TTL,
    SESSION_COOKIE,
    SESSION_TTL,
    csrf_matches,
    login_csrf,
    make_session,
    new_login_nonce,
)
from .web import (
    Context,
    UiState,
    error_page,
    form_of,
    group_label,
    https_or_loopback,
    measure_title,
    redirect,
    refused,
    render,
    safe_next,
    same_origin,
    secure,
)

STALE_DAYS = 30  # a computer silent for a month needs a visit whatever it last said


def _cookie(resp: Response, name: str, value: str, max_age: int) -> None:
    resp.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


# --- sign-in -------------------------------------------------------------------------------


async def _login_form(
    request: Request, state: UiState, *, error: str = "", name: str = "", status: int = 200
) -> Response:
    secret = await state.secret()
    nonce = new_login_nonce()
    resp = render(
        request,
        "login.html.j2",
        status_code=status,
        csrf=login_csrf(secret, nonce),
        error=error,
        name=name,
        suite=safe_next(request.query_params.get("suite")),
        plain_http=not https_or_loopback(request),
        logged_out=request.query_params.get("sortie") == "1" and not error,
    )
    _cookie(resp, LOGIN_COOKIE, nonce, LOGIN_TTL)
    return resp


async def login_page(request: Request, state: UiState) -> Response:
    return await _login_form(request, state)


def _minutes(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() + 59) // 60)


async def login_submit(request: Request, state: UiState) -> Response:
    secret = await state.secret()
    form = await form_of(request)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if (
        form is None
        or not nonce
        or not same_origin(request)
        or not csrf_matches(form.get("csrf_token"), login_csrf(secret, nonce))
    ):
        return refused(request)
    if not https_or_loopback(request):
        return await _login_form(
            request,
            state,
            status=403,
            error=_(
                "Connexion refusée : cette page n'est pas chiffrée (HTTPS). Ouvrez le serveur "
                "par son adresse en https://."
            ),
        )
    name = form.get("name", "").strip().lower()[:64]
    password = form.get("password", "")[: accounts.MAX_PASSWORD + 1]
    wrong = _(
        "Nom ou mot de passe incorrect. Vérifiez les majuscules et recommencez ; après "
        "{n} erreurs, le compte est bloqué {minutes} minutes."
    ).format(
        n=accounts.THROTTLE_FAILURES,
        minutes=int(accounts.THROTTLE_WINDOW.total_seconds() // 60),
    )
    attempt = await state.run(lambda c: accounts.begin_attempt(c, name))
    if attempt.wait is not None:
        return await _login_form(
            request,
            state,
            status=429,
            name=name,
            error=_("Trop d'essais manqués pour ce nom : réessayez dans {minutes} minutes.").format(
                minutes=_minutes(attempt.wait)
            ),
        )
    found = attempt.found

    def check() -> bool:
        with state.scrypt_slots:
            ok = accounts.verify_password(password, found[1] if found else accounts.dummy_hash())
        return ok and found is not None

    if not await run_in_threadpool(check):
        return await _login_form(request, state, status=401, name=name, error=wrong)
    operator = await state.run(lambda c: accounts.succeed(c, attempt))
    if operator is None:
        return await _login_form(request, state, status=401, name=name, error=wrong)
    resp = redirect(safe_next(form.get("suite")))
    _cookie(
        resp, SESSION_COOKIE, make_session(secret, operator.id, operator.session_epoch), SESSION_TTL
    )
    resp.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return resp


async def logout(request: Request, ctx: Context) -> Response:
    await ctx.state.run(lambda c: accounts.end_sessions(c, ctx.operator.id))
    resp = redirect("/connexion?sortie=1")
    resp.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return resp


async def language(request: Request) -> Response:
    lang = request.path_params["lang"]
    resp = redirect(safe_next(request.query_params.get("suite"), "/"))
    if lang in ("fr", "en"):
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="lax")
    return resp


async def home(request: Request, ctx: Context) -> Response:
    return redirect("/campagnes")


# --- campaigns -----------------------------------------------------------------------------


async def campaigns_page(request: Request, ctx: Context, **extra: Any) -> Response:
    found = await ctx.state.run(figures.campaigns)
    return render(
        request,
        "campaigns.html.j2",
        status_code=extra.pop("status_code", 200),
        operator=ctx.operator,
        csrf=ctx.csrf,
        campaigns=found,
        **extra,
    )


async def campaign_create(request: Request, ctx: Context) -> Response:
    name = " ".join(ctx.form.get("name", "").split())
    mode = ctx.form.get("mode", "")
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120 or not name.isprintable():
        errors["name"] = _("Donnez un nom de 1 à 120 caractères (par exemple « URPS 2027 »).")
    if mode not in ("anonymous", "identified"):
        errors["mode"] = _("Choisissez anonyme ou identifiée.")
    if not errors:
        try:
            made = await ctx.state.run(lambda c: create_campaign(c, name=name, mode=mode))
        except FleetCampaignExists:
            errors["name"] = _("Une campagne porte déjà ce nom : choisissez-en un autre.")
        else:
            return render(
                request,
                "campaign_created.html.j2",
                operator=ctx.operator,
                csrf=ctx.csrf,
                campaign=made.campaign,
                code=made.join_code,
            )
    return await campaigns_page(
        request, ctx, status_code=422, errors=errors, form={"name": name, "mode": mode}
    )


def join_url(request: Request, code: str) -> str:
    """What the handout's QR code holds: this server's join page, the code after ``#`` (a
    fragment never reaches a server, so no access log ever records it)."""
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return f"{base}/rejoindre#code={code}"


async def handout(request: Request, ctx: Context) -> Response:
    campaign_id = int(request.path_params["campaign_id"])
    found = await ctx.state.run(lambda c: figures.campaign(c, campaign_id))
    if found is None:
        return not_found(request, ctx)
    code = normalize_join_code(ctx.form.get("code", ""))
    valid = bool(JOIN_CODE_RE.fullmatch(code)) and await ctx.state.run(
        lambda c: code_matches(c, campaign_id, code)
    )
    if not valid:
        return render(
            request,
            "campaign.html.j2",
            status_code=422,
            operator=ctx.operator,
            csrf=ctx.csrf,
            **(await _campaign_context(request, ctx, found)),
            handout_error=_(
                "Ce n'est pas le code de cette campagne. Recopiez-le tel qu'il a été affiché à "
                "sa création (4 groupes de 4 caractères)."
            ),
        )
    url = join_url(request, code)
    qr = segno.make(url, error="m").svg_inline(
        scale=5, title=_("Code QR vers la page pour rejoindre la campagne"), svgclass="qr"
    )
    server = url.split("/rejoindre", 1)[0]
    from markupsafe import Markup

    return render(
        request,
        "handout.html.j2",
        operator=ctx.operator,
        csrf=ctx.csrf,
        campaign=found,
        code=code,
        server=server,
        qr=Markup(qr),
    )


def not_found(request: Request, ctx: Context) -> Response:
    return error_page(
        request,
        404,
        _("Campagne introuvable"),
        _("Cette campagne n'existe pas (ou plus). Revenez à la liste des campagnes."),
        operator=ctx.operator,
        csrf=ctx.csrf,
    )


def visit_order(row: figures.DeviceRow, now: dt.datetime) -> tuple[Any, ...]:
    """Most in need of a visit first: failing measures, silent for a month, warnings, score."""
    silent = row.last_audited_at is None or (now - row.last_audited_at).days >= STALE_DAYS
    return (
        -len(row.with_status("fail")),
        not silent,
        -len(row.with_status("warn")),
        row.score if row.score is not None else -1,
        row.label.lower(),
    )


async def _campaign_context(request: Request, ctx: Context, found: Campaign) -> dict[str, Any]:
    group = request.query_params.get("groupe", ALL)
    shown = await ctx.state.run(lambda c: shown_figures(c, found, series_for=(group,)))
    groups = list(shown.now)
    if group not in groups:
        group = ALL
    devices: list[figures.DeviceRow] = []
    now = dt.datetime.now(dt.UTC)
    if found.mode == "identified":
        devices = await ctx.state.run(lambda c: figures.device_rows(c, found.id))
        devices.sort(key=lambda r: visit_order(r, now))
    return {
        "campaign": found,
        "shown": shown,
        "group": group,
        "groups": [(g, group_label(g), shown.sizes[g]) for g in groups],
        "group_label": group_label,
        "needed": shown.needed(group),
        "now_bar": now_bar,
        "chart": over_time_chart,
        "colours": COLOURS,
        "devices": devices,
        "stale_days": STALE_DAYS,
        "days_shown": DAYS_SHOWN,
        "now": now,
        "devices_joined": _count_label(found.devices, shown),
        "measure_title": measure_title,
        "ngettext": ngettext,
    }


def _count_label(n: int, shown: ShownFigures) -> str:
    if 0 < n < shown.threshold:
        return _("moins de {n}").format(n=shown.threshold)
    return str(n)


async def campaign_page(request: Request, ctx: Context) -> Response:
    campaign_id = int(request.path_params["campaign_id"])
    found = await ctx.state.run(lambda c: figures.campaign(c, campaign_id))
    if found is None:
        return not_found(request, ctx)
    return render(
        request,
        "campaign.html.j2",
        operator=ctx.operator,
        csrf=ctx.csrf,
        **(await _campaign_context(request, ctx, found)),
    )


async def export(request: Request, ctx: Context) -> Response:
    campaign_id = int(request.path_params["campaign_id"])
    kind = request.path_params["kind"]
    found = await ctx.state.run(lambda c: figures.campaign(c, campaign_id))
    if found is None or kind not in ("csv", "xlsx"):
        return not_found(request, ctx)
    # day by day: every group of an identified campaign; the whole campaign only for an
    # anonymous one (each department's days go through the threshold one by one: on the
    # page, one department at a time)
    series = None if found.mode == "identified" else (ALL,)
    shown = await ctx.state.run(lambda c: shown_figures(c, found, series_for=series))
    devices: list[figures.DeviceRow] = []
    if found.mode == "identified":
        now = dt.datetime.now(dt.UTC)
        devices = await ctx.state.run(lambda c: figures.device_rows(c, found.id))
        devices.sort(key=lambda r: visit_order(r, now))
    stamp = time.strftime("%Y%m%d")
    base = f"hygie-campagne-{found.id}-{stamp}"
    if kind == "csv":
        body, mime = exports.to_csv(found, shown, devices), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(found, shown, devices)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = Response(
        body,
        media_type=mime,
        headers={"content-disposition": f'attachment; filename="{base}.{kind}"'},
    )
    return secure(resp)


async def join_page(request: Request, state: UiState) -> Response:
    """Public: what the handout's QR code opens on a phone or a computer."""
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return render(request, "join.html.j2", request_base=base)
