#!/usr/bin/env bash
# Run the bundled executables as a desk would: an empty environment, no venv, no Python on the
# PATH but the system's. The command line renders a letter to .docx and PDF (system LibreOffice);
# the window draws itself offscreen into a screenshot.
set -euo pipefail
bundle="$(cd "${1:-dist/chambers}" && pwd)"
work="$(mktemp -d /tmp/chambers-bundle-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$work"
bare() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }

bare "$bundle/chambers" --version
bare "$bundle/chambers" templates list | grep -q '^officials-concern' || { echo "bundle-check: packs missing"; exit 1; }
bare "$bundle/chambers" sample officials-concern > letter.json
bare "$bundle/chambers" render --template officials-concern --data letter.json --out letter.docx --pdf letter.pdf
head -c 5 letter.pdf | grep -q '%PDF-' || { echo "bundle-check: no PDF"; exit 1; }
bare "$bundle/chambers" db init --db "$work/office.sqlite3"
bare "$bundle/chambers" db backup "$work/backup.sqlite3" --db "$work/office.sqlite3"
bare "$bundle/chambers-desk" --version
bare "$bundle/chambers-desk" --screenshot desk.png
head -c 8 desk.png | grep -q 'PNG' || { echo "bundle-check: no screenshot"; exit 1; }
test -f "$bundle/chambers.desktop"
echo "bundle-check: the bundled chambers and chambers-desk work with no Python environment"
