# Saferef: `make run` starts a local relay with the demo scheme; `make test`
# runs every check CI runs. Both install what a fresh Debian machine lacks.

GO        ?= go
# Go 1.26.8 (what Debian machines here have) carries standard-library
# vulnerabilities fixed in later releases; the module proxy serves go1.27.3,
# which the go command fetches once (about 3 s). A toolchain line in go.mod is
# ignored where GOTOOLCHAIN=local, so the Makefile sets it itself.
export GOTOOLCHAIN ?= go1.27.3
BIN       := bin
DEMO      := .saferef-demo
LISTEN    ?= 127.0.0.1:8443
RELAY_URL := ws://$(LISTEN)
GOFILES    = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')

# Go tools at pinned versions, each installed once into its own folder.
TOOLS             := $(CURDIR)/bin/tools
STATICCHECK_VER   := v0.8.2
GOVULNCHECK_VER   := v1.9.0
# The vulnerability database: govulncheck's default cannot be reached here,
# but the module proxy serves golang.org/x/vulndb, which holds the same OSV
# data; its indexdb command turns it into a database govulncheck reads.
VULNDB_VER        := v0.0.0-20261105234957-e22db6528018
STATICCHECK       := $(TOOLS)/staticcheck@$(STATICCHECK_VER)/staticcheck
GOVULNCHECK       := $(TOOLS)/govulncheck@$(GOVULNCHECK_VER)/govulncheck
VULNDB            := $(TOOLS)/vulndb@$(VULNDB_VER)

# System packages: a C compiler for `go test -race`, and the X11/GL headers
# the Fyne desktop app needs.
APT_PACKAGES := gcc libc6-dev libgl1-mesa-dev libxcursor-dev libxrandr-dev \
                libxinerama-dev libxi-dev libxxf86vm-dev pkg-config

.PHONY: all run test build sysdeps vet lint staticcheck vulncheck fmt-check fuzz bench clean demo-reset screenshots

all: build

## sysdeps: install missing Debian packages (apt-get when root; otherwise print the command)
sysdeps:
	@command -v $(GO) >/dev/null || { echo "saferef: error: go not found"; echo "saferef: hint: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "saferef: error: missing system packages:$$missing"; \
	    echo "saferef: hint: run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: sysdeps
	$(GO) build -o $(BIN)/ ./cmd/...

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(dir $@) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)

$(GOVULNCHECK):
	GOBIN=$(dir $@) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VER)

$(VULNDB)/index/db.json:
	@echo "building the offline vulnerability database from golang.org/x/vulndb@$(VULNDB_VER) (once, about a minute)"
	@dir=$$(GOFLAGS=-mod=mod $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VER) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  test -n "$$dir" || { echo "saferef: error: could not download golang.org/x/vulndb"; echo "saferef: hint: check that the Go module proxy is reachable (GOPROXY)"; exit 1; }; \
	  rm -rf $(VULNDB).tmp && cd "$$dir" && GOFLAGS=-mod=mod $(GO) run ./cmd/indexdb -vulns data/osv -out $(VULNDB).tmp
	@mv $(VULNDB).tmp $(VULNDB)

## staticcheck: the staticcheck linter at a pinned version
staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

## vulncheck: govulncheck against the vulnerability database, offline
vulncheck: $(GOVULNCHECK) $(VULNDB)/index/db.json
	$(GOVULNCHECK) -db file://$(VULNDB) ./...

## lint: staticcheck and govulncheck
lint: staticcheck vulncheck

## test: gofmt, go vet, staticcheck, govulncheck and every test with the race detector (PostgreSQL on 127.0.0.1:5432 is used for real)
test: sysdeps fmt-check vet lint
	$(GO) test -race -count=1 -timeout 30m ./...

## fuzz: run every fuzz target briefly (FUZZTIME=30s to go longer)
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## bench: every benchmark, with memory figures
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## run: start a relay on 127.0.0.1 with the demo Kent and Medway scheme
## (and, when $$DISPLAY is set, the desktop app as the demo refuge caseworker)
run: build
	@./scripts/run-demo.sh "$(BIN)" "$(DEMO)" "$(LISTEN)"

## screenshots: drive the real desktop app under Xvfb and write docs/screenshots/*.png
screenshots: build
	@./scripts/screenshots.sh "$(BIN)"

## demo-reset: forget the demo scheme and the relay's data
demo-reset:
	rm -rf $(DEMO)

clean:
	rm -rf $(BIN)
