# dxscore: every target bootstraps .venv on first use, so a clean clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck bench clean browser reports proxy

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==25.3
	$(BIN)/python -m pip install -q -e '.[dev,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dxscore demo

test: $(STAMP) browser reports proxy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

# headless Chromium for the browser test, from Debian's packages, when it is missing
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: 'sudo make browser' installs it (the browser test skips)"; fi; }

# WeasyPrint's Pango, pdftotext (report tests) and the Noto fonts for Arabic and Devanagari
# (pages and PDFs in ar and hi), from Debian's packages, when missing
reports:
	@{ command -v pdftotext >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2-1.0 \
	   && test -f /usr/share/fonts/truetype/noto/NotoSansArabicUI-Regular.ttf; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-ui-core >/dev/null; \
	  else echo "pdftotext or Pango is missing: 'sudo make reports' installs them"; fi; }

# nginx for the reverse-proxy test (a real proxy on loopback), from Debian's packages, when
# missing; the package's own service is not needed (the test starts its own nginx)
proxy:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing: 'sudo make proxy' installs it (the reverse-proxy test skips)"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# mypy, strict, on the pure libraries listed in pyproject.toml ([tool.mypy] files)
typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build src/*.egg-info
