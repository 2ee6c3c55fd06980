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
# the Fyne desktop app needs; mingw-w64 to cross-compile the desktop app for
# Windows; systemd-analyze and nginx, which deploy/'s tests run the unit
# file and the proxy snippet with; xz for the release archive.
APT_PACKAGES := gcc libc6-dev libgl1-mesa-dev libxcursor-dev libxrandr-dev \
                libxinerama-dev libxi-dev libxxf86vm-dev pkg-config \
                gcc-mingw-w64-x86-64 systemd nginx-light xz-utils openssh-client

# Release tools in bin/tools: the Fyne packager (pinned), and promtool,
# taken out of Debian's prometheus package without installing it
# (installing would start a Prometheus server on machines with systemd);
# deploy/'s tests look for it there.
FYNE_VERSION := v1.7.4
FYNE         := $(TOOLS)/fyne@$(FYNE_VERSION)/fyne
PROMTOOL     := $(TOOLS)/promtool
DIST         := dist
WINDOWS_CC   := x86_64-w64-mingw32-gcc
VERSION      ?= 0.1.0

# Witness software (not ours): litewitness and witnessctl from
# filippo.io/torchwood, pinned (v0.10.0 needs a newer Go). Tests, `make run`
# and the e2e suite run the real litewitness, with its own ssh-agent
# (Debian's openssh-client, above).
TORCHWOOD := filippo.io/torchwood
TORCHWOOD_VERSION := v0.6.1
GOBIN_DIR = $(shell $(GO) env GOBIN 2>/dev/null | grep . || echo $$($(GO) env GOPATH)/bin)

.PHONY: all run test build sysdeps tools vet lint staticcheck vulncheck fmt-check fuzz bench bench-go clean demo-reset screenshots release release-linux release-windows witness-tools

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
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "saferef: error: missing system packages:$$missing"; \
	    echo "saferef: hint: run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: sysdeps
	$(GO) build -o $(BIN)/ ./cmd/...

## witness-tools: install litewitness and witnessctl (filippo.io/torchwood $(TORCHWOOD_VERSION)) if missing
witness-tools:
	@for t in litewitness witnessctl; do \
	  if ! command -v $$t >/dev/null && [ ! -x "$(GOBIN_DIR)/$$t" ]; then \
	    echo "installing $$t $(TORCHWOOD_VERSION)"; \
	    $(GO) install $(TORCHWOOD)/cmd/$$t@$(TORCHWOOD_VERSION) || exit 1; \
	  fi; \
	done

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

## test: gofmt, go vet, staticcheck, govulncheck, the release builds (Linux
## package and Windows cross-compile, so a Windows break fails CI) and every
## test with the race detector (PostgreSQL on 127.0.0.1:5432 is used for real)
test: sysdeps tools fmt-check vet lint release
	$(GO) test -race -count=1 -timeout 30m ./...

## tools: the pinned fyne packager and promtool, in bin/tools, and the witness tools
tools: $(FYNE) $(PROMTOOL) witness-tools

$(FYNE):
	GOBIN=$(dir $@) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_VERSION)

$(PROMTOOL):
	@mkdir -p $(TOOLS)
	@if command -v promtool >/dev/null; then ln -sf "$$(command -v promtool)" $@; exit 0; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	( cd $$tmp && apt-get download -qq prometheus >/dev/null 2>&1 ) || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && ( cd $$tmp && apt-get download -qq prometheus >/dev/null ); } || \
	  { echo "saferef: error: cannot fetch Debian's prometheus package for promtool"; echo "saferef: hint: run: sudo apt-get update, or install promtool on the PATH"; exit 1; }; \
	dpkg-deb -x $$tmp/prometheus_*.deb $$tmp/x && cp $$tmp/x/usr/bin/promtool $@

## release: the desktop app for Linux (a fyne package archive with its
## .desktop file and icon) and Windows amd64 (saferef-desktop.exe), with the
## CLIs for both and the static relay for Linux, in dist/
release: release-linux release-windows

release-linux: sysdeps $(FYNE)
	@mkdir -p $(DIST)/linux-amd64
	@# fyne package rewrites FyneApp.toml (it bumps the build number): keep the tracked file as it is.
	cp cmd/saferef-desktop/FyneApp.toml $(DIST)/FyneApp.toml.orig
	cd cmd/saferef-desktop && { $(abspath $(FYNE)) package --target linux --release --name saferef-desktop --app-version $(VERSION) --app-build 1; \
	  status=$$?; cp $(abspath $(DIST))/FyneApp.toml.orig FyneApp.toml; rm -f $(abspath $(DIST))/FyneApp.toml.orig; exit $$status; }
	mv cmd/saferef-desktop/saferef-desktop.tar.xz $(DIST)/linux-amd64/saferef-desktop.tar.xz
	@tar -tJf $(DIST)/linux-amd64/saferef-desktop.tar.xz > $(DIST)/linux-amd64/contents.txt
	@for f in 'usr/local/bin/saferef-desktop' 'usr/local/share/applications/.*\.desktop' 'usr/local/share/pixmaps/.*\.png'; do \
	  grep -Eq "$$f$$" $(DIST)/linux-amd64/contents.txt || { echo "saferef: error: the Linux package lacks $$f"; cat $(DIST)/linux-amd64/contents.txt; exit 1; }; \
	done; rm $(DIST)/linux-amd64/contents.txt
	CGO_ENABLED=0 $(GO) build -trimpath -o $(DIST)/linux-amd64/ ./cmd/saferef ./cmd/saferef-admin ./cmd/saferef-server

release-windows: sysdeps
	@mkdir -p $(DIST)/windows-amd64
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WINDOWS_CC) $(GO) build -trimpath -ldflags "-H=windowsgui" -o $(DIST)/windows-amd64/saferef-desktop.exe ./cmd/saferef-desktop
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build -trimpath -o $(DIST)/windows-amd64/ ./cmd/saferef ./cmd/saferef-admin
	@for f in saferef-desktop.exe saferef.exe saferef-admin.exe; do \
	  [ "$$(head -c 2 $(DIST)/windows-amd64/$$f)" = MZ ] || { echo "saferef: error: $(DIST)/windows-amd64/$$f is not a Windows executable"; exit 1; }; \
	done

## fuzz: run every fuzz target briefly (FUZZTIME=30s to go longer)
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## bench: a short set of saferef-bench runs (real relay vs bare forwarder, same run; about 5 minutes; see docs/PERFORMANCE.md)
BENCH_DURATION ?= 5s
bench: build
	$(BIN)/saferef-bench throughput --store sqlite   --devices 1000 --fanout 1  --size 4096 --duration $(BENCH_DURATION)
	$(BIN)/saferef-bench throughput --store sqlite   --devices 1000 --fanout 10 --size 4096 --duration $(BENCH_DURATION)
	$(BIN)/saferef-bench throughput --store postgres --devices 1000 --fanout 1  --size 4096 --duration $(BENCH_DURATION)
	$(BIN)/saferef-bench latency    --store sqlite   --devices 1000 --fanout 1  --size 4096 --duration $(BENCH_DURATION) --forwarder-process
	$(BIN)/saferef-bench idle       --store sqlite   --devices 2000

## bench-go: every Go benchmark, with memory figures
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## run: start a relay on 127.0.0.1 with the demo Kent and Medway scheme
## (and, when $$DISPLAY is set, the desktop app as the demo refuge caseworker)
run: build witness-tools
	@PATH="$(GOBIN_DIR):$$PATH" ./scripts/run-demo.sh "$(BIN)" "$(DEMO)" "$(LISTEN)"

## screenshots: drive the real desktop app under Xvfb and write docs/screenshots/*.png
screenshots: build
	@./scripts/screenshots.sh "$(BIN)"

## demo-reset: forget the demo scheme and the relay's data
demo-reset:
	rm -rf $(DEMO)

clean:
	rm -rf $(BIN) $(DIST)
