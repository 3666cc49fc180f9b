#!/usr/bin/env bash
# Install the Townsfolk bundle for the current user (no root):
#
#   ~/.local/share/townsfolk/                       the bundle (dist/townsfolk/), replaced on reinstall
#   ~/.local/bin/townsfolk                          a launcher
#   ~/.local/share/applications/townsfolk.desktop   the menu entry; opens .town files
#   ~/.local/share/icons/hicolor/NxN/apps/townsfolk.png  (+ mimetypes/ for .town files)
#   ~/.local/share/mime/packages/townsfolk.xml      the application/x-townsfolk-world type (*.town)
#
#   packaging/linux/install.sh [--bundle DIR] [--no-register]
#
# --bundle defaults to a townsfolk/ folder next to this script (a release tarball's layout), else
# to dist/townsfolk/ of this checkout (build it with packaging/build.sh).
# --no-register skips update-mime-database, update-desktop-database, gtk-update-icon-cache and
# xdg-mime (they run only when installed anyway). Honours $HOME, $XDG_DATA_HOME and $XDG_BIN_HOME.
# Safe to run again. packaging/linux/uninstall.sh undoes it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

bundle="$REPO/dist/townsfolk"
[ -x "$HERE/townsfolk/townsfolk" ] && bundle="$HERE/townsfolk"
register=1
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=${2:?--bundle needs a folder}; shift 2 ;;
    --bundle=*) bundle=${1#--bundle=}; shift ;;
    --no-register) register=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ ! -x "$bundle/townsfolk" ]; then
  echo "install.sh: $bundle/townsfolk not found; build the bundle first (packaging/build.sh)" >&2
  exit 1
fi
bundle=$(cd "$bundle" && pwd)

DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=${XDG_BIN_HOME:-$HOME/.local/bin}
APP_DIR="$DATA/townsfolk"
ICON_SIZES=(16 32 48 64 128 256)

# 1. The bundle. Copy next to the old one, then swap, so an interrupted copy never leaves a
#    half-installed app behind.
if [ "$bundle" = "$APP_DIR" ]; then
  echo "install.sh: the bundle is already at $APP_DIR" >&2
else
  mkdir -p "$DATA"
  staging=$(mktemp -d "$DATA/.townsfolk-install.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  cp -a "$bundle/." "$staging/"
  rm -rf "$APP_DIR.old"
  if [ -e "$APP_DIR" ]; then mv "$APP_DIR" "$APP_DIR.old"; fi
  mv "$staging" "$APP_DIR"
  rm -rf "$APP_DIR.old"
  trap - EXIT
fi

# 2. The launcher: a script, not a symlink, so the bundle can move without breaking ~/.local/bin.
mkdir -p "$BIN"
cat > "$BIN/townsfolk" <<EOF
#!/bin/sh
# Townsfolk launcher, written by packaging/linux/install.sh; the app lives in $APP_DIR
exec "$APP_DIR/townsfolk" "\$@"
EOF
chmod 755 "$BIN/townsfolk"

# 3. The menu entry. Exec gets the launcher's full path: ~/.local/bin is often not on the PATH of
#    a graphical session. (Paths with characters the desktop-entry spec reserves fall back to PATH.)
exec_path="$BIN/townsfolk"
case "$exec_path" in *[!A-Za-z0-9/._+-]*) exec_path=townsfolk ;; esac
mkdir -p "$DATA/applications"
sed "s|^Exec=townsfolk |Exec=$exec_path |" "$HERE/townsfolk.desktop" > "$DATA/applications/townsfolk.desktop"
chmod 644 "$DATA/applications/townsfolk.desktop"

# 4. Icons, from the bundle itself (assets/art ships inside it), else from this checkout.
art="$APP_DIR/_internal/assets/art"
[ -f "$art/icon_256.png" ] || art="$REPO/assets/art"
for size in "${ICON_SIZES[@]}"; do
  for kind in apps mimetypes; do
    mkdir -p "$DATA/icons/hicolor/${size}x${size}/$kind"
  done
  install -m 644 "$art/icon_$size.png" "$DATA/icons/hicolor/${size}x${size}/apps/townsfolk.png"
  install -m 644 "$art/icon_$size.png" \
    "$DATA/icons/hicolor/${size}x${size}/mimetypes/application-x-townsfolk-world.png"
done

# 5. The MIME type.
mkdir -p "$DATA/mime/packages"
install -m 644 "$HERE/townsfolk.xml" "$DATA/mime/packages/townsfolk.xml"

# 6. Tell the desktop: rebuild the MIME and desktop caches and make Townsfolk the default for .town.
if [ "$register" = 1 ]; then
  if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$DATA/mime"; fi
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$DATA/applications"; fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$DATA/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" || true
  fi
  if command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default townsfolk.desktop application/x-townsfolk-world || true
  fi
fi

echo "Installed Townsfolk in $APP_DIR; run it from the menu or with $BIN/townsfolk"
case ":$PATH:" in *":$BIN:"*) ;; *) echo "(add $BIN to your PATH to run plain 'townsfolk')" ;; esac
