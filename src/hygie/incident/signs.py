"""Signs of ransomware in the user's folders, read-only (``hygie incident check``, triage).

The most recently changed files (up to :data:`MAX_SAMPLED`, of any name or extension) are
read by content (:mod:`hygie.incident.content`); names are used only where a name is the
sign. Five signs, each with counts and a few masked examples:

* ``ransom_note``: files named like ransom notes (``HOW_TO_DECRYPT.txt``, ``_readme.txt``...).
* ``mass_rename``: many recently changed files with one extension hygie does not know,
  especially appended to a known one (``lettre.docx.kr4ck``), whose content is not a known
  format (a folder of signed ``.pdf.p7m`` is CMS by content: not a sign).
* ``random_extensions``: a burst of new extensions (not seen among the older files), one or a
  few files each, whose content is not a known format.
* ``encrypted_rewrite``: documents that no longer look like their type: a name saying PDF,
  Word, text... with random content, or a known signature whose end is random (names and
  first bytes kept, encrypted after them).
* ``random_content``: files of any name (random hex names without extension, ``.enc``,
  ``.bak``, ``.dat``...) with no known signature, not text, and random-looking samples.

Known high-entropy formats (CMS/p7m, JPEG/JFIF, 7z, KeePass, encrypted PDF, OFX, zip-based
documents...) are recognised by content and are never a sign by themselves. Nothing is opened
for writing; at most 6 KiB are read per sampled file.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import stat as stat_mod
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.i18n import _, ngettext
from hygie.identifiers import mask_digit_runs as mask
from hygie.incident.content import BROKEN, KNOWN, RANDOM, Content, classify_safe
from hygie.incident.content import shannon_entropy as shannon_entropy
from hygie.incident.errors import PathNotFound

RECENT_HOURS = 48
SAMPLE = 2048
MIN_ENTROPY_BYTES = 512
ENCRYPTED_ENTROPY = 7.2
TEXT_ENCRYPTED_ENTROPY = 6.8
MIN_CLUSTER = 10
MIN_CLUSTER_ALONE = 25
MIN_REWRITES = 3
MIN_RANDOM = 10  # random files of any name...
MIN_RANDOM_SHARE = 0.5  # ...or at least 3 making half of the sampled files
MIN_NEW_EXTENSIONS = 10  # distinct new extensions in the sampled files
MAX_SAMPLED = 2000  # most recently changed files read by content
MAX_EXAMPLES = 5
SKIP_DIRS = {"node_modules", "__pycache__", "$RECYCLE.BIN", "System Volume Information"}

ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".pptx": ZIP,
    ".odt": ZIP,
    ".ods": ZIP,
    ".odp": ZIP,
    ".zip": ZIP,
    ".epub": ZIP,
    ".doc": OLE,
    ".xls": OLE,
    ".ppt": OLE,
    ".msg": OLE,
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".bmp": (b"BM",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".rtf": (b"{\\rtf",),
    ".7z": (b"7z\xbc\xaf\x27\x1c",),
    ".gz": (b"\x1f\x8b",),
    ".rar": (b"Rar!\x1a\x07",),
    ".webp": (b"RIFF",),
    ".wav": (b"RIFF",),
    ".sqlite": (b"SQLite format 3\x00",),
    ".db": (b"SQLite format 3\x00",),
}
TEXT_EXTENSIONS = {
    ".txt", ".csv", ".md", ".html", ".htm", ".xml", ".json", ".log", ".ini", ".cfg", ".conf",
    ".tex", ".yaml", ".yml", ".toml", ".py", ".sh", ".bat", ".ps1", ".js", ".css", ".vcf",
    ".ics", ".eml", ".hl7", ".sql",
}  # fmt: skip
# Extensions that are random-looking by nature or common in a user's folders.
OTHER_KNOWN = {
    ".odg", ".odf", ".dotx", ".xlsm", ".docm", ".pages", ".numbers", ".key", ".heic", ".heif",
    ".svg", ".ico", ".mp3", ".mp4", ".m4a", ".m4v", ".mov", ".avi", ".mkv", ".ogg", ".flac",
    ".wma", ".wmv", ".webm", ".aac", ".opus", ".tar", ".bz2", ".xz", ".zst", ".tgz", ".iso",
    ".dmg", ".exe", ".msi", ".deb", ".rpm", ".apk", ".appimage", ".lnk", ".url", ".desktop",
    ".gpg", ".pgp", ".asc", ".kdbx", ".p12", ".pfx", ".pem", ".crt", ".cer", ".der", ".enc",
    ".bak", ".tmp", ".temp", ".part", ".crdownload", ".swp", ".lock", ".old", ".orig", ".dat",
    ".bin", ".pst", ".ost", ".mbox", ".ttf", ".otf", ".woff", ".woff2", ".psd", ".ai", ".eps",
    ".indd", ".raw", ".cr2", ".nef", ".dng", ".avif", ".mdb", ".accdb", ".dbf", ".one",
    ".xps", ".oxps", ".torrent", ".ics", ".vcs", ".pub", ".vsd", ".vsdx", ".mpp", ".wpd",
    ".wps", ".xlsb", ".dot", ".xlt", ".pot", ".ppsx", ".pps", ".sxw", ".abw", ".djvu_ok",
    ".py", ".c", ".h", ".java", ".ts", ".go", ".rs", ".rb", ".php", ".jsonl", ".parquet",
    ".sig", ".cab", ".jar", ".class", ".so", ".dll", ".sys", ".pyc", ".o", ".a", ".lib",
    ".ogv", ".3gp", ".mid", ".midi", ".srt", ".sub", ".nfo", ".cue", ".m3u", ".pls",
    ".jfif", ".jpe", ".p7m", ".p7s", ".p7b", ".p7c", ".ofx", ".qfx", ".qif", ".kdb",
}  # fmt: skip
KNOWN_EXTENSIONS = set(MAGIC) | TEXT_EXTENSIONS | OTHER_KNOWN

RANSOM_NOTE = re.compile(
    r"(decrypt|d[ée]chiffr|ransom|ran[çc]on"
    r"|(restore|recover|return|back)[-_ .]?(my|your|all)?[-_ .]?(files|data|fichiers)"
    r"|how[-_ .]?to[-_ .]?(restore|recover|decrypt|back|get)"
    r"|your[-_ .]?files|files[-_ .]?(are[-_ .]?)?encrypted|fichiers[-_ .]?chiffr"
    r"|vos[-_ .]?fichiers|comment[-_ .]?r[ée]cup[ée]rer|readme[-_ .]?(for|to)[-_ .]?decrypt"
    r"|^_readme\.txt$|^!+.*read[-_ .]?me|^read[-_ .]?me[-_ .]?!+|^#+.*#+\.(txt|html?)$"
    r"|recovery[-_ .]?(key|instructions?)|help[-_ .]?(decrypt|restore|recover))",
    re.IGNORECASE,
)
NOTE_EXTENSIONS = {".txt", ".html", ".htm", ".hta", ".rtf", ".url", ".png", ".jpg", ".bmp", ""}


@dataclass(frozen=True)
class Sign:
    kind: str  # ransom_note | mass_rename | encrypted_rewrite
    count: int
    examples: tuple[str, ...]
    detail: str  # French, translated
    extension: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "examples": list(self.examples),
            "detail": self.detail,
            "extension": self.extension,
        }


@dataclass(frozen=True)
class SignsReport:
    paths: tuple[str, ...]
    files: int
    recent: int
    sampled: int
    truncated: bool
    signs: tuple[Sign, ...]
    recent_files: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    flagged: int = 0  # distinct files named by a sign (a file may show several signs)

    @property
    def found(self) -> bool:
        return bool(self.signs)

    @property
    def conclusive(self) -> bool:
        """Something was read by content and the walk was not cut short: an examination of
        nothing (0 files sampled) or of a part is never "no sign"."""
        return self.sampled > 0 and not self.truncated

    def to_dict(self, *, with_recent: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "paths": list(self.paths),
            "files": self.files,
            "recent": self.recent,
            "sampled": self.sampled,
            "truncated": self.truncated,
            "conclusive": self.conclusive,
            "flagged": self.flagged,
            "signs": [s.to_dict() for s in self.signs],
        }
        if with_recent:
            d["recent_files"] = list(self.recent_files)
        return d


def looks_encrypted(path: str, ext: str, size: int) -> bool | None:
    """True when the file no longer looks like its type (or like anything known); False when
    it does; None when it cannot be told (unreadable, too small, unknown structured binary)."""
    c = classify_safe(path, size, ext)
    if c is None:
        return None
    if c.verdict in (BROKEN, RANDOM):
        return True
    if c.verdict == KNOWN:
        return False
    return None


@dataclass
class _FileInfo:
    rel: str
    name: str
    ext: str
    inner_ext: str
    size: int
    changed: float
    full: str
    content: Content | None = None

    @property
    def typed(self) -> bool:
        """Its name says what it should contain (a document, a text, an image...)."""
        return (
            self.ext in MAGIC or self.ext in TEXT_EXTENSIONS or self.inner_ext in KNOWN_EXTENSIONS
        )

    @property
    def known_content(self) -> bool:
        return self.content is not None and self.content.verdict == KNOWN


def _split(name: str) -> tuple[str, str]:
    base, ext = os.path.splitext(name)
    inner = os.path.splitext(base)[1].lower() if base else ""
    return ext.lower(), inner


def walk(
    roots: Iterable[Path], *, max_files: int, deadline: float, exclude: frozenset[str] = frozenset()
) -> Iterator[tuple[Path, os.DirEntry[str], os.stat_result] | None]:
    """Regular files under ``roots`` (no symlinks, hidden folders and ``exclude`` skipped).
    Yields None once when a limit stops the walk."""
    count = 0
    for root in roots:
        stack = [str(root)]
        while stack:
            d = stack.pop()
            try:
                it = os.scandir(d)
            except OSError:
                continue
            with it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            if (
                                not e.name.startswith(".")
                                and e.name not in SKIP_DIRS
                                and e.path not in exclude
                            ):
                                stack.append(e.path)
                            continue
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if not stat_mod.S_ISREG(st.st_mode):
                        continue
                    count += 1
                    if count > max_files or (count % 512 == 0 and time.monotonic() > deadline):
                        yield None
                        return
                    yield root, e, st


def _sign(kind: str, group: list[_FileInfo], detail: str, ext: str | None = None) -> Sign:
    return Sign(kind, len(group), tuple(mask(f.rel) for f in group[:MAX_EXAMPLES]), detail, ext)


def scan(
    paths: Iterable[Path],
    *,
    now: dt.datetime | None = None,
    recent_hours: float = RECENT_HOURS,
    max_files: int = 300_000,
    time_budget_s: float = 30.0,
    keep_recent: bool = False,
    exclude: Iterable[Path] = (),
    max_sampled: int = MAX_SAMPLED,
) -> SignsReport:
    """Look for the signs under ``paths`` (folders or files), read-only."""
    roots = [Path(p).expanduser().resolve() for p in paths]
    for r in roots:
        if not r.exists():
            raise PathNotFound(path=str(r))
    ts_now = (now or dt.datetime.now(dt.UTC)).timestamp()
    since = ts_now - recent_hours * 3600
    deadline = time.monotonic() + time_budget_s
    truncated = False
    notes: list[str] = []
    file_roots = [r for r in roots if r.is_file()]
    dir_roots = [r for r in roots if r.is_dir()]
    items: list[tuple[Path, str, str, os.stat_result]] = []
    for fr in file_roots:
        try:
            items.append((fr.parent, fr.name, str(fr), fr.stat()))
        except OSError:
            continue
    skip = frozenset(str(Path(p).expanduser().resolve()) for p in exclude)
    for item in walk(dir_roots, max_files=max_files, deadline=deadline, exclude=skip):
        if item is None:
            truncated = True
            break
        root, e, st = item
        items.append((root, e.name, e.path, st))
    infos: list[_FileInfo] = []
    for root, name, full, st in items:
        ext, inner = _split(name)
        if ext in NOTE_EXTENSIONS and RANSOM_NOTE.search(name):
            notes.append(mask(os.path.relpath(full, root)))
        infos.append(
            _FileInfo(
                os.path.relpath(full, root),
                name,
                ext,
                inner,
                st.st_size,
                max(st.st_mtime, st.st_ctime),
                full,
            )
        )
    infos.sort(key=lambda f: -f.changed)
    recent = [f for f in infos if f.changed >= since]
    # The most recently changed files, of any name, are read by content.
    candidates = [f for f in infos if f.size > 0]
    chosen = candidates[:max_sampled]
    older_exts = {f.ext for f in candidates[max_sampled:] if f.changed < since} | {
        f.ext for f in infos if f.changed < since
    }
    sampled = 0
    for f in chosen:
        if time.monotonic() > deadline:
            truncated = True
            break
        f.content = classify_safe(f.full, f.size, f.ext)
        if f.content is not None:
            sampled += 1
    looked = [f for f in chosen if f.content is not None]

    signs: list[Sign] = []
    if notes:
        signs.append(
            Sign(
                "ransom_note",
                len(notes),
                tuple(notes[:MAX_EXAMPLES]),
                ngettext(
                    "{n} fichier porte un nom de demande de rançon",
                    "{n} fichiers portent un nom de demande de rançon",
                    len(notes),
                ).format(n=len(notes)),
            )
        )
    # Renames to one unknown extension (content not a known format).
    by_ext: dict[str, list[_FileInfo]] = collections.defaultdict(list)
    for f in looked:
        if f.ext and f.ext not in KNOWN_EXTENSIONS and not f.known_content:
            by_ext[f.ext].append(f)
    renamed: set[str] = set()
    flagged: set[int] = set()
    for ext, group in sorted(by_ext.items(), key=lambda kv: -len(kv[1])):
        doubled = sum(1 for f in group if f.inner_ext in KNOWN_EXTENSIONS)
        if len(group) >= MIN_CLUSTER_ALONE or (
            len(group) >= MIN_CLUSTER and doubled * 2 >= len(group)
        ):
            renamed.add(ext)
            flagged.update(id(f) for f in group)
            signs.append(
                _sign(
                    "mass_rename",
                    group,
                    _(
                        "{n} fichiers modifiés ou renommés récemment avec l'extension "
                        "inconnue « {ext} » ({d} ajoutée à une extension connue)"
                    ).format(n=len(group), ext=ext, d=doubled),
                    ext,
                )
            )
    # A burst of new extensions, one or a few files each.
    fresh = [
        f for f in looked
        if f.ext and f.ext not in KNOWN_EXTENSIONS and f.ext not in older_exts
        and f.ext not in renamed and not f.known_content
    ]  # fmt: skip
    distinct = {f.ext for f in fresh}
    if len(distinct) >= MIN_NEW_EXTENSIONS:
        flagged.update(id(f) for f in fresh)
        signs.append(
            _sign(
                "random_extensions",
                fresh,
                _(
                    "{n} fichiers récents portent {k} extensions nouvelles et inconnues, "
                    "et leur contenu n'est pas un format connu"
                ).format(n=len(fresh), k=len(distinct)),
            )
        )
    # Documents that no longer look like their type (or keep only their first bytes).
    rewritten = [
        f for f in looked
        if f.content is not None and (
            f.content.verdict == BROKEN or (f.content.verdict == RANDOM and f.typed)
        )
    ]  # fmt: skip
    if len(rewritten) >= MIN_REWRITES:
        flagged.update(id(f) for f in rewritten)
        signs.append(
            _sign(
                "encrypted_rewrite",
                rewritten,
                _(
                    "{n} documents récents ne ressemblent plus à leur type "
                    "(contenu aléatoire, comme chiffré)"
                ).format(n=len(rewritten)),
            )
        )
    # Random content under any other name (no extension, .enc, .bak, .dat, random ones).
    counted = {id(f) for f in rewritten}
    random_any = [
        f for f in looked
        if f.content is not None and f.content.verdict == RANDOM and id(f) not in counted
    ]  # fmt: skip
    if len(random_any) >= MIN_RANDOM or (
        len(random_any) >= MIN_REWRITES and len(random_any) >= MIN_RANDOM_SHARE * len(looked)
    ):
        flagged.update(id(f) for f in random_any)
        signs.append(
            _sign(
                "random_content",
                random_any,
                _(
                    "{n} fichiers récents au contenu aléatoire, sans format reconnu "
                    "(comme des fichiers chiffrés puis renommés)"
                ).format(n=len(random_any)),
            )
        )
    recent_rows: tuple[dict[str, Any], ...] = ()
    if keep_recent:
        recent_rows = tuple(
            {
                "path": mask(f.full),
                "size": f.size,
                "changed": dt.datetime.fromtimestamp(f.changed, dt.UTC).isoformat(
                    timespec="seconds"
                ),
            }
            for f in recent
        )
    return SignsReport(
        paths=tuple(str(r) for r in roots),
        files=len(items),
        recent=len(recent),
        sampled=sampled,
        truncated=truncated,
        signs=tuple(signs),
        recent_files=recent_rows,
        flagged=len(flagged),
    )
