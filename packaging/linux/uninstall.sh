#!/usr/bin/env bash
# Remove what packaging/linux/install.sh installed for the current user. Worlds you saved
# elsewhere and your settings (~/.config/townsfolk) stay.
#
#   packaging/linux/uninstall.sh [--no-register]
#
# Honours $HOME, $XDG_DATA_HOME, $XDG_BIN_HOME and $XDG_CONFIG_HOME like install.sh. Safe to run again.
set -euo pipefail

register=1
for arg in "$@"; do
  case "$arg" in
    --no-register) register=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=${XDG_BIN_HOME:-$HOME/.local/bin}
APP_DIR="$DATA/townsfolk"

# Only remove the launcher if it is ours (a user may have their own 'townsfolk' there, e.g. pipx).
if [ -f "$BIN/townsfolk" ] && grep -q "packaging/linux/install.sh" "$BIN/townsfolk" 2>/dev/null; then
  rm -f "$BIN/townsfolk"
fi
rm -rf "$APP_DIR" "$APP_DIR.old"
rm -f "$DATA/applications/townsfolk.desktop" "$DATA/mime/packages/townsfolk.xml"
for icon in "$DATA"/icons/hicolor/*/apps/townsfolk.png \
            "$DATA"/icons/hicolor/*/mimetypes/application-x-townsfolk-world.png; do
  rm -f "$icon"
done

# The default-application entry xdg-mime wrote (harmless once the .desktop is gone, but tidy).
mimeapps="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
if [ -f "$mimeapps" ]; then
  sed -i '/^application\/x-townsfolk-world=/d' "$mimeapps"
fi

if [ "$register" = 1 ]; then
  if command -v update-mime-database >/dev/null 2>&1 && [ -d "$DATA/mime/packages" ]; then
    update-mime-database "$DATA/mime"
  fi
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$DATA/applications" ]; then
    update-desktop-database -q "$DATA/applications"
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$DATA/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" || true
  fi
fi
echo "Removed Townsfolk from $APP_DIR"
