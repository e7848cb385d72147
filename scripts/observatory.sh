#!/usr/bin/env bash
# Scans a local TLS instance with Mozilla's HTTP Observatory and fails unless it
# grades A+. The office listens on 127.0.0.1:443 (and :80 for the redirect) with
# a certificate from a throwaway local CA that the scanner is told to trust.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in openssl curl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || { echo "$tool is not installed" >&2; exit 1; }
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
	fi
done
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
tools=scripts/.observatory
if [ ! -f "$tools/node_modules/@mdn/mdn-http-observatory/src/scan.js" ]; then
	mkdir -p "$tools"
	(cd "$tools" && npm install --no-audit --no-fund --ignore-scripts --no-package-lock @mdn/mdn-http-observatory >/dev/null 2>&1)
fi
conf="$tools/node_modules/@mdn/mdn-http-observatory/conf"
echo '{}' > "$conf/hsts-preload.json"
echo '["com","org","net","localhost"]' > "$conf/tld-list.json"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 1 -subj "/CN=Confidant test CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/req.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > "$work/ext.cnf"
openssl x509 -req -in "$work/req.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -out "$work/cert.pem" -days 1 -extfile "$work/ext.cnf" 2>/dev/null

CGO_ENABLED=1 go build -o "$work/confidant" ./cmd/confidant
"$work/confidant" serve --data "$work/data" --addr 127.0.0.1:443 --http-redirect-addr 127.0.0.1:80 --turn-addr 127.0.0.1:0 \
	--tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --base-url https://localhost >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do
	curl -skf https://localhost/healthz >/dev/null 2>&1 && break
	sleep 0.2
done
NODE_EXTRA_CA_CERTS="$work/ca.pem" node "$tools/node_modules/@mdn/mdn-http-observatory/src/scan.js" localhost > "$work/scan.json"
grade=$(node -e 'const r=require(process.argv[1]); console.log(r.scan.grade + " (score " + r.scan.score + ")"); for (const [k,v] of Object.entries(r.tests)) if (!v.pass) console.log("failed: " + k + ": " + v.result)' "$work/scan.json")
echo "HTTP Observatory: $grade"
case "$grade" in "A+ "*) ;; *) exit 1 ;; esac
