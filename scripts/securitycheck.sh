#!/usr/bin/env bash
# The scanners, with their reports in docs/: staticcheck and gosec over the
# code, sqlmap against every form as each kind of user (scripts/securitycheck),
# and testssl.sh against a TLS instance with an ACME certificate (make
# tlscheck). Installs sqlmap and testssl.sh from the distribution's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v sqlmap >/dev/null 2>&1 || need+=(sqlmap)
command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)
if [ "${#need[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p docs
export CGO_ENABLED=1 GOFLAGS=

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "staticcheck: no findings"

echo "== gosec"
# gosec's findings are explained one by one in docs/security.md; the report
# lists them all, so that a new one shows up in review.
go run github.com/securego/gosec/v2/cmd/gosec@v2.30.0 -quiet -fmt text -exclude-generated -out docs/gosec.txt ./... || true
sed -i 's#'"$PWD"'/##g' docs/gosec.txt
grep -E '^Summary|^  (Files|Lines|Nosec|Issues)' docs/gosec.txt || tail -8 docs/gosec.txt

echo "== sqlmap"
go run ./scripts/securitycheck -report docs/sqlmap.txt

echo "== testssl.sh"
bash scripts/tlscheck.sh
