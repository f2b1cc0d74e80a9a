#!/usr/bin/env bash
# System libraries Qt needs (and, with CHAMBERS_WITH_LIBREOFFICE=1, LibreOffice for PDF).
# As root they are installed with apt; otherwise the exact command is printed.
set -u
QT_PACKAGES="libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3"
# Qt's xcb platform plugin (a desktop session on X11): without libxcb-cursor0 Qt 6.5+ aborts.
QT_PACKAGES="$QT_PACKAGES libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0"
# Metric-compatible Times New Roman/Arial/Courier New (Liberation), so a PDF breaks its lines and
# pages where Word does; fontconfig's tools let preflight ask which font the PDF will use.
PACKAGES="$QT_PACKAGES fontconfig fonts-liberation2"
if [ "${CHAMBERS_WITH_LIBREOFFICE:-0}" = 1 ]; then
  PACKAGES="$PACKAGES libreoffice-writer-nogui python3-uno poppler-utils"
  # Signing with a smart card or HSM (PKCS#11), and the signing tests' SoftHSM2 token and pdfsig trust store.
  PACKAGES="$PACKAGES softhsm2 opensc libnss3-tools"
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian/Ubuntu system; make sure these (or their equivalents) are installed: $PACKAGES"
  exit 0
fi
missing=""
for p in $PACKAGES; do
  # libgl1 / libegl1 may be provided under t64 names on newer releases
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || dpkg-query -W -f='${Status}' "${p}t64" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "system-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || { echo "system-deps: apt-get failed; install by hand: apt-get install$missing"; exit 1; }
else
  echo "system-deps: missing system packages. Run:"
  echo "  sudo apt-get install -y$missing"
  echo "(the command-line and tests without the window work without them)"
fi
exit 0
