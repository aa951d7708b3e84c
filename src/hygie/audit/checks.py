"""The pure checks of the core measures (M01-M13).

Each check reads facts and returns an :class:`Outcome`. The runner already turned unknown
and not-applicable facts into unknown / not-applicable results (unless ``handles_unknown``),
so a check only sees known values. Evidence is what was seen, in plain French, never
patient data. Every check has cases in tests/unit/audit/test_checks.py (a meta-test says so).
"""

from __future__ import annotations

from collections.abc import Sequence

from hygie.audit.model import Outcome, Status
from hygie.audit.registry import Facts, check
from hygie.i18n import N_, _, ngettext

MAX_LOCK_DELAY_S = 300
MAX_SIGNATURE_AGE_DAYS = 7


def _yes(status_if_no: Status, yes_text: str, no_text: str, key: str, f: Facts) -> Outcome:
    if f.value(key) is True:
        return Outcome(Status.OK, _(yes_text))
    return Outcome(status_if_no, _(no_text))


def _names(value: object) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [str(v) for v in value]
    return []


# --- M01 passwords --------------------------------------------------------------------
@check("M01.account_password", facts=("account.password_set",))
def account_password(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("votre session est protégée par un mot de passe"),
        N_("votre session n'a pas de mot de passe : n'importe qui peut l'ouvrir"),
        "account.password_set",
        f,
    )


@check("M01.password_manager", facts=("password_manager.installed",))
def password_manager(f: Facts) -> Outcome:
    names = _names(f.value("password_manager.installed"))
    if names:
        return Outcome(
            Status.OK,
            _("gestionnaire de mots de passe présent : {names}").format(names=", ".join(names)),
        )
    return Outcome(Status.WARN, _("aucun gestionnaire de mots de passe trouvé"))


@check("M01.unique_passwords", facts=("passwords.unique",))
def unique_passwords(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("un mot de passe différent pour chaque service"),
        N_("le même mot de passe sert pour plusieurs services"),
        "passwords.unique",
        f,
    )


# --- M02 session lock and CPS card ----------------------------------------------------
@check("M02.lock_enabled", facts=("screenlock.enabled",))
def lock_enabled(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("le verrouillage automatique de la session est activé"),
        N_("la session ne se verrouille pas automatiquement"),
        "screenlock.enabled",
        f,
    )


@check("M02.lock_delay", facts=("screenlock.enabled", "screenlock.delay_s"))
def lock_delay(f: Facts) -> Outcome:
    if f.value("screenlock.enabled") is not True:
        return Outcome(Status.NOT_APPLICABLE, _("pas de verrouillage automatique"))
    delay = f.value("screenlock.delay_s")
    if not isinstance(delay, int | float) or delay <= 0:
        return Outcome(Status.WARN, _("la session ne se met jamais en veille d'elle-même"))
    minutes = round(delay / 60, 1)
    if delay <= MAX_LOCK_DELAY_S:
        return Outcome(Status.OK, _("verrouillage après {m} min d'inactivité").format(m=minutes))
    return Outcome(
        Status.WARN,
        _("verrouillage après {m} min d'inactivité (5 min au plus recommandé)").format(m=minutes),
    )


@check("M02.cps_card", facts=("cps.removed_when_away",))
def cps_card(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("la carte CPS est retirée du lecteur en quittant le poste"),
        N_("la carte CPS reste dans le lecteur en votre absence"),
        "cps.removed_when_away",
        f,
    )


# --- M03 antivirus and firewall -------------------------------------------------------
@check("M03.antivirus", facts=("antivirus.products",))
def antivirus(f: Facts) -> Outcome:
    names = _names(f.value("antivirus.products"))
    if not names:
        return Outcome(Status.FAIL, _("aucun antivirus trouvé"))
    return Outcome(Status.OK, _("antivirus : {names}").format(names=", ".join(names)))


@check("M03.signatures", facts=("antivirus.signature_age_days",))
def signatures(f: Facts) -> Outcome:
    age = f.value("antivirus.signature_age_days")
    if not isinstance(age, int | float):
        return Outcome(Status.UNKNOWN, _("âge des signatures antivirus inconnu"))
    days = int(age)
    if age <= MAX_SIGNATURE_AGE_DAYS:
        return Outcome(
            Status.OK,
            ngettext(
                "signatures antivirus mises à jour il y a {n} jour",
                "signatures antivirus mises à jour il y a {n} jours",
                days,
            ).format(n=days),
        )
    return Outcome(
        Status.WARN,
        _("signatures antivirus vieilles de {n} jours (7 au plus)").format(n=days),
    )


@check("M03.realtime", facts=("antivirus.realtime",))
def realtime(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("la protection en temps réel est active"),
        N_("la protection en temps réel est désactivée"),
        "antivirus.realtime",
        f,
    )


@check("M03.firewall", facts=("firewall.enabled",))
def firewall(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("le pare-feu est activé"),
        N_("le pare-feu est désactivé"),
        "firewall.enabled",
        f,
    )


# --- M04 mail -------------------------------------------------------------------------
@check("M04.webmail_accounts", facts=("mail.webmail_accounts",))
def webmail_accounts(f: Facts) -> Outcome:
    domains = _names(f.value("mail.webmail_accounts"))
    if not domains:
        return Outcome(Status.OK, _("aucun compte de messagerie gratuite configuré sur ce poste"))
    return Outcome(
        Status.WARN,
        ngettext(
            "{n} compte de messagerie gratuite configuré ({domains})",
            "{n} comptes de messagerie gratuite configurés ({domains})",
            len(domains),
        ).format(n=len(domains), domains=", ".join(sorted(set(domains)))),
    )


@check("M04.mssante_used", facts=("mail.mssante_used",))
def mssante_used(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("les données de patients partent par la messagerie sécurisée de santé (MSSanté)"),
        N_("des données de patients partent sans la messagerie sécurisée de santé"),
        "mail.mssante_used",
        f,
    )


# --- M05 updates ----------------------------------------------------------------------
@check("M05.pending_updates", facts=("updates.pending", "updates.security_pending"))
def pending_updates(f: Facts) -> Outcome:
    pending = int(f.value("updates.pending") or 0)  # type: ignore[call-overload]
    security = int(f.value("updates.security_pending") or 0)  # type: ignore[call-overload]
    if security:
        return Outcome(
            Status.FAIL,
            ngettext(
                "{n} mise à jour de sécurité en attente",
                "{n} mises à jour de sécurité en attente",
                security,
            ).format(n=security),
        )
    if pending:
        return Outcome(
            Status.WARN,
            ngettext("{n} mise à jour en attente", "{n} mises à jour en attente", pending).format(
                n=pending
            ),
        )
    return Outcome(Status.OK, _("le système est à jour"))


@check("M05.automatic_updates", facts=("updates.automatic",))
def automatic_updates(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("les mises à jour automatiques sont activées"),
        N_("les mises à jour automatiques sont désactivées"),
        "updates.automatic",
        f,
    )


@check("M05.os_supported", facts=("os.support",))
def os_supported(f: Facts) -> Outcome:
    info = f.value("os.support")
    if not isinstance(info, dict):
        return Outcome(Status.UNKNOWN, _("version du système inconnue"))
    name = str(info.get("name", "?"))
    eol = info.get("eol")
    if info.get("supported") is True:
        if eol:
            return Outcome(
                Status.OK, _("{name} est suivi jusqu'au {eol}").format(name=name, eol=eol)
            )
        return Outcome(Status.OK, _("{name} est encore suivi").format(name=name))
    if info.get("supported") is False:
        return Outcome(
            Status.FAIL,
            _("{name} ne reçoit plus de mises à jour de sécurité depuis le {eol}").format(
                name=name, eol=eol or "?"
            ),
        )
    return Outcome(Status.UNKNOWN, _("fin de support de {name} inconnue").format(name=name))


# --- M06 USB keys ---------------------------------------------------------------------
@check("M06.autorun_disabled", facts=("media.autorun_disabled",))
def autorun_disabled(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("rien ne se lance tout seul quand on branche une clé"),
        N_("le contenu d'une clé branchée peut s'ouvrir ou se lancer tout seul"),
        "media.autorun_disabled",
        f,
    )


@check("M06.scan_unknown_media", facts=("media.scan_unknown_keys",))
def scan_unknown_media(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("les clés et disques d'origine inconnue sont analysés avant usage"),
        N_("les clés et disques d'origine inconnue ne sont pas analysés avant usage"),
        "media.scan_unknown_keys",
        f,
    )


# --- M07 backups ----------------------------------------------------------------------
@check("M07.backup_exists", facts=("backup.exists",))
def backup_exists(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("les données sont sauvegardées régulièrement"),
        N_("aucune sauvegarde régulière des données"),
        "backup.exists",
        f,
    )


@check("M07.restore_tested", facts=("backup.restore_tested",))
def restore_tested(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("une restauration a été testée ces derniers mois"),
        N_("la restauration n'a pas été testée récemment"),
        "backup.restore_tested",
        f,
    )


@check("M07.encrypted", facts=("backup.encrypted",))
def backup_encrypted(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("les sauvegardes sont chiffrées"),
        N_("les sauvegardes ne sont pas chiffrées"),
        "backup.encrypted",
        f,
    )


@check("M07.two_places", facts=("backup.two_places",))
def two_places(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("deux copies en deux endroits différents"),
        N_("une seule copie, ou deux copies au même endroit"),
        "backup.two_places",
        f,
    )


@check("M07.disconnected", facts=("backup.disconnected",))
def disconnected(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("la sauvegarde est débranchée en dehors des sauvegardes"),
        N_("la sauvegarde reste branchée : une attaque peut la chiffrer aussi"),
        "backup.disconnected",
        f,
    )


# --- M08 professional-only device -----------------------------------------------------
@check("M08.professional_only", facts=("device.professional_only",))
def professional_only(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("cet ordinateur sert uniquement à l'activité professionnelle"),
        N_("cet ordinateur sert aussi à des usages personnels ou familiaux"),
        "device.professional_only",
        f,
    )


@check("M08.personal_apps", facts=("apps.personal",))
def personal_apps(f: Facts) -> Outcome:
    names = _names(f.value("apps.personal"))
    if not names:
        return Outcome(Status.OK, _("aucune application personnelle repérée"))
    shown = ", ".join(sorted(names)[:5]) + ("…" if len(names) > 5 else "")
    return Outcome(
        Status.WARN,
        ngettext(
            "{n} application personnelle installée : {names}",
            "{n} applications personnelles installées : {names}",
            len(names),
        ).format(n=len(names), names=shown),
    )


@check("M08.daily_user_not_admin", facts=("user.is_admin",))
def daily_user_not_admin(f: Facts) -> Outcome:
    if f.value("user.is_admin") is False:
        return Outcome(Status.OK, _("le compte du quotidien n'est pas administrateur"))
    return Outcome(
        Status.WARN,
        _("le compte du quotidien est administrateur de l'ordinateur"),
    )


# --- M09 Wi-Fi ------------------------------------------------------------------------
WIFI_OK = {"wpa2", "wpa3", "wpa2-enterprise", "wpa3-enterprise"}
WIFI_WEAK = {"wpa"}
WIFI_BAD = {"open", "wep"}


@check("M09.wifi_security", facts=("wifi.security",))
def wifi_security(f: Facts) -> Outcome:
    sec = str(f.value("wifi.security"))
    label = sec.upper() if sec not in ("open",) else _("ouvert, sans mot de passe")
    if sec in WIFI_OK:
        return Outcome(Status.OK, _("Wi-Fi protégé ({label})").format(label=label))
    if sec in WIFI_WEAK:
        return Outcome(
            Status.WARN, _("Wi-Fi protégé par un chiffrement ancien ({label})").format(label=label)
        )
    if sec in WIFI_BAD:
        return Outcome(
            Status.FAIL, _("Wi-Fi non protégé ou mal protégé ({label})").format(label=label)
        )
    return Outcome(
        Status.UNKNOWN, _("protection du Wi-Fi non reconnue ({label})").format(label=sec)
    )


@check("M09.hidden_ssid", facts=("wifi.hidden",))
def hidden_ssid(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("le nom du réseau Wi-Fi est masqué"),
        N_("le nom du réseau Wi-Fi est visible de tous"),
        "wifi.hidden",
        f,
    )


@check("M09.router_password", facts=("wifi.router_password_changed",))
def router_password(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("le mot de passe d'origine de la box a été changé"),
        N_("la box garde son mot de passe d'origine"),
        "wifi.router_password_changed",
        f,
    )


# --- M10 HDS hosting ------------------------------------------------------------------
@check("M10.hds_hosting", facts=("cloud.hds_certified",))
def hds_hosting(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("les données de santé en ligne sont chez un hébergeur certifié HDS"),
        N_("des données de santé sont en ligne chez un hébergeur non certifié HDS"),
        "cloud.hds_certified",
        f,
    )


# --- M11 software unavailable: DMP fallback -------------------------------------------
@check("M11.ecps_ready", facts=("ecps.ready",))
def ecps_ready(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("la carte CPS ou l'e-CPS est prête à servir"),
        N_("ni carte CPS ni e-CPS prête en cas de panne du logiciel"),
        "ecps.ready",
        f,
    )


@check("M11.dmp_tested", facts=("dmp.access_tested",))
def dmp_tested(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("l'accès de secours par dmp.fr a été essayé"),
        N_("l'accès de secours par dmp.fr n'a jamais été essayé"),
        "dmp.access_tested",
        f,
    )


# --- M12 suspected cyberattack --------------------------------------------------------
@check("M12.contacts_ready", facts=("incident.contacts_ready",))
def contacts_ready(f: Facts) -> Outcome:
    return _yes(
        Status.FAIL,
        N_("les contacts d'urgence (informaticien, sécurité) sont notés"),
        N_("les contacts à prévenir en cas d'attaque ne sont pas notés"),
        "incident.contacts_ready",
        f,
    )


@check("M12.sheet_printed", facts=("incident.sheet_printed",))
def sheet_printed(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("la fiche des six gestes est imprimée et à portée de main"),
        N_("la fiche des six gestes n'est pas imprimée"),
        "incident.sheet_printed",
        f,
    )


@check("M12.drill_done", facts=("incident.drill_done",))
def drill_done(f: Facts) -> Outcome:
    return _yes(
        Status.WARN,
        N_("un exercice d'incident a été fait cette année"),
        N_("aucun exercice d'incident cette année"),
        "incident.drill_done",
        f,
    )


# --- M13 disk encryption --------------------------------------------------------------
@check("M13.system_disk_encrypted", facts=("disk.system_encrypted",))
def system_disk_encrypted(f: Facts) -> Outcome:
    if f.value("disk.system_encrypted") == "suspended":  # BitLocker: key left in clear
        return Outcome(
            Status.FAIL,
            _(
                "protection suspendue : le disque est chiffré mais sa clé n'est plus "
                "protégée ; en cas de vol, les données sont lisibles"
            ),
        )
    return _yes(
        Status.FAIL,
        N_("le disque est chiffré"),
        N_("le disque n'est pas chiffré : en cas de vol, les données sont lisibles"),
        "disk.system_encrypted",
        f,
    )
