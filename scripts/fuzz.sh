#!/usr/bin/env bash
# Runs every fuzz target for a while (FUZZTIME, default 5s each). With --save,
# the inputs the fuzzer found interesting are added to the target's corpus in
# testdata/fuzz/, which `go test` then replays on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
save=0
[ "${1:-}" = "--save" ] && save=1
fuzztime=${FUZZTIME:-5s}
cache=$(go env GOCACHE)/fuzz
status=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "== $pkg $target ($fuzztime)"
		out=$(mktemp)
		if CGO_ENABLED=1 go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$out" 2>&1; then
			tail -3 "$out"
		else
			# The whole output: the failing input and the test's message.
			cat "$out"
			status=1
		fi
		rm -f "$out"
		# A failing input is written to testdata/fuzz by go test itself.
		if [ "$save" = 1 ] && [ -d "$cache/$pkg/$target" ]; then
			mkdir -p "$dir/testdata/fuzz/$target"
			cp -n "$cache/$pkg/$target"/* "$dir/testdata/fuzz/$target/" 2>/dev/null || true
		fi
	done
done
exit "$status"
