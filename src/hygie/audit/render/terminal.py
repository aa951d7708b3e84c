"""The audit in the terminal, with Rich."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hygie.audit.model import STATUS_LABELS_FR, AuditResult, Status
from hygie.i18n import _, ngettext

STATUS_STYLE = {
    Status.OK: ("✔", "green"),
    Status.WARN: ("▲", "yellow"),
    Status.FAIL: ("✖", "bold red"),
    Status.UNKNOWN: ("?", "cyan"),
    Status.NOT_APPLICABLE: ("–", "dim"),
}


def status_text(status: Status) -> Text:
    icon, style = STATUS_STYLE[status]
    return Text(f"{icon} {_(STATUS_LABELS_FR[status])}", style=style)


def render_audit(result: AuditResult, console: Console) -> None:
    s = result.score
    if s.value is None:
        headline = Text(_("Score : non calculable (aucune mesure vérifiée)"), style="bold")
    else:
        style = "green" if s.value >= 80 else "yellow" if s.value >= 50 else "red"
        headline = Text.assemble(
            (_("Score d'hygiène : "), "bold"), (f"{s.value}/100", f"bold {style}")
        )
    extra = []
    if s.unknown:
        extra.append(
            ngettext("{n} mesure inconnue", "{n} mesures inconnues", s.unknown).format(n=s.unknown)
        )
    if s.not_applicable:
        extra.append(
            ngettext(
                "{n} mesure non applicable", "{n} mesures non applicables", s.not_applicable
            ).format(n=s.not_applicable)
        )
    sub = Text(
        ngettext("{counted} mesure comptée", "{counted} mesures comptées", s.counted).format(
            counted=s.counted
        )
        + (" · " + " · ".join(extra) if extra else ""),
        style="dim",
    )
    if result.previous and result.previous.get("score") is not None and s.value is not None:
        delta = s.value - int(result.previous["score"])
        sign = "+" if delta >= 0 else ""
        sub.append(
            "  "
            + _("({sign}{delta} depuis le {date})").format(
                sign=sign, delta=delta, date=str(result.previous["started_at"])[:10]
            ),
            style="dim",
        )
    console.print(Panel(Group(headline, sub), title="hygie", expand=False))

    table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
    table.add_column("", no_wrap=True)
    table.add_column(_("Mesure"), ratio=3)
    table.add_column(_("État"), no_wrap=True)
    table.add_column(_("Ce que hygie a vu"), ratio=4)
    for m in result.measures:
        table.add_row(m.measure_id, m.title, status_text(m.status), m.summary)
    console.print(table)

    if result.changes:
        console.print()
        console.print(Text(_("Depuis le dernier bilan"), style="bold"))
        for c in result.changes:
            before = _(STATUS_LABELS_FR[c.before]) if c.before else _("nouvelle")
            arrow = {"improved": "↑", "regressed": "↓"}.get(c.direction, "→")
            console.print(f"  {arrow} {c.measure_id} : {before} → {_(STATUS_LABELS_FR[c.after])}")

    if result.actions:
        console.print()
        console.print(Text(_("À faire en priorité"), style="bold"))
        for i, a in enumerate(result.actions, 1):
            console.print(
                Text.assemble((f"{i}. ", "bold"), (a.title, "bold"), "  ", status_text(a.status))
            )
            for j, step in enumerate(a.steps, 1):
                console.print(f"     {j}) {step}", highlight=False)
    else:
        console.print(Text(_("Rien d'urgent : continuez ainsi !"), style="green"))
    console.print()
    if any(m.status is Status.UNKNOWN for m in result.measures):
        console.print(
            Text(
                _("Pour compléter le bilan, répondez aux questions : hygie questionnaire"),
                style="dim",
            )
        )


def render_compare(result: AuditResult, console: Console) -> None:
    """Every measure, before and after, for ``hygie audit --compare``."""
    console.print()
    if result.previous is None:
        console.print(_("Premier bilan enregistré : rien à comparer pour l'instant."))
        return
    console.print(
        Text(
            _("Comparaison avec le bilan du {date}").format(
                date=str(result.previous["started_at"])[:16].replace("T", " ")
            ),
            style="bold",
        )
    )
    changes = {c.measure_id: c for c in result.changes}
    table = Table(box=None, padding=(0, 1))
    table.add_column(_("Mesure"))
    table.add_column(_("Avant"))
    table.add_column(_("Maintenant"))
    table.add_column("")
    labels = {
        "improved": _("mieux"),
        "regressed": _("moins bien"),
        "changed": _("changé"),
        "new": _("nouvelle"),
    }
    for m in result.measures:
        c = changes.get(m.measure_id)
        before = c.before if c else m.status
        table.add_row(
            m.measure_id,
            status_text(before) if before else Text("—"),
            status_text(m.status),
            labels.get(c.direction, "") if c else _("inchangé"),
        )
    console.print(table)
