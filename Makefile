# Everything a fresh Debian machine needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
PORT ?= 8000
PEOPLE ?= 5000

.PHONY: run test venv assets migrate demo serve lint format bench bench-deps bench-scale clean browser-deps \
  pdf-deps test-deps

$(BIN)/activate: requirements.txt requirements-dev.txt requirements-s3.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

venv: $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

# fontTools (requirements.txt) cuts the icon font down: the copy runs in the virtualenv.
static/vendor/.stamp: $(BIN)/activate node_modules/.package-lock.json scripts/copy_assets.py
	$(PYTHON) scripts/copy_assets.py
	touch static/vendor/.stamp static/vendor/tabler-icons/.stamp

# The icon font holds the icons the sources name: cut again when a source changes.
ICON_SOURCES := $(shell find citygrid static/citygrid static/portal static/mobile -type f \
  \( -name '*.html' -o -name '*.py' -o -name '*.js' -o -name '*.css' \) -not -path '*/tests/*')
static/vendor/tabler-icons/.stamp: $(ICON_SOURCES) | static/vendor/.stamp
	$(PYTHON) scripts/copy_assets.py --icons
	touch static/vendor/tabler-icons/.stamp

assets: static/vendor/.stamp static/vendor/tabler-icons/.stamp

migrate: venv
	mkdir -p var
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py createcachetable

demo: migrate
	$(PYTHON) manage.py seed_demo --if-empty --people $(PEOPLE)

# Install, migrate, load the demo city, start the task worker and the scheduler that queues the
# periodic jobs (deadline sweep, pruning of expired import and export files, population
# statistics snapshots, case-number sequences, failing jobs whose worker stopped:
# settings.PERIODIC_JOBS), and serve on 127.0.0.1:8000.
run: venv assets demo
	@$(MAKE) --no-print-directory pdf-deps || \
	  echo "CityGrid: without $(PDF_FONT) (fonts-noto-cjk) no 调解协议书 PDF can be generated"
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0
	@$(PYTHON) manage.py demo_accounts
	@echo "CityGrid: http://127.0.0.1:$(PORT)/"
	$(PYTHON) manage.py db_worker --queue-name default & \
	  WORKER=$$!; \
	  $(PYTHON) manage.py run_periodic > var/periodic.log 2>&1 & \
	  PERIODIC=$$!; trap "kill $$WORKER $$PERIODIC 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/gunicorn citygrid.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
	    --timeout 120 --access-logfile -

# The whole suite on SQLite, and on PostgreSQL too when DATABASE_URL points to one.
test: venv assets test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile

# Browser tests need Debian's Chromium (never a downloaded browser).
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# The Chinese font of generated PDFs (调解协议书, core/pdf.py): CITYGRID_PDF_FONT, by default
# a collection from Debian's fonts-noto-cjk (never a font fetched by hand).
PDF_FONT := $(or $(CITYGRID_PDF_FONT),/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc)
pdf-deps:
	@test -f "$(PDF_FONT)" || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk)

# What the tests need besides Python: the PDF font, and pdftotext (poppler-utils) to read the
# generated PDFs back.
test-deps: pdf-deps
	@command -v pdftotext >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv bench-deps
	$(PYTHON) -m bench

# Issue 11's pages on an already seeded PostgreSQL city: BENCH_SCALE_DB (default citygrid_10m),
# seeded with `manage.py seed_demo --people N` (docs/performance.md).
bench-scale: venv bench-deps
	$(PYTHON) -m bench scale

# The load benchmarks drive gunicorn with wrk (Debian's package).
bench-deps:
	@command -v wrk >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

clean:
	rm -rf $(VENV) node_modules static/vendor var
