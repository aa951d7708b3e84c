"""A campaign's figures as CSV (French Excel: ``;`` and a BOM) and XLSX (openpyxl write-only).

Both read the same :class:`~hygie.fleet.server.ui.figures.ShownFigures` as the page: a group
or a day the 5-device rule hides on the page is absent from the files too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hygie.fleet.server.campaigns import Campaign
from hygie.i18n import _

from .figures import STATUS_KEYS, DeviceRow, ShownFigures
from .web import group_label, measure_title

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A text that a spreadsheet would run as a formula (``=…``, ``-…``) is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(rows: Iterator[list[object]] | list[list[object]]) -> Iterator[list[object]]:
    for row in rows:
        yield [cell(v) for v in row]


def _status_headers() -> list[str]:
    from hygie.audit import STATUS_LABELS_FR, Status

    return [_(STATUS_LABELS_FR[Status(s)]) for s in STATUS_KEYS]


def now_rows(shown: ShownFigures) -> Iterator[list[object]]:
    yield [_("groupe"), _("ordinateurs"), _("mesure"), _("intitulé"), *_status_headers()]
    for group, per in shown.now.items():
        for m in shown.measures:
            c = per[m]
            yield [
                group_label(group), shown.sizes[group], m, measure_title(m),
                *(c[s] for s in STATUS_KEYS),
            ]  # fmt: skip


def day_rows(shown: ShownFigures) -> Iterator[list[object]]:
    yield [_("jour"), _("groupe"), _("ordinateurs"), _("mesure"), *_status_headers()]
    for group, per in shown.series.items():
        for m in shown.measures:
            for point in per[m]:
                c = point.counts
                if c is None:
                    continue
                yield [point.day.isoformat(), group_label(group), c.total, m,
                       *(c[s] for s in STATUS_KEYS)]  # fmt: skip


def device_rows(shown: ShownFigures, devices: list[DeviceRow]) -> Iterator[list[object]]:
    yield [
        _("ordinateur"), _("département"), _("système"), _("version de hygie"),
        _("dernier bilan"), _("score"), _("mesures critiques"), _("mesures à améliorer"),
    ]  # fmt: skip
    for d in devices:
        yield [
            d.label, d.department, d.os_family, d.hygie_version,
            d.last_audited_at.isoformat(timespec="minutes") if d.last_audited_at else "",
            d.score if d.score is not None else "",
            " ".join(d.with_status("fail")), " ".join(d.with_status("warn")),
        ]  # fmt: skip


def _notes(campaign: Campaign, shown: ShownFigures) -> list[list[object]]:
    rows: list[list[object]] = [[_("campagne"), campaign.name]]
    if campaign.mode == "anonymous":
        rows.append(
            [
                _("règle"),
                _(
                    "Campagne anonyme : aucun chiffre sur moins de {n} ordinateurs ; les "
                    "départements plus petits sont regroupés ou masqués."
                ).format(n=shown.threshold),
            ]
        )
        if not shown.now:
            rows.append(
                [_("chiffres"), _("aucun : moins de {n} ordinateurs").format(n=shown.threshold)]
            )
    return rows


def to_csv(campaign: Campaign, shown: ShownFigures, devices: list[DeviceRow]) -> bytes:
    """One file, three tables one after the other, each under a title line."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerows(_cells(_notes(campaign, shown)))
    w.writerow([])
    w.writerow([_("Situation actuelle")])
    w.writerows(_cells(now_rows(shown)))
    w.writerow([])
    w.writerow([_("Évolution jour par jour")])
    w.writerows(_cells(day_rows(shown)))
    if campaign.mode == "identified":
        w.writerow([])
        w.writerow([_("Ordinateurs")])
        w.writerows(_cells(device_rows(shown, devices)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(campaign: Campaign, shown: ShownFigures, devices: list[DeviceRow]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheets: list[tuple[str, Iterator[list[object]] | list[list[object]]]] = [
        (_("Campagne"), _notes(campaign, shown)),
        (_("Situation actuelle"), now_rows(shown)),
        (_("Évolution"), day_rows(shown)),
    ]
    if campaign.mode == "identified":
        sheets.append((_("Ordinateurs"), device_rows(shown, devices)))
    for title, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        for row in _cells(rows):
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
