#!/usr/bin/env bash
# The scanners, with their reports in docs/: staticcheck and gosec over the
# code (every gosec finding must be explained in scripts/gosec-explained.txt),
# sqlmap against every POST route of the router as the kind of user who may
# post there (scripts/securitycheck), and testssl.sh against a TLS instance
# with an ACME certificate (make tlscheck). Installs sqlmap and testssl.sh
# from the distribution's packages when they are missing (with sudo when not
# root). Fails on any finding that is neither fixed nor explained, and on any
# form sqlmap could not really test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v sqlmap >/dev/null 2>&1 || need+=(sqlmap)
command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ "${#need[@]}" -gt 0 ]; then
	sudo=()
	[ "$(id -u)" = 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p docs
export CGO_ENABLED=1 GOFLAGS=
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC')"

# Each scanner runs even when an earlier one failed; the run fails at the
# end if any did.
failed=()

echo "== staticcheck"
if go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...; then
	echo "staticcheck: no findings"
else
	failed+=(staticcheck)
fi

echo "== gosec"
# gosec exits 1 when it finds anything; what counts is whether each finding
# is explained, checked below. A report without its summary means gosec
# itself failed.
go run github.com/securego/gosec/v2/cmd/gosec@v2.30.0 -quiet -fmt text -exclude-generated -out docs/gosec.txt ./... || true
grep -q '^Summary' docs/gosec.txt || { echo "gosec wrote no summary:" >&2; tail -20 docs/gosec.txt >&2; exit 1; }
sed -i 's#'"$PWD"'/##g' docs/gosec.txt
grep -E '^Summary|^  (Files|Lines|Nosec|Issues)' docs/gosec.txt
# Files gosec could not type-check are named in its report; each must be
# explained too (as "ERROR FILE reason"), so that a package gosec silently
# skipped is not taken for a clean one.
found=$( (grep -oE '^\[[^]]+:[0-9-]+\] - G[0-9]+' docs/gosec.txt | sed -E 's/^\[([^]]+):[0-9-]+\] - (G[0-9]+)$/\2 \1/'
	sed -n '/^Golang errors/,/^\[/p' docs/gosec.txt | grep -oE '^[A-Za-z0-9_./-]+\.go:[0-9]+' | sed -E 's/^(.*):[0-9]+$/ERROR \1/') | sort -u)
explained=$(grep -vE '^(#|$)' scripts/gosec-explained.txt | awk '{print $1, $2}' | sort -u)
unexplained=$(comm -23 <(echo "$found") <(echo "$explained"))
gone=$(comm -13 <(echo "$found") <(echo "$explained"))
[ -z "$gone" ] || { echo "explained in scripts/gosec-explained.txt but no longer found (remove these lines):"; echo "$gone"; }
if [ -n "$unexplained" ]; then
	echo "gosec findings that are neither fixed nor explained in scripts/gosec-explained.txt:" >&2
	echo "$unexplained" >&2
	failed+=(gosec)
else
	echo "gosec: $(echo "$found" | wc -l) rule and file pairs, each explained in scripts/gosec-explained.txt"
fi

echo "== sqlmap"
go run ./scripts/securitycheck -report docs/sqlmap.txt || failed+=(sqlmap)

echo "== testssl.sh"
bash scripts/tlscheck.sh || failed+=(testssl.sh)

if [ "${#failed[@]}" -gt 0 ]; then
	echo "securitycheck: FAIL: ${failed[*]}" >&2
	exit 1
fi
echo "securitycheck: ok"
