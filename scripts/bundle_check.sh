#!/bin/sh
# Build the packaged program with PyInstaller on this (Linux) machine, restic bundled, and
# smoke-test it like the release workflow does on Windows and macOS. Everything in a temporary
# folder, removed at the end (KEEP=1 keeps it).
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d -t hygie-bundle-XXXXXX)"
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$TMP"' EXIT
# A copy of the tree: editing the checkout during the (long) build must not mix two versions.
mkdir "$TMP/tree"
cp -R "$ROOT/src" "$ROOT/packaging" "$ROOT/pyproject.toml" "$ROOT/README.md" "$TMP/tree/"
find "$TMP/tree" -name __pycache__ -prune -exec rm -rf {} +
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q "$TMP/tree" -r "$ROOT/packaging/build-requirements.txt" \
  > "$TMP/pip.log" 2>&1 || { cat "$TMP/pip.log"; exit 1; }
HYGIE_RESTIC="$(command -v restic)" "$TMP/venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$TMP/dist" --workpath "$TMP/build" "$TMP/tree/packaging/pyinstaller/hygie.spec"
BIN="$TMP/dist/hygie/hygie"
export HYGIE_HOME="$TMP/home"
# Only the bundle: no PATH entry that could find the system's restic instead of the bundled one.
env PATH=/usr/bin:/bin "$BIN" --version
rc=0; env PATH=/nonexistent "$BIN" doctor --json > "$TMP/doctor.json" || rc=$?
[ "$rc" -le 1 ]
rc=0; "$BIN" audit --json > "$TMP/audit.json" || rc=$?
[ "$rc" -le 1 ]
"$TMP/venv/bin/python" - "$TMP/doctor.json" "$TMP/audit.json" <<'PY'
import json, sys
doctor = json.load(open(sys.argv[1], encoding="utf-8"))
audit = json.load(open(sys.argv[2], encoding="utf-8"))
assert doctor["schema"].startswith("hygie.doctor/"), doctor
comps = {c["id"]: c for c in doctor["data"]["components"]}
assert comps["restic"]["state"] in ("ok", "warn"), comps["restic"]  # the bundled restic
assert audit["schema"].startswith("hygie.audit/")
print("bundle ok: restic", comps["restic"]["seen"], "| pdf", comps["pdf"]["state"], comps["pdf"]["seen"])
PY
du -sh "$TMP/dist/hygie"
