"""The optional configuration file (``config.toml`` in the config folder).

hygie runs with embedded defaults and no file at all. Each capability reads its own table
(``[backup]``, ``[mail]``, ``[media]``, ``[kit]``...). Secrets never go here: they live in
the OS keyring (see :mod:`hygie.secrets`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from hygie.errors import ConfigError
from hygie.fileio import private_dir
from hygie.paths import get_paths

DEFAULTS: dict[str, Any] = {}


def load_config(path: Path | None = None) -> dict[str, Any]:
    path = path or get_paths().config_file
    if not path.exists():
        return dict(DEFAULTS)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(path=str(path), line=0, detail="not UTF-8") from exc
    except OSError as exc:
        raise ConfigError(path=str(path), line=0, detail=exc.strerror or str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path=str(path), line=int(m[1]) if m else 0, detail=str(exc)) from exc
    merged = dict(DEFAULTS)
    merged.update(data)
    return merged


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_value(k)


def dumps(data: dict[str, Any]) -> str:
    """Write a config dict as TOML (top-level scalars, then one table per section)."""
    lines: list[str] = ["# hygie configuration — secrets are kept in the OS keyring, never here."]
    for k, v in data.items():
        if not isinstance(v, dict):
            lines.append(f"{_key(k)} = {_toml_value(v)}")
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append("")
            lines.append(f"[{_key(k)}]")
            for kk, vv in v.items():
                lines.append(f"{_key(kk)} = {_toml_value(vv)}")
    return "\n".join(lines) + "\n"


def save_section(section: str, values: dict[str, Any], path: Path | None = None) -> Path:
    """Replace one section of the config file, keeping the others; written atomically."""
    path = path or get_paths().config_file
    data = load_config(path)
    data[section] = values
    private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(dumps(data), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path
