"""``hygie incident check``: "am I attacked?", read-only, in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.i18n import _
from hygie.incident.backup_link import BackupState, backup_state
from hygie.incident.privacy import user_folders
from hygie.incident.signs import SignsReport, scan


@dataclass(frozen=True)
class CheckResult:
    report: SignsReport
    backup: BackupState
    verdict: str
    next_step: str

    @property
    def signs_found(self) -> bool:
        return self.report.found

    @property
    def status(self) -> str:
        """``signs`` (an attack is likely), ``no_signs``, or ``unknown`` (nothing or only a part
        could be examined: never a pass)."""
        if self.report.found:
            return "signs"
        return "no_signs" if self.report.conclusive else "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "signs_found": self.signs_found,
            "status": self.status,
            "verdict": self.verdict,
            "next_step": self.next_step,
            **self.report.to_dict(),
            "backup": self.backup.to_dict(),
        }


def verdict_for(report: SignsReport) -> tuple[str, str]:
    if report.found:
        return (
            _(
                "Des signes d'attaque par rançongiciel sont présents : des fichiers ont été "
                "renommés ou chiffrés, ou une demande de rançon a été déposée."
            ),
            _(
                "N'éteignez pas l'ordinateur et ne touchez plus à rien. Suivez les six gestes "
                "depuis une clé USB : « hygie incident start --to /chemin/de/la/clé »."
            ),
        )
    if report.files == 0 or report.sampled == 0:
        return (
            _(
                "Aucun fichier n'a pu être lu ({n} trouvés, 0 examinés) : hygie ne peut rien "
                "conclure."
            ).format(n=report.files),
            _("Indiquez le dossier de vos documents : « hygie incident check DOSSIER »."),
        )
    if report.truncated:
        return (
            _(
                "Aucun signe de rançongiciel dans la partie examinée, mais l'examen a été "
                "arrêté avant la fin (trop de fichiers) : ce n'est pas une garantie."
            ),
            _("Relancez en indiquant vos dossiers de documents un par un."),
        )
    return (
        _("Aucun signe de rançongiciel dans vos documents."),
        _(
            "Si l'ordinateur se comporte bizarrement, appelez votre prestataire informatique ; "
            "ce contrôle ne remplace pas un antivirus."
        ),
    )


def run_check(paths: Sequence[Path] = ()) -> CheckResult:
    roots = list(paths) or user_folders()
    report = scan(roots)
    verdict, next_step = verdict_for(report)
    return CheckResult(report, backup_state(), verdict, next_step)
