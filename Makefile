# The index of what a developer can do. `make run` and `make test` are all a
# fresh machine with Go and gcc needs.
GO ?= go
export CGO_ENABLED := 1

.PHONY: run test test-postgres generate lint bench bench-postgres floods build e2e seed observatory mutants tlscheck fuzz crashtest securitycheck

# ADDR is where `make run` listens: make run ADDR=127.0.0.1:9090
ADDR ?= 127.0.0.1:8080

## run: start the office on $(ADDR) (default 127.0.0.1:8080) with its data in ./data
run:
	$(GO) run ./cmd/confidant serve --addr $(ADDR) --data ./data

## test: run every test against real SQLite files in temporary folders
test:
	$(GO) test -count=1 ./...

## test-postgres: the store, web and live tests (and the other packages that open a store) again on PostgreSQL: a throwaway cluster in a temporary folder (installs PostgreSQL with apt-get when missing)
test-postgres:
	bash scripts/test-postgres.sh

## generate: regenerate the templ components (commit the result)
generate:
	$(GO) tool templ generate

## lint: gofmt, go vet, staticcheck, and that every mutant still applies
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	$(GO) run ./scripts/mutants -check

## bench: this machine's ceilings (SQLite, net/http, argon2id) and Confidant's figures, in process and over HTTP, as ratios (about 6 minutes on a quiet machine, 5m6s with -floods in docs/performance.md; more than 20 on a busy one); BENCHFLAGS=-quick checks the driver in a minute
BENCHFLAGS ?=
bench:
	nice $(GO) run ./scripts/bench $(BENCHFLAGS)

## bench-postgres: replies per second with 1, 2 and 3 nodes on one throwaway PostgreSQL against its own insert ceiling (pgbench), and live delivery across nodes (about 3 minutes; installs PostgreSQL with apt-get when missing); BENCHFLAGS=-quick checks the driver in a minute
bench-postgres:
	nice bash scripts/bench-postgres.sh $(BENCHFLAGS)

## floods: the real binary under a login flood (10× the argon2 ceiling), 1,000 slowloris clients, 10,000 idle connections and 10,000 idle live sockets, against the ceilings
floods:
	nice $(GO) run ./scripts/bench -go=false -floods $(BENCHFLAGS)

## build: the one binary, in ./bin (`bin/confidant version` names its commit)
build:
	$(GO) build -buildvcs=true -o bin/confidant ./cmd/confidant

## seed: fill ./data with 100,000 synthetic threads, held as an office holds them: most closed or in progress with counsellors, some open (for trying the inbox at scale)
seed:
	$(GO) run ./cmd/confidant seed --data ./data --threads 100000 --seekers 1000

## e2e: the whole journey in a real browser (chromium, headless) with axe-core on every page
e2e:
	bash scripts/e2e.sh

## observatory: scan a local TLS instance with Mozilla's HTTP Observatory (must be A+)
observatory:
	bash scripts/observatory.sh

## mutants: put deliberate mistakes into the security rules one at a time; for each, build its packages' tests once and run the tests named to catch it
mutants:
	$(GO) run ./scripts/mutants

## tlscheck: certificates from Pebble (ACME), testssl.sh against that instance, and the systemd unit's exposure score
tlscheck:
	bash scripts/tlscheck.sh

## fuzz: every fuzz target for FUZZTIME (default 5s) each; parsers of outside input never panic and keep their promises
fuzz:
	bash scripts/fuzz.sh

## crashtest: kill the real binary under load KILLS times (default 100) and check nothing acknowledged is lost; then a full disk (root: mounts a tmpfs; FULLDISK=false leaves it out)
KILLS ?= 100
FULLDISK ?= true
crashtest:
	$(GO) run ./scripts/crashtest -kills $(KILLS) -full-disk=$(FULLDISK)

## securitycheck: staticcheck, gosec, sqlmap against every form as each kind of user, testssl.sh; reports in docs/ (about 6 minutes on a quiet machine)
securitycheck:
	bash scripts/securitycheck.sh
