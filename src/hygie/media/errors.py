"""Errors of the media station (exit codes 30-39)."""

from __future__ import annotations

from typing import Any

from hygie.errors import AppError


class MediaError(AppError):
    """Base class of the media station's errors."""

    exit_code = 30
    code = "media"
    message_fr = "La station d'analyse a rencontré un problème : {detail}"
    hint_fr = "Relancez la commande ; si le problème persiste, lancez « hygie media engine »."


class EngineUnavailable(MediaError):
    """No usable clamd: none running, none configured, and hygie could not start its own."""

    exit_code = 31
    code = "media_engine_unavailable"
    message_fr = "Le moteur antivirus (ClamAV) n'est pas disponible : {detail}"
    hint_fr = (
        "Installez ClamAV et ses signatures (voir « docs/how-to/media-install-clamav.md »), "
        "ou indiquez le moteur à utiliser avec --clamd unix:CHEMIN ou tcp:HÔTE:PORT."
    )


class EngineSelfTestFailed(MediaError):
    """The EICAR self-test was not detected: the signatures are missing or did not load."""

    exit_code = 32
    code = "media_selftest_failed"
    message_fr = (
        "Le moteur antivirus ne reconnaît pas le fichier de test EICAR ({detail}) : "
        "ses signatures ne sont pas chargées, aucun fichier ne peut être déclaré sain."
    )
    hint_fr = (
        "Mettez à jour les signatures (« sudo freshclam ») puis relancez ; "
        "vérifiez le journal de clamd."
    )


class NoSignatures(MediaError):
    """The engine has zero signatures: nothing it says can make a file clean."""

    exit_code = 33
    code = "media_no_signatures"
    message_fr = "Le moteur antivirus n'a aucune signature chargée ({detail})."
    hint_fr = "Téléchargez les signatures avec « sudo freshclam » puis relancez l'analyse."


class EngineDied(MediaError):
    """clamd stopped answering in the middle of a scan; the rest was not scanned."""

    exit_code = 34
    code = "media_engine_died"
    message_fr = (
        "Le moteur antivirus s'est arrêté pendant l'analyse : {not_scanned} fichier(s) "
        "n'ont pas été analysés ({detail})."
    )
    hint_fr = "Relancez l'analyse ; aucun de ces fichiers n'a été déclaré sain."


class DestinationFull(MediaError):
    """The destination of a station copy ran out of space; no partial file was left."""

    exit_code = 35
    code = "media_destination_full"
    message_fr = (
        "La destination {path} est pleine : la copie s'est arrêtée proprement "
        "({copied} fichier(s) copiés, aucun fichier à moitié copié)."
    )
    hint_fr = "Libérez de la place ou choisissez une autre destination, puis relancez la copie."


class MountFailed(MediaError):
    """A removable device could not be mounted read-only for scanning."""

    exit_code = 36
    code = "media_mount_failed"
    message_fr = "Le support {device} n'a pas pu être ouvert en lecture seule : {detail}"
    hint_fr = (
        "Lancez « hygie media watch » avec les droits administrateur (sudo) ou analysez "
        "le support une fois monté avec « hygie media scan CHEMIN »."
    )


class EngineNotProven(MediaError):
    """The engine called a canary clean (an encrypted, too deep or too large EICAR, or EICAR
    itself): it would call such files clean too, so no file is trusted to it."""

    exit_code = 37
    code = "media_engine_not_proven"
    message_fr = (
        "Le moteur antivirus n'est pas fiable pour la station : il déclare sain ce qu'il "
        "aurait dû signaler ({detail}). Aucun fichier n'a été analysé."
    )
    hint_fr = "{fix}"

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["proof"] = self.params.get("proof", [])
        out["clamd_conf_lines"] = self.params.get("lines", [])
        return out


class DefenderUnavailable(MediaError):
    """Microsoft Defender's command-line scanner (MpCmdRun.exe) cannot be used."""

    exit_code = 38
    code = "media_defender_unavailable"
    message_fr = "Microsoft Defender ne peut pas analyser les fichiers : {detail}"
    hint_fr = (
        "Ouvrez « Sécurité Windows » et vérifiez que la protection contre les virus est "
        "activée et à jour, ou choisissez ClamAV avec --engine clamav."
    )
