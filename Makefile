# Parley build. Run `make help` for the targets.

.DEFAULT_GOAL := help

.PHONY: help
help:
	@echo "make assets        build front-end assets (CSS for both brands, fonts, images, JS, axe-core)"
	@echo "make assets-clean  remove built assets and web/assets/node_modules"

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
          $(AXE_OUT)

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

$(AXE_OUT): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(NODE_MODULES)/axe-core/axe.min.js $@

assets-clean:
	rm -rf $(STATIC_DIST) $(dir $(AXE_OUT)) $(NODE_MODULES)
