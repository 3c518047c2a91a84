#!/bin/sh
# bench-pdf.sh: docgen's time ÷ headless Chromium's time to render the same
# IDP content as a PDF, measured side by side in one run (target ≤ 0.25).
# It installs nothing; it says what to install. Flags go to cmd/pdfbench:
#
#	scripts/bench-pdf.sh [-n 20] [-lang EN|CY|BILINGUAL] [-via set|file] [-fallback-cli] [-keep dir]
set -eu

cd "$(dirname "$0")/.."

missing=""
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
	missing="chromium"
fi
if ! command -v pdfinfo >/dev/null 2>&1; then
	missing="$missing poppler-utils"
	echo "bench-pdf: pdfinfo not found; page counts will be skipped" >&2
fi
if [ -n "$missing" ]; then
	echo "bench-pdf: to install what is missing, as root:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$(printf ' %s' $missing)" >&2
fi
case " $missing " in
*" chromium "*)
	echo "bench-pdf: chromium not found: install Debian package chromium" >&2
	exit 1
	;;
esac

exec go run -tags ferretdb_no_postgresql ./cmd/pdfbench "$@"
