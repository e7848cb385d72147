#!/usr/bin/env bash
# The browser suite: installs Debian's chromium and axe-core when missing, then
# drives the real office through the whole journey. Screenshots go to
# e2e-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		echo "chromium is not installed: apt-get install chromium" >&2
		exit 1
	fi
fi
if [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
	(cd e2e && npm install --no-audit --no-fund --ignore-scripts --no-package-lock >/dev/null)
fi
start=$(date +%s)
# The full log stays in this checkout (beside, not in, the screenshots'
# folder, which the suite empties when it starts), so suites run from several
# checkouts at once do not write over each other's log.
log=$PWD/e2e.log
# The suite's own exit status decides, not the filter's: with pipefail an
# "|| true" after the pipeline would replace it.
set +e
CGO_ENABLED=1 go test -tags e2e -count=1 -v ./e2e/ > "$log" 2>&1
status=$?
set -e
grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+[a-z_]+_test\.go)' "$log" || true
echo "full log: $log"
echo "make e2e took $(( $(date +%s) - start )) s"
exit "$status"
