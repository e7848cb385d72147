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
CGO_ENABLED=1 go test -tags e2e -count=1 -v ./e2e/ 2>&1 | tee /tmp/confidant-e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+journey_test)' || true
status=${PIPESTATUS[0]}
echo "make e2e took $(( $(date +%s) - start )) s"
exit "$status"
