#!/usr/bin/env bash
# The office on the open internet, checked from outside: it obtains its
# certificate from Pebble (Let's Encrypt's ACME test server), and testssl.sh
# (Debian's package) scans the instance serving it; the systemd unit must rate
# below 2.0 ("OK") in `systemd-analyze security`. Installs what it needs.
# The testssl.sh report is kept in docs/testssl.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ "${#need[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

score=$(systemd-analyze security --offline=true deploy/confidant.service 2>/dev/null | sed -n 's/.*Overall exposure level for confidant.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security deploy/confidant.service: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s < 2.0) }' || { echo "the unit's exposure is $score, want below 2.0" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
CONFIDANT_TESTSSL=$(command -v testssl) CONFIDANT_TESTSSL_OUT="$out" CGO_ENABLED=1 \
	go test -count=1 -run '^TestObtainsCertificateFromACMEDirectory$' -v ./cmd/confidant | grep -E '^(---|ok|FAIL|PASS|\s+\S+_test\.go)'
mkdir -p docs
{
	echo "# testssl.sh $(testssl --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -o 'testssl *[0-9][0-9.]*' | awk '{print $2}' | head -1) against an office with a certificate from Pebble, $(date -u +%Y-%m-%d)"
	echo
	sed 's/\x1b\[[0-9;]*m//g' "$out"
} > docs/testssl.txt
grep -E 'Obsolete CBC|NULL ciphers|Export ciphers|ALPN/HTTP2|LUCKY13|SWEET32|BEAST|POODLE|ROBOT' docs/testssl.txt || true
