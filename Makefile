# zicht's one task runner. On a fresh machine `make demo` and `make test` need nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell $(PYTHON) -c 'import hashlib,sys;print(hashlib.sha1(open("pyproject.toml","rb").read()).hexdigest()[:12])')
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := /tmp/.zicht-apt-updated

.PHONY: demo test lint bench bench-web install system-deps browser-deps js-deps docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Debian packages the tests need: chromium for the browser tests, a PostgreSQL server for
# the engine-comparison tests, Pango for WeasyPrint's PDF reports and poppler-utils
# (pdftoppm, pdftotext) to check them. Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	for lib in libpango-1.0-0 libpangoft2-1.0-0; do \
	  dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; \
	done; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# axe-core (accessibility checks injected into the browser tests), from the npm registry
# into the git-ignored node_modules/; installed only when missing.
AXE_VERSION := 4.14.1
AXE_JS := node_modules/axe-core/axe.min.js

$(AXE_JS):
	npm install --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)

js-deps: system-deps $(AXE_JS)

demo: install
	$(BIN)/zicht demo

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# deduce builds its lookup structures on first use after installing (~90 s) and caches them
# inside its package; build them once here, not in two test workers at the same time.
DEDUCE_WARM := $(VENV)/.deduce-warm
$(DEDUCE_WARM): $(STAMP)
	$(BIN)/python -c 'import deduce; deduce.Deduce()'
	touch $@

# The suite runs on every core (pytest-xdist); a test module stays on one worker, so its
# module fixtures (a synthetic gemeente, a served app) are built once. TEST_WORKERS=0 runs
# it in one process.
TEST_WORKERS ?= auto
test: install system-deps js-deps lint $(DEDUCE_WARM)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: install
	$(BIN)/zicht bench --persons 120000 --markdown docs/benchmarks.md

# Dashboard under load: 50 logged-in users on a served workspace (default: the demo's).
WS ?= demo/werkruimte
bench-web: install
	$(BIN)/python -m zicht.web.loadbench --workspace $(WS) --users 50 --seconds 60 --think 1

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
