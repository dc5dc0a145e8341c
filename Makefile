# ptdv — the two commands of the quick start are `make demo` and `make test`.
GO      ?= go
BIN     := bin/ptdv
# Debian puts the server binaries (initdb, postgres, pg_ctl) outside PATH.
# duckdb_arrow: the analytics snapshot copies PostgreSQL rows into DuckDB as Arrow record batches
# (analytics/load_arrow.go); without the tag it falls back to the slower row-by-row Appender.
export GOFLAGS += -tags=duckdb_arrow
PG_BIN  := $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))

.PHONY: all build demo test check fmt vet generate generate-check bench bench-api postgres chromium clean fuzz twokey duplicates

all: build

build:
	$(GO) build -o $(BIN) ./cmd/ptdv

# The embedded default and the tests need the PostgreSQL server binaries. Install Debian's package
# when they are missing and we may (root with apt-get); otherwise say what to do.
postgres:
	@if command -v initdb >/dev/null 2>&1 || [ -n "$(PG_BIN)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Cài PostgreSQL (apt-get install postgresql)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null || exit 1; \
	else \
		echo "Thiếu PostgreSQL server (initdb, postgres). Cài bằng: sudo apt-get install postgresql" >&2; \
		echo "hoặc đặt DATABASE_URL (make demo) / PTDV_TEST_DATABASE_URL (make test) tới một máy chủ có sẵn." >&2; \
		exit 1; \
	fi

# The report's test opens the HTML in headless Chromium and the report prints PDFs with it. Optional:
# installed when missing and we may (root with apt-get); without it that test skips and says why.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Cài Chromium (apt-get install chromium) cho kiểm thử và bản PDF của báo cáo…"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null) || \
		echo "Không cài được Chromium: bỏ qua kiểm thử hiển thị báo cáo, báo cáo không có bản PDF." >&2; \
	else \
		echo "Chưa có Chromium: kiểm thử hiển thị báo cáo sẽ bỏ qua (cài bằng: sudo apt-get install chromium)." >&2; \
	fi

# Build, start the embedded PostgreSQL under ./.ptdv, migrate, load the demo data, run the nightly
# snapshot once, and serve the API with GraphiQL (Ctrl+C stops everything).
demo: postgres build
	./$(BIN) demo

# Every test talks to a real PostgreSQL (a private cluster per test binary, or
# PTDV_TEST_DATABASE_URL) and, in analytics/, a real DuckDB.
test: postgres chromium
	$(GO) test -count=1 ./...

bench: postgres
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 20x ./...

# The API's screens on the national fixture (not in CI): 1 and 32 concurrent clients with vegeta, p50/p95/p99,
# throughput and SQL statements per request. NATIONAL is a PTDV_DATA seeded with `ptdv seed --scale national`
# (seeded first when empty); it is only read. BENCH_API_FLAGS: e.g. -duration 20s -clients 1,8,32.
NATIONAL ?= .ptdv-national
bench-api: build
	$(GO) run ./cmd/bench-api -bin ./$(BIN) -data $(NATIONAL) $(BENCH_API_FLAGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

generate:
	$(GO) tool gqlgen generate

# Fails when gofmt would change a file or the committed gqlgen output is stale.
check: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out" >&2; exit 1; fi
	@tmp=$$(mktemp -d); cp -r graph $$tmp/graph.before; \
	$(GO) tool gqlgen generate; \
	if ! diff -r $$tmp/graph.before graph >/dev/null; then \
		diff -r $$tmp/graph.before graph | head -40 >&2; \
		echo "generated GraphQL code is stale: run 'make generate' and commit" >&2; rm -rf $$tmp; exit 1; fi; \
	rm -rf $$tmp
	$(MAKE) twokey
	$(MAKE) fuzz FUZZTIME=$(CHECK_FUZZTIME)

# Fuzz targets, each for FUZZTIME (go test runs one fuzz target per invocation): a panic, an error
# without its code, or a partial write fails. One line per target. The seed corpora run with every
# `make test`; `make check` (CI) fuzzes each target for CHECK_FUZZTIME. -parallel 1: the server fuzzers
# start a PostgreSQL cluster (and migrate a template) in each worker process.
FUZZTIME ?= 60s
CHECK_FUZZTIME ?= 15s
fuzz: postgres
	$(GO) test -run '^$$' -fuzz '^FuzzReadXLSX$$' -fuzztime $(FUZZTIME) ./internal/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzReadCSV$$' -fuzztime $(FUZZTIME) ./internal/sheet
	$(GO) test -run '^$$' -fuzz '^FuzzDate$$' -fuzztime $(FUZZTIME) -parallel 1 ./graph/model/
	$(GO) test -run '^$$' -fuzz '^FuzzGlobalID$$' -fuzztime $(FUZZTIME) -parallel 1 ./graph/
	$(GO) test -run '^$$' -fuzz '^FuzzCursor$$' -fuzztime $(FUZZTIME) -parallel 1 ./internal/page/
	$(GO) test -run '^$$' -fuzz '^FuzzGraphQLBody$$' -fuzztime $(FUZZTIME) -parallel 1 ./internal/server/
	$(GO) test -run '^$$' -fuzz '^FuzzMultipartRequest$$' -fuzztime $(FUZZTIME) -parallel 1 ./internal/server/


# The two-key test (issue 12 §3): the scope tests of the domain packages with the application's filter
# switched off (row-level security alone), then with row-level security switched off (the application's
# filter alone). Reads of the tree, terms and targets are the application's alone by design; those
# checks skip themselves when its filter is off (auth.AppFilterOff). Part of `make check`.
TWOKEY_PKGS := ./internal/auth ./internal/people ./internal/pipeline ./internal/target ./internal/org ./internal/bulk
twokey: postgres
	PTDV_TEST_NO_APP_FILTER=1 $(GO) test -count=1 -run 'Scope|RowSecurity' $(TWOKEY_PKGS)
	PTDV_TEST_NO_RLS=1 $(GO) test -count=1 -run 'Scope|RowSecurity' $(TWOKEY_PKGS)

clean:
	rm -rf bin

# Repetition in the code we write (issue 16: at most 50 pairs), with the `duplicates` tool of the
# development machines. It has no ignore file, so it reads a copy of the tracked files without what must
# repeat or is not ours: gqlgen's output, GraphiQL's minified assets, and the applied migrations (history
# is append-only: an applied migration is never edited). The tool passes over import lines, but only the
# one-line `import "x"`: the lines inside a Go `import ( … )` block would pair every two files that import
# the same packages. So in the copy (never in the sources) those lines are blanked, keeping the line numbers.
# So are gqlgen's accessors in graph/*.resolvers.go, which it writes for every GraphQL type with resolvers:
# `func (r *Resolver) X() XResolver { return &xResolver{r} }` (one line, or three) and `xResolver struct{ *Resolver }`.
DUP_BLANK = /^import \($$/ { print; inblock = 1; next } \
	inblock && /^\)$$/ { inblock = 0 } \
	FILENAME ~ /\.resolvers\.go$$/ && /^func \(r \*Resolver\) [A-Za-z]+\(\) [A-Za-z]+Resolver \{/ { accessor = !/\}$$/; print ""; next } \
	accessor { if (/^\}$$/) accessor = 0; print ""; next } \
	FILENAME ~ /\.resolvers\.go$$/ && /^(type )?[ \t]*[a-z][A-Za-z]*Resolver[ \t]+struct\{ \*Resolver \}$$/ { print ""; next } \
	{ print inblock ? "" : $$0 }
duplicates:
	@rm -rf .dupview && mkdir .dupview && git ls-files | grep -v -e '^graph/generated.go$$' -e '^graph/model/models_gen.go$$' \
		-e '^internal/graphiql/assets/' -e '^internal/db/migrations/' | xargs -I{} cp --parents {} .dupview/ && \
		cd .dupview && find . -name '*.go' | while IFS= read -r f; do awk '$(DUP_BLANK)' "$$f" > "$$f.tmp" && mv "$$f.tmp" "$$f"; done && \
		git init -q && duplicates --most 200 --seconds 300; cd .. && rm -rf .dupview
