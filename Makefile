# Cynllun. The two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
TAGS    := ferretdb_no_postgresql
PKGS    := ./...
SCHEMALINT := tools/schemalint/node_modules/.bin/graphql-schema-linter
AXE     := tools/axe/node_modules/axe-core/axe.min.js

.PHONY: run test generate lint lint-schema bench bench-scale attack build tidy fmt

## run: API + worker + embedded FerretDB + in-process Redis, with sample data
run:
	$(GO) run -tags $(TAGS) ./cmd/cynllun dev

## test: vet, then every test with the race detector against real stores
## (axe-core installed first, for docgen's accessibility test of the HTML
## rendition in headless Chromium)
test: $(AXE)
	$(GO) vet -tags $(TAGS) $(PKGS)
	$(GO) test -tags $(TAGS) -race -count=1 -timeout 30m $(PKGS)
	# Issue 19's must-show at full strength: serve, worker and seed started
	# together 20 times on a fresh and on an upgraded data directory (under
	# the race detector above, where each child is five times slower, the
	# same test runs 4 rounds).
	$(GO) test -tags $(TAGS) -count=1 -run '^TestOneOwnerPerDataDir$$' ./mongodb/

## generate: regenerate gqlgen code from schema.graphqls and gqlgen.yml
generate:
	$(GO) tool gqlgen generate

## lint: formatting and vet
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "run gofmt -w ." && exit 1)
	$(GO) vet -tags $(TAGS) $(PKGS)

## lint-schema: graphql-schema-linter on schema.graphqls with the rules in
## .graphql-schema-linterrc (the linter and graphql-js are pinned by
## tools/schemalint/package-lock.json and installed there with npm ci).
## On: every type, field, argument, input field and enum value described
## (graph/schema_docs_test.go checks the same in Go), descriptions
## capitalised, deprecations with a reason, types PascalCase, fields and
## input fields camelCase, enum values ALL_CAPS, no unused types, and the
## Relay connection, argument and PageInfo conventions. Off, deliberately:
## the four *-sorted-alphabetically rules. Fields follow the statutory form
## (1A, 1B, 1C, 2A, 2B.1 to 2B.7 …) and enum values a life or an order of
## seriousness (PENDING, RUNNING, SUCCEEDED, FAILED; ERROR, WARNING, INFO),
## and that order is documentation a front-end relies on.
lint-schema: $(SCHEMALINT)
	$(SCHEMALINT) --config-directory .

$(SCHEMALINT): tools/schemalint/package.json tools/schemalint/package-lock.json
	npm ci --prefix tools/schemalint --no-audit --no-fund
	@touch $@

# axe-core, pinned by tools/axe/package-lock.json, installed there with npm
# ci; docgen/html_axe_test.go injects axe.min.js into headless Chromium.
$(AXE): tools/axe/package.json tools/axe/package-lock.json
	npm ci --prefix tools/axe --no-audit --no-fund
	@touch $@

## bench: benchmarks (GraphQL vs direct store reads, …)
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -count 1 $(PKGS)

## bench-scale: hot paths at 10, 1,000 and 10,000 learners on the embedded
## database (p50/p95 and the ratio 10,000 ÷ 10; takes a while: it builds
## 10,000 synthetic learners first)
bench-scale:
	$(GO) run -tags $(TAGS) ./cmd/scalebench -sizes 10,1000,10000

## attack: start the API as `make run` does, in production settings, and
## send it each attack of issue 14; prints time, status, extensions.code
## and PASS/FAIL for each, and fails when any attack is not defended
attack:
	$(GO) run -tags $(TAGS) ./cmd/attack

## build: the single binary, in bin/
build:
	$(GO) build -tags $(TAGS) -trimpath -o bin/cynllun ./cmd/cynllun

fmt:
	gofmt -w .
