"""Join a campaign, queue a report after each audit, deliver the queue, leave.

Delivery rules (docs/reference/fleet-device.md):

* a report's id is fixed when it is queued and its bytes never change: sending it twice is
  harmless (the server answers 200 "already stored", which counts as delivered);
* 201/200: delivered, removed from the queue; 422: the server refuses that report for good:
  it is removed and the reason logged (never retried, never blocking the others);
* 401/410: the server no longer knows this computer: nothing more is sent or queued, the
  status says so until the nurse leaves;
* no answer, 429, 5xx or anything else: the round stops, the reports stay queued, and the
  next automatic round waits (exponential back-off with jitter, :mod:`.backoff`);
* leaving asks the server to delete this computer's data first; when it cannot be reached
  the membership stays in the ``leaving`` state (nothing is sent any more, the queue is
  emptied) and the deletion is asked again at each later round until the server confirms.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hygie import __version__
from hygie.fleet import errors as E
from hygie.fleet.device import state
from hygie.fleet.device.backoff import Clock, next_delay
from hygie.fleet.device.transport import (
    DEFAULT_TIMEOUT,
    Answer,
    normalize_server_url,
    request,
)
from hygie.fleet.protocol import (
    CAMPAIGN_MODES,
    DEVICE_PATH,
    JOIN_CODE_RE,
    JOIN_PATH,
    REPORTS_PATH,
    DeviceToken,
    normalize_join_code,
    valid_department,
    valid_label,
)
from hygie.fleet.report import build_report, os_family
from hygie.i18n import _
from hygie.store import Store, open_store, utcnow

if TYPE_CHECKING:
    from hygie.audit import AuditResult

log = logging.getLogger("hygie.fleet.device")

QUICK_TIMEOUT = 2.0  # the attempt after an audit: short, in the background
QUICK_ROUND = 5.0  # and the whole round after an audit stops after this many seconds
ACK_BATCH = 50  # acknowledged reports written to the store together


# -- what the fronts get ---------------------------------------------------------------------


@dataclass(frozen=True)
class JoinPlan:
    """A join checked on this computer, not yet sent: what will go to which server."""

    server_url: str
    code: str
    department: str | None
    label: str | None
    os_family: str
    hygie_version: str
    allow_plain_http: bool = False

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "department": self.department,
            "label": self.label,
            "os_family": self.os_family,
            "hygie_version": self.hygie_version,
        }

    def shown(self) -> dict[str, Any]:
        """The join request as shown to the nurse: the code masked (never printed whole)."""
        return {**self.body(), "code": mask_code(self.code)}


@dataclass(frozen=True)
class Membership:
    server_url: str
    campaign_name: str
    mode: str
    department: str | None
    label: str | None
    joined_at: str
    state: str  # active | gone | leaving

    def to_dict(self) -> dict[str, Any]:
        return {
            "server_url": self.server_url,
            "campaign": self.campaign_name,
            "mode": self.mode,
            "department": self.department,
            "label": self.label,
            "joined_at": self.joined_at,
            "state": self.state,
        }


@dataclass(frozen=True)
class DeviceStatus:
    membership: Membership | None
    queue_length: int = 0
    queue_limit: int = state.QUEUE_LIMIT
    oldest_queued_at: str | None = None
    dropped: int = 0
    rejected: int = 0
    delivered: int = 0
    last_delivery_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    next_attempt_at: str | None = None
    sent_at_join: dict[str, Any] | None = None
    report_example: dict[str, Any] | None = None  # the last one sent, or the next one

    @property
    def joined(self) -> bool:
        return self.membership is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "joined": self.joined,
            "membership": self.membership.to_dict() if self.membership else None,
            "queue": {
                "length": self.queue_length,
                "limit": self.queue_limit,
                "oldest_queued_at": self.oldest_queued_at,
                "dropped": self.dropped,
            },
            "delivered": self.delivered,
            "rejected": self.rejected,
            "last_delivery_at": self.last_delivery_at,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "next_attempt_at": self.next_attempt_at,
            "sent_at_join": self.sent_at_join,
            "report_example": self.report_example,
        }


@dataclass
class DeliveryResult:
    """One round: what went, what was refused, what stays, and why it stopped."""

    delivered: int = 0
    rejected: int = 0
    remaining: int = 0
    waited: bool = False  # an automatic round skipped: the back-off is not over
    left: bool = False  # a pending leave was completed (data deleted, campaign forgotten)
    leaving: bool = False  # a leave is pending: the round only asked for the deletion
    error: E.FleetError | None = None
    rejected_ids: list[str] = field(default_factory=list)


def mask_code(code: str) -> str:
    """A join code as it may be shown or logged: its first four characters only."""
    return code[:4] + "-…" if code else ""


# -- store plumbing ---------------------------------------------------------------------------


@contextmanager
def _opened(store: Store | None) -> Iterator[Store]:
    if store is not None:
        store.migrate()  # this module may be imported after the store was opened
        yield store
        return
    st = open_store()
    try:
        yield st
    finally:
        st.close()


def _get_token() -> str | None:
    from hygie.secrets import get_secret

    return get_secret(state.TOKEN_SECRET)


def _error_class(code: str | None) -> type[E.FleetError] | None:
    for obj in vars(E).values():
        if isinstance(obj, type) and issubclass(obj, E.FleetError) and obj.code == code:
            return obj
    return None


def _record_error(store: Store, err: E.FleetError) -> None:
    state.update_membership(
        store,
        last_error_code=err.code,
        last_error_detail=str(err.params.get("detail", ""))[:300],
        last_error_at=utcnow(),
    )


def _render_error(code: str | None, detail: str | None) -> str | None:
    cls = _error_class(code)
    if cls is None:
        return None
    err = cls(detail=detail or "", count="?", campaign="", server="")
    return err.render()


# -- join -------------------------------------------------------------------------------------


def prepare_join(
    server_url: str,
    code: str,
    *,
    department: str | None = None,
    label: str | None = None,
    allow_plain_http: bool = False,
    platform: str | None = None,
) -> JoinPlan:
    """Check everything that can be checked here; nothing is sent."""
    from hygie.platform import current

    url = normalize_server_url(server_url, allow_plain_http=allow_plain_http)
    normalized = normalize_join_code(code or "")
    if not JOIN_CODE_RE.fullmatch(normalized):
        raise E.FleetJoinCodeInvalid()
    dep = (department or "").strip().upper() or None
    if dep is not None and not valid_department(dep):
        raise E.FleetJoinDetailsInvalid(  # what she typed is not shown back (a number?)
            detail=_("ce n'est pas un numéro de département (par exemple 75, 2A ou 974)")
        )
    lab = " ".join((label or "").split()) or None
    if lab is not None and not valid_label(lab):
        raise E.FleetJoinDetailsInvalid(detail=_label_rule())
    return JoinPlan(
        server_url=url,
        code=normalized,
        department=dep,
        label=lab,
        os_family=os_family(platform or current()),
        hygie_version=__version__,
        allow_plain_http=allow_plain_http,
    )


def _label_rule() -> str:
    return _(
        "le nom de l'ordinateur doit faire 1 à 40 caractères (lettres, chiffres, espaces, "
        "- _ . ') sans suite de 5 chiffres, par exemple « PC accueil »"
    )


def join(
    plan: JoinPlan, *, store: Store | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Membership:
    """Send the join request; on success keep the token in the keyring and the membership in
    the store. One campaign at a time."""
    from hygie.secrets import set_secret

    with _opened(store) as st:
        current_row = state.membership(st)
        if current_row is not None:
            raise E.FleetAlreadyJoined(
                campaign=current_row.campaign_name, server=current_row.server_url
            )
        body = state.body_of(plan.body())
        answer = request("POST", plan.server_url, JOIN_PATH, body=body, timeout=timeout)
        log.info("fleet join: code %s, server answered %d", mask_code(plan.code), answer.status)
        if answer.status == 403:
            raise E.FleetJoinCodeInvalid()
        if answer.status in (400, 422):
            where = str(answer.body.get("field") or answer.error_code)
            if "label" in where:
                raise E.FleetJoinDetailsInvalid(detail=_label_rule())
            if "department" in where:
                raise E.FleetJoinDetailsInvalid(
                    detail=_("le numéro de département n'est pas accepté par le serveur")
                )
        if answer.status == 429:
            raise E.FleetServerAnswerInvalid(
                detail=_(
                    "trop de codes refusés depuis cette connexion ; réessayez dans quelques minutes"
                )
            )
        if answer.status not in (200, 201):
            raise E.FleetServerAnswerInvalid(detail=_http_detail(answer))
        token_raw = answer.body.get("token")
        campaign = answer.body.get("campaign")
        token = DeviceToken.parse(token_raw) if isinstance(token_raw, str) else None
        if (
            token is None
            or not isinstance(campaign, dict)
            or campaign.get("mode") not in CAMPAIGN_MODES
            or not isinstance(campaign.get("name"), str)
            or not 0 < len(campaign["name"]) <= 120
            or not campaign["name"].isprintable()  # no control characters in her terminal
            or str(answer.body.get("device_id")) != str(token.device_id)
        ):
            if token is not None:  # a device was made for nothing: ask for its deletion
                _delete_quietly(plan.server_url, str(token), timeout)
            raise E.FleetServerAnswerInvalid(detail=_("la réponse d'inscription est incomplète"))
        if campaign["mode"] == "identified" and plan.label is None:
            # the server should have refused; never stay in an identified campaign unnamed
            _delete_quietly(plan.server_url, str(token), timeout)
            raise E.FleetJoinDetailsInvalid(
                detail=_(
                    "cette campagne identifie chaque ordinateur : donnez-lui un nom "
                    "(par exemple « PC accueil »)"
                )
            )
        set_secret(state.TOKEN_SECRET, str(token))
        state.insert_membership(
            st,
            server_url=plan.server_url,
            allow_plain_http=plan.allow_plain_http,
            campaign_name=campaign["name"],
            mode=campaign["mode"],
            device_id=str(token.device_id),
            department=plan.department,
            # an anonymous campaign's server does not keep a label: neither does the status
            label=plan.label if campaign["mode"] == "identified" else None,
        )
        row = state.membership(st)
        assert row is not None
        return _membership(row)


def _delete_quietly(server_url: str, token: str, timeout: float) -> None:
    try:
        request("DELETE", server_url, DEVICE_PATH, token=token, timeout=timeout)
    except E.FleetError:
        log.warning("fleet join undone but the server could not be told", exc_info=True)


def _http_detail(answer: Answer) -> str:
    if answer.body.get("_not_json"):
        return _("réponse {status} qui n'est pas celle d'un serveur hygie").format(
            status=answer.status
        )
    code = answer.error_code
    return _("réponse {status}").format(status=answer.status) + (f" ({code[:40]})" if code else "")


def _membership(row: state.MembershipRow) -> Membership:
    return Membership(
        server_url=row.server_url,
        campaign_name=row.campaign_name,
        mode=row.mode,
        department=row.department,
        label=row.label,
        joined_at=row.joined_at,
        state=row.state,
    )


# -- queue ------------------------------------------------------------------------------------


def queue_report(result: AuditResult, *, store: Store | None = None) -> str | None:
    """Queue the report of one audit when this computer is in a campaign (returns its id),
    else do nothing (None). The report is built and validated here, its bytes fixed."""
    with _opened(store) as st:
        row = state.membership(st)
        if row is None or row.state != "active":
            return None
        report = build_report(result)  # validated against the closed schema there
        state.enqueue(st, report.report_id, state.body_of(report.to_dict()))
        return report.report_id


# -- deliver ----------------------------------------------------------------------------------


def deliver(
    *,
    store: Store | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = time.time,
    rng: random.Random | None = None,
    round_seconds: float | None = None,
) -> DeliveryResult:
    """Deliver the queue, oldest first. ``force`` ignores the back-off (the nurse asked);
    ``round_seconds`` stops the round early (after an audit). Never raises a FleetError: the
    result carries it."""
    rng = rng or random.Random()
    out = DeliveryResult()
    with _opened(store) as st:
        row = state.membership(st)
        if row is None:
            out.error = E.FleetNotJoined()
            return out
        if row.state == "gone":
            out.error = E.FleetMembershipGone()
            out.remaining = state.queue_length(st)
            return out
        if not force and clock() < row.next_attempt_at:
            out.waited = True
            out.remaining = state.queue_length(st)
            return out
        token = _get_token()
        if token is None:
            _gone(st, out, "token missing from the keyring")
            return out
        if row.state == "leaving":
            out.leaving = True
            _finish_leave(st, row, token, out, timeout=timeout, clock=clock, rng=rng)
            return out
        started = clock()
        acknowledged: list[str] = []  # written in batches: one commit per report is slow
        last_body = b""
        for item in state.queued(st):
            if round_seconds is not None and clock() - started > round_seconds:
                break
            if len(acknowledged) >= ACK_BATCH:
                state.mark_delivered(st, acknowledged, last_body)
                acknowledged = []
            try:
                answer = request(
                    "POST", row.server_url, REPORTS_PATH, body=item.body, token=token,
                    timeout=timeout,
                )  # fmt: skip
            except E.FleetServerUnreachable as err:
                state.mark_delivered(st, acknowledged, last_body)  # before the back-off is set
                acknowledged = []
                _failed(st, row, out, err, clock=clock, rng=rng)
                break
            if answer.status in (200, 201):
                acknowledged.append(item.report_id)
                last_body = item.body
                out.delivered += 1
            elif answer.status == 422:
                state.remove(st, item.report_id)
                state.add_counter(st, "rejected")
                log.warning(
                    "fleet report %s refused by the server (422 %s): removed from the queue",
                    item.report_id,
                    answer.error_code[:40] or "no code",
                )
                _record_error(
                    st,
                    E.FleetServerAnswerInvalid(
                        detail=_("un bilan a été refusé par le serveur et retiré de la file")
                    ),
                )
                out.rejected += 1
                out.rejected_ids.append(item.report_id)
            elif answer.status in (401, 410):
                state.mark_delivered(st, acknowledged, last_body)
                acknowledged = []
                _gone(st, out, f"server answered {answer.status}")
                break
            else:
                state.mark_delivered(st, acknowledged, last_body)
                acknowledged = []
                bad = E.FleetServerAnswerInvalid(detail=_http_detail(answer))
                _failed(st, row, out, bad, clock=clock, rng=rng, retry_after=answer.retry_after)
                break
        state.mark_delivered(st, acknowledged, last_body)
        out.remaining = state.queue_length(st)
        if out.error is None and out.delivered and not out.remaining:
            state.update_membership(
                st, last_error_code=None, last_error_detail=None, last_error_at=None
            )
        return out


def _failed(
    st: Store,
    row: state.MembershipRow,
    out: DeliveryResult,
    err: E.FleetError,
    *,
    clock: Clock,
    rng: random.Random,
    retry_after: float | None = None,
) -> None:
    failures = (state.membership(st) or row).failures + 1
    delay = next_delay(failures, rng, retry_after)
    state.update_membership(st, failures=failures, next_attempt_at=clock() + delay)
    _record_error(st, err)
    log.warning(
        "fleet delivery failed (%s, %d in a row): next automatic attempt in %.0f s",
        err.code,
        failures,
        delay,
    )
    out.error = err


def _gone(st: Store, out: DeliveryResult, why: str) -> None:
    state.update_membership(st, state="gone")
    err = E.FleetMembershipGone()
    _record_error(st, err)
    log.warning("fleet membership gone (%s): nothing more is sent", why)
    out.error = err
    out.remaining = state.queue_length(st)


# -- leave ------------------------------------------------------------------------------------


def leave(
    *,
    store: Store | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = time.time,
) -> Membership:
    """Ask the server to delete this computer's data, then forget the campaign and the token.

    When the server cannot be reached, nothing more is sent (the queue is emptied), the
    membership stays ``leaving`` and :class:`FleetLeavePending` is raised; every later round
    asks again. 401/404/410 mean the server holds nothing any more: forgotten too."""
    with _opened(store) as st:
        row = state.membership(st)
        if row is None:
            raise E.FleetNotJoined()
        dropped = state.clear_queue(st)
        if dropped:
            log.info("fleet leave: %d queued report(s) will not be sent", dropped)
        state.update_membership(st, state="leaving", next_attempt_at=0)
        token = _get_token()
        out = DeliveryResult()
        if token is None:
            _forget(st)
        else:
            _finish_leave(st, row, token, out, timeout=timeout, clock=clock, rng=random.Random())
        if not out.left and token is not None:
            assert out.error is not None
            raise E.FleetLeavePending(detail=str(out.error.params.get("detail") or out.error))
        return _membership(row)


def _finish_leave(
    st: Store,
    row: state.MembershipRow,
    token: str,
    out: DeliveryResult,
    *,
    timeout: float,
    clock: Clock,
    rng: random.Random,
) -> None:
    try:
        answer = request("DELETE", row.server_url, DEVICE_PATH, token=token, timeout=timeout)
    except E.FleetServerUnreachable as err:
        _failed(st, row, out, err, clock=clock, rng=rng)
        return
    if answer.status in (200, 204, 401, 404, 410):
        log.info("fleet leave: the server answered %d; campaign forgotten", answer.status)
        _forget(st)
        out.left = True
        return
    _failed(
        st,
        row,
        out,
        E.FleetServerAnswerInvalid(detail=_http_detail(answer)),
        clock=clock,
        rng=rng,
        retry_after=answer.retry_after,
    )


def _forget(st: Store) -> None:
    from hygie.secrets import delete_secret

    delete_secret(state.TOKEN_SECRET)
    state.forget_membership(st)


# -- status -----------------------------------------------------------------------------------


def status(*, store: Store | None = None, example_from: AuditResult | None = None) -> DeviceStatus:
    """Where this computer stands. ``example_from``: an audit (the last one recorded) to show
    the next report when none was sent yet."""
    with _opened(store) as st:
        row = state.membership(st)
        if row is None:
            preview = preview_report(example_from) if example_from else None
            return DeviceStatus(membership=None, report_example=preview)
        from hygie.platform import current

        sent_at_join = {
            "department": row.department,
            "label": row.label,
            "os_family": os_family(current()),
            "hygie_version": __version__,
        }
        example: dict[str, Any] | None = None
        waiting = state.queued(st, limit=1)
        if waiting:
            example = _loads(waiting[-1].body)
        elif row.last_report:
            example = _loads(row.last_report.encode("utf-8"))
        elif example_from:
            example = preview_report(example_from)
        nxt = None
        if row.next_attempt_at:
            nxt = dt.datetime.fromtimestamp(row.next_attempt_at, dt.UTC).isoformat(
                timespec="seconds"
            )
        return DeviceStatus(
            membership=_membership(row),
            queue_length=state.queue_length(st),
            oldest_queued_at=state.oldest_queued_at(st),
            dropped=row.dropped,
            rejected=row.rejected,
            delivered=row.delivered,
            last_delivery_at=row.last_delivery_at,
            last_error=_render_error(row.last_error_code, row.last_error_detail),
            last_error_at=row.last_error_at,
            next_attempt_at=nxt,
            sent_at_join=sent_at_join,
            report_example=example,
        )


def _loads(raw: bytes) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def preview_report(result: AuditResult) -> dict[str, Any] | None:
    """The report an audit (the last one recorded, read back) would give, with a fresh id:
    what the pages show before joining. None (logged) when it cannot be built."""
    try:
        return build_report(result).to_dict()
    except (KeyError, TypeError, ValueError, E.FleetError):
        log.warning("no report preview from this audit", exc_info=True)
        return None


# -- after an audit -----------------------------------------------------------------------------


def after_audit(result: AuditResult, *, store_path: Path | None = None) -> threading.Thread | None:
    """Queue this audit's report and start one quick delivery round in a background thread
    (short time-out, back-off respected). Never raises and never waits: the audit is done.
    Returns the thread (a CLI may wait for it briefly before exiting), or None."""
    try:
        st = open_store(store_path)
        try:
            st.migrate()
            row = state.membership(st)
            if row is None:
                return None
            if row.state == "active":
                queue_report(result, store=st)
        finally:
            st.close()
    except Exception:  # the audit never fails because of the fleet
        log.error("fleet: the report could not be queued", exc_info=True)
        return None

    def run() -> None:
        try:
            bg = open_store(store_path)
            try:
                deliver(store=bg, timeout=QUICK_TIMEOUT, round_seconds=QUICK_ROUND)
            finally:
                bg.close()
        except Exception:
            log.error("fleet: background delivery failed", exc_info=True)

    thread = threading.Thread(target=run, name="fleet-delivery", daemon=True)
    thread.start()
    return thread
