"""``hygie fleet init|serve|campaign|stats``: the campaign server, run by an operator."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hygie.errors import EXIT_OK, UsageError
from hygie.i18n import _

DatabaseOpt = Annotated[
    str,
    typer.Option(
        "--database",
        envvar="HYGIE_FLEET_DATABASE",
        metavar="URL",
        help=(
            "Base PostgreSQL (adresse libpq, par exemple postgresql://hygie@localhost/fleet ou "
            "postgresql:///fleet?host=/var/run/postgresql ; le mot de passe dans ~/.pgpass). "
            "Aussi par la variable HYGIE_FLEET_DATABASE."
        ),
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Écrire le résultat en JSON sur stdout.")]

campaign_app = typer.Typer(
    help="Campagnes : créer (code d'adhésion), lister, clore.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add the server and operator commands to the ``fleet`` group."""
    app.command(
        "init",
        help="Créer ou mettre à jour le schéma de la base du suivi de parc (sans risque répété).",
    )(init_cmd)
    app.command(
        "serve",
        help=(
            "Lancer le serveur du suivi de parc (API des ordinateurs) au premier plan ; "
            "le TLS est assuré par un proxy inverse."
        ),
    )(serve_cmd)
    app.command(
        "stats",
        help="Compter, pour une campagne, les ordinateurs par mesure et par statut.",
    )(stats_cmd)
    campaign_app.command("create", help="Créer une campagne et afficher son code d'adhésion.")(
        campaign_create
    )
    campaign_app.command("list", help="Lister les campagnes.")(campaign_list)
    campaign_app.command(
        "close", help="Clore une campagne : plus d'adhésion ni de rapport ; les données restent."
    )(campaign_close)
    app.add_typer(campaign_app, name="campaign")


def _emit(kind: str, data: dict[str, Any], json_: bool, lines: list[str]) -> None:
    from hygie.output import envelope, print_json, stdout_console

    if json_:
        print_json(envelope(kind, data))
        return
    console = stdout_console()
    for line in lines:
        console.print(line, markup=False)


def init_cmd(database: DatabaseOpt, json_: JsonOpt = False) -> int:
    """Créer ou mettre à jour le schéma de la base."""
    from hygie.fleet.server import connect, migrate

    with connect(database, autocommit=True) as conn:
        result = migrate(conn)
    if result.applied:
        lines = [
            _("Schéma du suivi de parc mis à jour : version {version} ({names}).").format(
                version=result.version, names=", ".join(result.applied)
            )
        ]
    else:
        lines = [
            _("Schéma du suivi de parc déjà à jour : version {version}.").format(
                version=result.version
            )
        ]
    _emit("fleet.init", result.to_dict(), json_, lines)
    return EXIT_OK


def serve_cmd(
    database: DatabaseOpt,
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="H:P",
            help="Adresse et port d'écoute (défaut : 127.0.0.1:8750).",
        ),
    ] = "127.0.0.1:8750",
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Nombre de processus (défaut : 1).")
    ] = 1,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--allow-plain-http",
            help="Accepter d'écouter en HTTP non chiffré sur une adresse autre que la boucle "
            "locale (déconseillé : mettez un proxy inverse TLS devant).",
        ),
    ] = False,
    pool_size: Annotated[
        int,
        typer.Option(
            "--pool-size", min=1, max=200, help="Connexions PostgreSQL par processus (défaut : 10)."
        ),
    ] = 10,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Journaliser chaque requête (plus lent).")
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxys dont on croit l'en-tête X-Forwarded-For (défaut : 127.0.0.1).",
        ),
    ] = "127.0.0.1",
) -> int:
    """Lancer le serveur du suivi de parc au premier plan."""
    from hygie.fleet.server import AppSettings, ServeSettings, parse_listen, run_server

    host, port = parse_listen(listen)
    run_server(
        ServeSettings(
            app=AppSettings(database=database, pool_min=min(2, pool_size), pool_max=pool_size),
            host=host,
            port=port,
            workers=workers,
            allow_plain_http=allow_plain_http,
            access_log=access_log,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    )
    return EXIT_OK


def campaign_create(
    database: DatabaseOpt,
    name: Annotated[str, typer.Option("--name", help="Nom de la campagne (unique).")],
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            metavar="anonymous|identified",
            help="anonymous : ni nom d'ordinateur ni liste (union régionale) ; identified : "
            "une étiquette par ordinateur et leur liste (cabinet, prestataire).",
        ),
    ],
    expires: Annotated[
        int | None,
        typer.Option(
            "--expires",
            metavar="JOURS",
            min=1,
            max=3650,
            help="Le code d'adhésion expire après ce nombre de jours (défaut : jamais).",
        ),
    ] = None,
    json_: JsonOpt = False,
) -> int:
    """Créer une campagne et afficher son code d'adhésion (une seule fois)."""
    from hygie.fleet import CAMPAIGN_MODES
    from hygie.fleet.server import clean_name, connect, create_campaign

    if mode not in CAMPAIGN_MODES:
        raise UsageError(detail=_("--mode doit être anonymous ou identified"))
    try:
        clean_name(name)
    except ValueError:
        raise UsageError(detail=_("--name : de 1 à 120 caractères imprimables")) from None
    with connect(database) as conn:
        made = create_campaign(conn, name=name, mode=mode, expires_days=expires)
    data = {**made.campaign.to_dict(), "join_code": made.join_code}
    lines = [
        _("Campagne « {name} » créée ({mode}).").format(name=made.campaign.name, mode=mode),
        _("Code d'adhésion : {code}").format(code=made.join_code),
        _(
            "Notez-le maintenant : il n'est affiché qu'une fois (la base n'en garde qu'une "
            "empreinte). Les ordinateurs rejoignent avec « hygie fleet join ADRESSE CODE » ou "
            "depuis leur tableau de bord."
        ),
    ]
    _emit("fleet.campaign.create", data, json_, lines)
    return EXIT_OK


def campaign_list(database: DatabaseOpt, json_: JsonOpt = False) -> int:
    """Lister les campagnes."""
    from hygie.fleet.server import connect, list_campaigns

    with connect(database) as conn:
        campaigns = list_campaigns(conn)
    lines = [
        _("{name} — {mode}, {devices} ordinateur(s), {state}").format(
            name=c.name,
            mode=c.mode,
            devices=c.devices,
            state=_("close") if c.closed_at else _("ouverte"),
        )
        for c in campaigns
    ] or [_("Aucune campagne. Créez-en une avec « hygie fleet campaign create ».")]
    _emit("fleet.campaign.list", {"campaigns": [c.to_dict() for c in campaigns]}, json_, lines)
    return EXIT_OK


def campaign_close(
    database: DatabaseOpt,
    name: Annotated[str, typer.Option("--name", help="Nom de la campagne à clore.")],
    json_: JsonOpt = False,
) -> int:
    """Clore une campagne."""
    from hygie.fleet.server import close_campaign, connect

    with connect(database) as conn:
        campaign = close_campaign(conn, name)
    lines = [
        _(
            "Campagne « {name} » close : plus d'adhésion ni de rapport ; ses données restent "
            "consultables."
        ).format(name=campaign.name)
    ]
    _emit("fleet.campaign.close", campaign.to_dict(), json_, lines)
    return EXIT_OK


def stats_cmd(
    database: DatabaseOpt,
    campaign: Annotated[str, typer.Option("--campaign", help="Nom de la campagne.")],
    json_: JsonOpt = False,
) -> int:
    """Compter les ordinateurs par mesure et par statut."""
    from hygie.fleet.server import campaign_stats, connect, get_campaign, refresh_rollups

    with connect(database) as conn:
        refresh_rollups(conn)  # count what was received up to now (fleet-scale's rollups)
        stats = campaign_stats(conn, get_campaign(conn, campaign))
    lines = [
        _(
            "Campagne « {name} » : {devices} ordinateur(s) ayant envoyé un bilan "
            "({joined} inscrit(s))."
        ).format(name=stats.campaign, devices=stats.devices, joined=stats.joined)
    ]
    for mid, counts in stats.measures.items():
        lines.append(
            _(
                "{mid} : {ok} ok, {warn} à améliorer, {fail} critique(s), {unknown} inconnu(s), "
                "{na} non applicable(s)"
            ).format(
                mid=mid,
                ok=counts["ok"],
                warn=counts["warn"],
                fail=counts["fail"],
                unknown=counts["unknown"],
                na=counts["not_applicable"],
            )
        )
    _emit("fleet.stats", stats.to_dict(), json_, lines)
    return EXIT_OK
