"""Errors of ``hygie fleet`` (exit codes 64-99).

Bands inside the fleet's: 64-69 shared (reports, protocol), 70-79 the server and its
database, 80-89 the device side (join, queue, delivery), 90-99 the operator's tools.
"""

from __future__ import annotations

from hygie.errors import AppError


class FleetError(AppError):
    """Base class of the fleet's errors."""

    exit_code = 64
    code = "fleet"
    message_fr = "Le suivi de parc a rencontré un problème : {detail}"
    hint_fr = "Relancez la commande ; si le problème persiste, lancez « hygie doctor »."


class ReportInvalid(FleetError):
    """A report does not match the closed report schema (unknown field, wrong value)."""

    exit_code = 65
    code = "fleet_report_invalid"
    message_fr = "Rapport refusé : le champ « {where} » n'est pas conforme (règle « {rule} »)."
    hint_fr = (
        "Un rapport ne contient que les statuts des mesures, le score et les versions ; "
        "mettez hygie à jour sur cet ordinateur."
    )


# --- server and database: 70-79 -------------------------------------------------------------


# --- device side: 80-89 ---------------------------------------------------------------------


# --- operator tools: 90-99 ------------------------------------------------------------------
