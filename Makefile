# Parley build. Run `make help` for the targets.

.DEFAULT_GOAL := help

.PHONY: help
help:
	@echo "make demo          build everything and run the demo at http://127.0.0.1:8080"
	@echo "make test          run every test: vet, staticcheck, unit, database, browser"
	@echo "make build         build bin/parley"
	@echo "make assets        build front-end assets (CSS for both brands, fonts, images, JS, axe-core)"
	@echo "make assets-clean  remove built assets and web/assets/node_modules"
	@echo "make fuzz          run every fuzz test briefly (FUZZTIME=20s each)"

# ---------------------------------------------------------------------------
# Building, running and testing
# ---------------------------------------------------------------------------

GO          ?= go
STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME    ?= 20s

.PHONY: build demo test lint fuzz
build: assets
	$(GO) build -o bin/parley ./cmd/parley

# The demo serves its own listening feeds on 127.0.0.1, so its fetcher
# must be allowed to reach loopback.
demo: build
	./bin/parley serve --demo --feeds-allow-private

# PostgreSQL tests run when PARLEY_TEST_DATABASE_URL is set (required in CI);
# browser tests need /usr/bin/chromium (required in CI).
test: assets lint
	$(GO) test -count=1 -timeout 20m ./...

lint: $(STATICCHECK)
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Every Fuzz function in the module, each for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# ---------------------------------------------------------------------------
# Front-end assets
#
# Sources: web/assets/package.json + package-lock.json (npm) and web/assets/scss.
# Outputs (gitignored, embedded by internal/web via //go:embed static):
#   internal/web/static/dist/{govuk,neutral}.css   the two brands
#   internal/web/static/dist/assets/               GOV.UK Frontend fonts, images, manifest
#   internal/web/static/dist/govuk-frontend.min.js GOV.UK Frontend JS (ES module)
#   e2e/axe/axe.min.js                             axe-core for browser tests; never served
# Every output is a file target, so a second `make assets` does nothing.
# ---------------------------------------------------------------------------

ASSETS_SRC   := web/assets
NODE_MODULES := $(ASSETS_SRC)/node_modules
# Touched after each `npm ci`, so npm runs again only when the lockfile changes.
NPM_STAMP    := $(NODE_MODULES)/.parley-npm-ci
GOVUK_DIST   := $(NODE_MODULES)/govuk-frontend/dist/govuk
STATIC_DIST  := internal/web/static/dist
AXE_OUT      := e2e/axe/axe.min.js
SCSS_SHARED  := $(wildcard $(ASSETS_SRC)/scss/_*.scss)
SASS_FLAGS   := --style=compressed --no-source-map --load-path=node_modules \
                --quiet-deps --silence-deprecation=import

ASSETS := $(STATIC_DIST)/govuk.css $(STATIC_DIST)/neutral.css \
          $(STATIC_DIST)/assets/manifest.json $(STATIC_DIST)/govuk-frontend.min.js \
          $(STATIC_DIST)/govuk-logotype.svg $(AXE_OUT)

.PHONY: assets assets-clean
assets: $(ASSETS)

$(NPM_STAMP): $(ASSETS_SRC)/package-lock.json $(ASSETS_SRC)/package.json
	cd $(ASSETS_SRC) && npm ci --no-audit --no-fund
	touch $@

$(STATIC_DIST)/%.css: $(ASSETS_SRC)/scss/%.scss $(SCSS_SHARED) $(NPM_STAMP)
	@mkdir -p $(@D)
	cd $(ASSETS_SRC) && node_modules/.bin/sass $(SASS_FLAGS) scss/$*.scss $(CURDIR)/$@

# The whole assets folder (fonts, images, rebrand/, manifest.json) is copied;
# manifest.json stands for it as the target.
$(STATIC_DIST)/assets/manifest.json: $(NPM_STAMP)
	rm -rf $(STATIC_DIST)/assets
	@mkdir -p $(STATIC_DIST)/assets
	cp -R $(GOVUK_DIST)/assets/. $(STATIC_DIST)/assets/
	touch $@

$(STATIC_DIST)/govuk-frontend.min.js: $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(GOVUK_DIST)/govuk-frontend.min.js $@

# The GOV.UK logotype ships only inside GOV.UK Frontend's header markup; the
# build lifts it out into a file (white, for the blue header). Only the govuk
# brand shows it.
$(STATIC_DIST)/govuk-logotype.svg: $(ASSETS_SRC)/logotype.js $(NPM_STAMP)
	@mkdir -p $(@D)
	cd $(ASSETS_SRC) && node logotype.js $(CURDIR)/$@

$(AXE_OUT): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(NODE_MODULES)/axe-core/axe.min.js $@

assets-clean:
	rm -rf $(STATIC_DIST) $(dir $(AXE_OUT)) $(NODE_MODULES)
