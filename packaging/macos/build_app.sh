#!/bin/sh
# Build hygie.app and an installer package from PyInstaller's dist/hygie (run on macOS).
#   packaging/macos/build_app.sh 0.1.0 arm64
# Output: dist/hygie.app, dist/hygie-<version>-macos-<arch>.pkg
# Double-clicking the app opens Terminal running `hygie serve` (the dashboard opens in the
# browser; closing the Terminal window stops it). Signing and notarization need an Apple
# Developer ID: set MACOS_SIGN_IDENTITY to sign (see docs/how-to/install.md).
set -eu
VERSION="${1:?version}"
ARCH="${2:?arch (arm64 or x86_64)}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIST="$ROOT/dist"
APP="$DIST/hygie.app"
[ -x "$DIST/hygie/hygie" ] || { echo "build dist/hygie with PyInstaller first" >&2; exit 2; }

rm -rf "$APP"
mkdir -p "$APP/Contents/MacOS" "$APP/Contents/Resources"
cp -R "$DIST/hygie" "$APP/Contents/Resources/hygie"

cat > "$APP/Contents/Resources/hygie-serve.command" <<'CMD'
#!/bin/sh
# hygie — tableau de bord : fermez cette fenêtre pour l'arrêter.
exec "$(dirname "$0")/hygie/hygie" serve
CMD
chmod +x "$APP/Contents/Resources/hygie-serve.command"

cat > "$APP/Contents/MacOS/hygie-dashboard" <<'LAUNCH'
#!/bin/sh
here="$(cd "$(dirname "$0")/../Resources" && pwd)"
exec open -a Terminal "$here/hygie-serve.command"
LAUNCH
chmod +x "$APP/Contents/MacOS/hygie-dashboard"

sed -e "s/@VERSION@/$VERSION/g" "$ROOT/packaging/macos/Info.plist.in" > "$APP/Contents/Info.plist"
plutil -lint "$APP/Contents/Info.plist"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --sign "$MACOS_SIGN_IDENTITY" "$APP"
fi
pkgbuild --component "$APP" --install-location /Applications \
  --identifier fr.hygie.dashboard --version "$VERSION" \
  "$DIST/hygie-$VERSION-macos-$ARCH.pkg"
echo "built $DIST/hygie-$VERSION-macos-$ARCH.pkg"
