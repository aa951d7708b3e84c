"""``hygie incident report DIR``: drafts to paste, from the journal and the user's answers.

* ``drafts/cybermalveillance.txt``: the description for cybermalveillance.gouv.fr;
* ``drafts/cnil-notification.txt``: the personal-data breach notification (GDPR art. 33): nature
  (confidentiality / integrity / availability), categories and approximate numbers of persons
  and records, health data as a special category (art. 9), likely consequences, measures taken
  and planned, contact; the 72-hour deadline from the discovery and the time left; whether the
  patients must be informed (art. 34);
* ``drafts/report.json``: the same, structured.

Nothing is sent anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from hygie.errors import ConfigError
from hygie.i18n import _
from hygie.incident import destination
from hygie.incident.anchors import format_code
from hygie.incident.journal import Journal
from hygie.incident.kit import load_kit_config
from hygie.incident.steps import CNIL_BREACH_URL, CYBERMALVEILLANCE_URL

DEADLINE_HOURS = 72
YES, NO, UNKNOWN = "yes", "no", "unknown"


@dataclass(frozen=True)
class ReportAnswers:
    discovered_at: str = ""  # ISO 8601; default: the journal's first entry
    description: str = ""
    personal_data: str = UNKNOWN  # yes / no / unknown
    confidentiality: bool = False
    integrity: bool = False
    availability: bool = True
    persons_categories: tuple[str, ...] = ()
    persons_count: int | None = None
    records_count: int | None = None
    data_categories: tuple[str, ...] = ()
    health_data: bool = True
    consequences: str = ""
    measures_planned: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["persons_categories"] = list(self.persons_categories)
        d["data_categories"] = list(self.data_categories)
        return d


def answers_from_mapping(data: dict[str, Any], source: str = "") -> ReportAnswers:
    base = ReportAnswers()
    known = set(base.to_dict())
    clean: dict[str, Any] = {}
    for k, v in data.items():
        if k not in known:
            raise ConfigError(path=source, line=0, detail=_("clé inconnue : {k}").format(k=k))
        if k in ("persons_categories", "data_categories"):
            v = tuple(str(x) for x in (v if isinstance(v, list) else [v]))
        elif k in ("persons_count", "records_count"):
            v = int(v) if v not in (None, "") else None
        elif k in ("confidentiality", "integrity", "availability", "health_data"):
            v = bool(v)
        elif k == "personal_data":
            v = {True: YES, False: NO}.get(v, str(v)) if isinstance(v, bool) else str(v)
            if v not in (YES, NO, UNKNOWN):
                raise ConfigError(
                    path=source, line=0, detail=_("personal_data : yes, no ou unknown")
                )
        elif k == "discovered_at" and isinstance(v, dt.datetime | dt.date):
            v = v.isoformat()
        else:
            v = str(v)
        clean[k] = v
    return replace(base, **clean)


def load_answers(path: Path) -> ReportAnswers:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path=str(path), line=0, detail=exc.strerror or str(exc)) from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path=str(path), line=0, detail=str(exc)) from exc
    if isinstance(data, dict) and isinstance(data.get("report"), dict):
        data = data["report"]
    if not isinstance(data, dict):
        raise ConfigError(path=str(path), line=0, detail=_("table attendue"))
    return answers_from_mapping(data, str(path))


def _parse_time(s: str) -> dt.datetime | None:
    if not s:
        return None
    try:
        d = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    return d if d.tzinfo else d.astimezone()


def time_left_text(deadline: dt.datetime, now: dt.datetime) -> str:
    delta = deadline - now
    secs = int(delta.total_seconds())
    h, m = divmod(abs(secs) // 60, 60)
    if secs >= 0:
        return _("il reste {h} h {m:02d} min").format(h=h, m=m)
    return _(
        "délai dépassé de {h} h {m:02d} min : notifiez sans attendre et expliquez le retard"
    ).format(h=h, m=m)


@dataclass(frozen=True)
class Drafts:
    folder: str
    files: tuple[str, ...]
    discovered_at: str
    deadline: str
    time_left: str
    hours_left: float
    inform_patients: str
    answers: ReportAnswers
    cybermalveillance: str = field(repr=False)
    cnil: str = field(repr=False)
    journal_code: str = ""  # check code of the journal when the drafts were written

    def to_dict(self) -> dict[str, Any]:
        return {
            "journal_code": self.journal_code,
            "folder": self.folder,
            "files": list(self.files),
            "discovered_at": self.discovered_at,
            "deadline": self.deadline,
            "time_left": self.time_left,
            "hours_left": round(self.hours_left, 2),
            "inform_patients": self.inform_patients,
            "answers": self.answers.to_dict(),
        }


def inform_patients_text(a: ReportAnswers) -> str:
    if a.personal_data == NO:
        return _("Non : aucune donnée personnelle n'est touchée d'après vos réponses.")
    if a.personal_data == YES and a.health_data and (a.confidentiality or a.integrity):
        return _(
            "Oui, très probablement : des données de santé ont pu être lues ou modifiées, ce qui "
            "présente un risque élevé pour les patients (RGPD, article 34). Informez-les "
            "directement, en termes simples, sans attendre."
        )
    if a.personal_data == YES and a.health_data:
        return _(
            "À évaluer : les données de santé sont devenues indisponibles. Si elles sont "
            "restaurées vite depuis une sauvegarde et qu'aucune fuite n'est constatée, "
            "l'information des patients peut ne pas être nécessaire ; notez votre raisonnement."
        )
    return _(
        "À évaluer avec votre prestataire : tant que la fuite n'est pas exclue, "
        "considérez que les patients devront être informés."
    )


def _measures_taken(entries: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in entries:
        if e.get("kind") in ("isolate", "reconnect", "triage", "step", "recovery", "note"):
            out.append(f"{e.get('local', '')[:16].replace('T', ' ')} — {e.get('action', '')}")
    return out


def _yn(v: bool) -> str:
    return _("oui") if v else _("non")


def build_drafts(folder: Path, answers: ReportAnswers, now: dt.datetime | None = None) -> Drafts:
    j = Journal.open(folder)
    entries = j.entries()
    head = j.head()
    code = format_code(head.seq, head.hash) if head else ""
    code_line = (
        _("Code de contrôle du journal de l'incident : {code} (il prouve que le journal n'a pas "
          "été modifié depuis ce signalement)").format(code=code)
        if code
        else ""
    )  # fmt: skip
    now = now or dt.datetime.now(dt.UTC)
    kc = load_kit_config()
    if kc is not None and not (answers.contact_name or answers.contact_phone):
        c = kc.contact("security_officer")
        if not c.reachable:
            c = kc.contact("it_provider")
        answers = replace(
            answers,
            contact_name=answers.contact_name or kc.practice or c.name,
            contact_phone=answers.contact_phone or c.phone,
            contact_email=answers.contact_email or c.email,
        )
    discovered = _parse_time(answers.discovered_at)
    if discovered is None:
        first = _parse_time(str(entries[0].get("utc", ""))) if entries else None
        discovered = first or now
    deadline = discovered + dt.timedelta(hours=DEADLINE_HOURS)
    hours_left = (deadline - now).total_seconds() / 3600
    left = time_left_text(deadline, now)
    local = discovered.astimezone()
    measures = _measures_taken(entries)
    blank = _("(à compléter)")
    nature = [
        label
        for flag, label in (
            (answers.confidentiality, _("confidentialité (données lues ou copiées)")),
            (answers.integrity, _("intégrité (données modifiées)")),
            (answers.availability, _("disponibilité (données inaccessibles ou perdues)")),
        )
        if flag
    ]
    inform = inform_patients_text(answers)
    fmt = "%d/%m/%Y %H:%M"
    cyber = "\n".join(
        [
            _("Description de l'incident — à coller sur {url}").format(url=CYBERMALVEILLANCE_URL),
            "",
            _("Victime : cabinet infirmier libéral {p}")
            .format(p=(kc.practice if kc and kc.practice else ""))
            .strip(),
            _("Découvert le : {d}").format(d=local.strftime(fmt)),
            _("Ce qui s'est passé : {t}").format(t=answers.description or blank),
            _("Données de patients concernées : {v}").format(
                v={YES: _("oui"), NO: _("non"), UNKNOWN: _("on ne sait pas encore")}[
                    answers.personal_data
                ]
            ),
            "",
            _("Ce qui a été fait (journal de l'incident) :"),
            *(f"- {m}" for m in measures),
            *([] if measures else [f"- {blank}"]),
            "",
            _("Contact : {n} {p} {e}")
            .format(n=answers.contact_name, p=answers.contact_phone, e=answers.contact_email)
            .strip(),
            *(["", code_line] if code_line else []),
        ]
    )
    persons = answers.persons_count
    records = answers.records_count
    cnil_lines = [
        _("Notification de violation de données personnelles — à reporter sur {url}").format(
            url=CNIL_BREACH_URL
        ),
        _("Délai : 72 heures après la découverte, soit avant le {d} ({left}).").format(
            d=deadline.astimezone().strftime(fmt), left=left
        ),
        "",
        _("1. Découverte de la violation : le {d}").format(d=local.strftime(fmt)),
        _("2. Nature de la violation : {n}").format(n=", ".join(nature) or blank),
        _("3. Circonstances : {t}").format(t=answers.description or blank),
        _("4. Catégories de personnes concernées : {c}").format(
            c=", ".join(answers.persons_categories) or _("patients")
        ),
        _("   Nombre approximatif de personnes : {n}").format(
            n=persons if persons is not None else blank
        ),
        _("   Nombre approximatif d'enregistrements : {n}").format(
            n=records if records is not None else blank
        ),
        _("5. Catégories de données : {c}").format(c=", ".join(answers.data_categories) or blank),
        _("   Données de santé (catégorie particulière, article 9 du RGPD) : {v}").format(
            v=_yn(answers.health_data)
        ),
        _("6. Conséquences probables pour les personnes : {t}").format(
            t=answers.consequences or blank
        ),
        _("7. Mesures prises :"),
        *(f"   - {m}" for m in measures),
        *([] if measures else [f"   - {blank}"]),
        _("   Mesures envisagées : {t}").format(t=answers.measures_planned or blank),
        _("8. Information des personnes concernées : {t}").format(t=inform),
        _("9. Contact : {n} {p} {e}")
        .format(n=answers.contact_name or blank, p=answers.contact_phone, e=answers.contact_email)
        .rstrip(),
        *(["", code_line] if code_line else []),
    ]
    cnil = "\n".join(cnil_lines)
    drafts_dir = folder / "drafts"
    destination.prepare(drafts_dir)
    destination.write_text(drafts_dir / "cybermalveillance.txt", cyber + "\n")
    destination.write_text(drafts_dir / "cnil-notification.txt", cnil + "\n")
    result = Drafts(
        folder=str(drafts_dir),
        files=(
            str(drafts_dir / "cybermalveillance.txt"),
            str(drafts_dir / "cnil-notification.txt"),
            str(drafts_dir / "report.json"),
        ),
        discovered_at=discovered.isoformat(timespec="seconds"),
        deadline=deadline.isoformat(timespec="seconds"),
        time_left=left,
        hours_left=hours_left,
        inform_patients=inform,
        answers=answers,
        cybermalveillance=cyber,
        cnil=cnil,
        journal_code=code,
    )
    destination.write_text(
        drafts_dir / "report.json",
        json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
    )
    j.append(
        _("brouillons de signalement écrits dans {d} (rien n'a été envoyé)").format(
            d=drafts_dir.name
        ),
        step=6,
        kind="report",
        data={"deadline": result.deadline},
    )
    return result
