"""What can be checked here of the packages built on Windows and macOS runners (the release
workflow): the PyInstaller spec, the Inno Setup script, the macOS app files, the Linux
launcher and the workflow itself."""

from __future__ import annotations

import ast
import importlib.util
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from hygie.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[3]
PKG = ROOT / "packaging"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_spec_parses_and_carries_every_non_python_file_of_the_package() -> None:
    ast.parse((PKG / "pyinstaller" / "hygie.spec").read_text(encoding="utf-8"))
    datafiles = load(PKG / "pyinstaller" / "datafiles.py")
    listed = {Path(p) for p in datafiles.package_data_files()}
    src = ROOT / "src" / "hygie"
    in_tree = {
        p
        for p in src.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert in_tree - listed == set(), "files the wheel and the bundle would leave out"
    for must in ("audit/render/templates/report.html.j2", "incident/templates/kit.css",
                 "locale/en/install.po", "schemas/audit.schema.json"):  # fmt: skip
        assert src / must in listed
    datas = datafiles.pyinstaller_datas()
    assert (
        str(src / "audit/render/templates/report.css"),
        "hygie/audit/render/templates",
    ) in datas


def test_spec_bundles_restic_every_capability_and_leaves_weasyprint_out() -> None:
    text = (PKG / "pyinstaller" / "hygie.spec").read_text(encoding="utf-8")
    assert 'collect_submodules("hygie")' in text  # CLI modules are imported by name
    assert '"weasyprint"' in text.split("excludes=")[1].split("]")[0]
    assert 'os.environ.get("HYGIE_RESTIC")' in text and '"tools"' in text
    entry = (PKG / "pyinstaller" / "entry.py").read_text(encoding="utf-8")
    assert '"tools"' in entry and "from hygie.cli.app import main" in entry
    assert 'name="hygie"' in text


def iss_section(name: str) -> list[str]:
    text = (PKG / "windows" / "hygie.iss").read_text(encoding="utf-8")
    part = text.split(f"[{name}]", 1)[1]
    part = re.split(r"^\[[A-Za-z]+\]", part, maxsplit=1, flags=re.M)[0]
    return [ln for ln in part.splitlines() if ln.strip() and not ln.startswith(";")]


def iss_entry(line: str) -> dict[str, str]:
    return {
        k.strip(): v.strip().strip('"') for k, v in re.findall(r'(\w+):\s*("[^"]*"|[^;]+)', line)
    }


def test_inno_setup_is_per_user_and_the_shortcut_starts_the_dashboard() -> None:
    setup = iss_section("Setup")
    assert "PrivilegesRequired=lowest" in setup
    assert any(ln.startswith("DefaultDirName={autopf}") for ln in setup)
    text = (PKG / "windows" / "hygie.iss").read_text(encoding="utf-8")
    assert '#define DashboardName "hygie — tableau de bord"' in text
    assert '#define AppExe "hygie.exe"' in text
    icons = [iss_entry(ln) for ln in iss_section("Icons")]
    menu = next(i for i in icons if i["Name"].startswith("{userprograms}"))
    assert menu["Name"] == "{userprograms}\\{#DashboardName}"
    assert menu["Filename"] == "{app}\\{#AppExe}" and menu["Parameters"] == "serve"
    assert "serve" in COMMANDS  # the command the shortcut runs exists
    startup = next(i for i in icons if i["Name"].startswith("{userstartup}"))
    assert startup["Tasks"] == "autostart" and startup["Parameters"] == "serve"
    tasks = [iss_entry(ln) for ln in iss_section("Tasks")]
    assert tasks[0]["Name"] == "autostart" and "unchecked" in tasks[0]["Flags"]
    code = "\n".join(iss_section("Code"))
    assert "usPostUninstall" in code and "MsgBox" in code and "MB_YESNO" in code
    assert "MB_DEFBUTTON2" in code  # keeping the data is the default answer
    assert "{localappdata}\\hygie" in code


def test_inno_data_folder_is_where_hygie_keeps_its_data_on_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ntpath

    import platformdirs.windows

    from hygie import paths

    local = "C:\\Users\\idel\\AppData\\Local"
    monkeypatch.setattr(platformdirs.windows.os, "path", ntpath)
    monkeypatch.setattr(
        platformdirs.windows, "get_win_folder", lambda const: {"CSIDL_LOCAL_APPDATA": local}[const]
    )
    # hygie.paths asks platformdirs with appauthor=False: data and config in <LOCALAPPDATA>\hygie,
    # the folder the uninstaller offers to remove.
    d = platformdirs.windows.Windows(appname=paths.APP_NAME, appauthor=False)
    assert d.user_data_dir == local + "\\hygie" == d.user_config_dir
    assert d.user_cache_dir.startswith(local + "\\hygie")
    assert "appauthor=False" in Path(paths.__file__).read_text(encoding="utf-8")


def test_the_pyinstaller_exe_name_is_the_installer_s() -> None:
    assert 'name="hygie"' in (PKG / "pyinstaller" / "hygie.spec").read_text(encoding="utf-8")
    files = iss_section("Files")
    assert any("..\\..\\dist\\hygie\\*" in ln and "recursesubdirs" in ln for ln in files)


def test_macos_info_plist_and_launcher() -> None:
    raw = (
        (PKG / "macos" / "Info.plist.in").read_text(encoding="utf-8").replace("@VERSION@", "1.2.3")
    )
    info = plistlib.loads(raw.encode("utf-8"))
    assert info["CFBundleExecutable"] == "hygie-dashboard"
    assert info["CFBundleShortVersionString"] == "1.2.3"
    script = (PKG / "macos" / "build_app.sh").read_text(encoding="utf-8")
    assert 'exec "$(dirname "$0")/hygie/hygie" serve' in script
    assert "pkgbuild" in script and "--install-location /Applications" in script
    if shutil.which("sh"):
        assert subprocess.run(["sh", "-n", str(PKG / "macos" / "build_app.sh")]).returncode == 0


def test_linux_desktop_launcher() -> None:
    path = PKG / "linux" / "hygie.desktop"
    text = path.read_text(encoding="utf-8")
    assert "\nExec=hygie serve\n" in text and "Name=hygie — tableau de bord" in text
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-utils not installed (scripts/test-packages.txt)")
    r = subprocess.run([tool, str(path)], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_release_workflow_is_valid_and_smoke_tests_the_built_program() -> None:
    wf = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    )
    assert set(wf[True]) >= {"push", "workflow_dispatch"}  # YAML reads the key `on` as True
    jobs = wf["jobs"]
    assert jobs["windows"]["runs-on"] == "windows-latest"
    runners = {m["runner"] for m in jobs["macos"]["strategy"]["matrix"]["include"]}
    assert runners == {"macos-14", "macos-13"}  # arm64 and x86-64
    for name, job in jobs.items():
        runs = "\n".join(str(s.get("run", "")) for s in job["steps"])
        assert "doctor --json" in runs and "audit --json" in runs, name
        assert "pyinstaller --noconfirm packaging/pyinstaller/hygie.spec" in runs, name
        assert "packaging/fetch_restic.py" in runs, name
        for step in job["steps"]:
            assert "uses" in step or "run" in step, step
    assert "ISCC.exe" in "\n".join(str(s.get("run", "")) for s in jobs["windows"]["steps"])


def test_fetch_restic_refuses_a_file_not_in_the_published_sums(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mod = load(PKG / "fetch_restic.py")
    served = {"SHA256SUMS": b"0" * 64 + b"  restic_0.18.0_linux_amd64.bz2\n"}

    def fetch(url: str) -> bytes:
        return served.get(url.rsplit("/", 1)[1], b"tampered")

    monkeypatch.setattr(mod, "fetch", fetch)
    monkeypatch.setattr(
        sys, "argv", ["x", "--os", "linux", "--arch", "amd64", "--out", str(tmp_path)]
    )
    with pytest.raises(SystemExit) as info:
        mod.main()
    assert "is not the published" in str(info.value)
    assert not (tmp_path / "restic").exists()
