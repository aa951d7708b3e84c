"""The six steps of the leaflet ("Vous pensez être victime d'une cyberattaque ?"), in its order,
and the useful addresses. One source for the guide, the kit and the docs."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.i18n import N_, _

CYBERMALVEILLANCE_URL = "https://www.cybermalveillance.gouv.fr"
CNIL_BREACH_URL = "https://www.cnil.fr/fr/notifier-une-violation-de-donnees-personnelles"
SIGNAL_SPAM_URL = "https://www.signal-spam.fr"
DMP_URL = "https://www.dmp.fr"


@dataclass(frozen=True)
class Step:
    number: int
    title: str  # French source (translate with _() when shown)
    advice: str

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "title": _(self.title), "advice": _(self.advice)}


STEPS: tuple[Step, ...] = (
    Step(
        1,
        N_("N'arrêtez pas et ne redémarrez pas l'ordinateur."),
        N_(
            "Laissez l'ordinateur allumé tel qu'il est : un redémarrage efface des traces "
            "utiles et peut relancer le programme malveillant."
        ),
    ),
    Step(
        2,
        N_("N'interagissez plus avec le poste."),
        N_(
            "N'ouvrez plus de fichiers ni de programmes, ne supprimez rien : vous conservez "
            "ainsi l'information utile à l'analyse de l'attaque."
        ),
    ),
    Step(
        3,
        N_("Déconnectez le câble réseau ou désactivez le Wi-Fi."),
        N_(
            "Débranchez le câble réseau et coupez le Wi-Fi du poste : l'attaque ne peut plus "
            "s'étendre ni envoyer vos données."
        ),
    ),
    Step(
        4,
        N_("Prévenez le fournisseur informatique et/ou le responsable de la sécurité."),
        N_("Appelez-les depuis un autre appareil (téléphone) : leurs coordonnées sont ci-dessous."),
    ),
    Step(
        5,
        N_("Décrivez l'incident sur cybermalveillance.gouv.fr et suivez les conseils proposés."),
        N_(
            "Depuis un autre appareil, décrivez ce que vous avez vu ; le site vous oriente vers "
            "des prestataires et vous dit quoi faire ensuite."
        ),
    ),
    Step(
        6,
        N_("En cas de violation de données personnelles, notifiez la CNIL."),
        N_(
            "Si des données de patients ont pu être lues, modifiées ou perdues, la notification "
            "à la CNIL est obligatoire dans les 72 heures après la découverte."
        ),
    ),
)


def step(number: int) -> Step:
    return STEPS[number - 1]
