# Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint templates system-deps constraints clean bench bench-small bench-compare same-outputs attack attack-national publish wheel-demo

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

## demo: create .venv, install, run the main job end to end and say where the results are
demo: $(STAMP)
	$(VENV)/bin/kpi demo

AXE := .tools/node_modules/axe-core/axe.min.js

## system-deps: what the tests drive for real: LibreOffice (workbooks), Chromium and axe-core (site)
system-deps: $(AXE)
	@if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! test -x /usr/bin/chromium; then \
	  echo "Installing libreoffice-calc, poppler-utils and chromium (Debian packages) ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc poppler-utils chromium >/dev/null; \
	fi

$(AXE):
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	npm install --prefix .tools --no-audit --no-fund --ignore-scripts --silent axe-core@4.14.1

## lint: ruff (lint and format) and mypy on the package
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## test: install what the tests need (Python and Debian packages) and run everything
test: $(STAMP) system-deps lint
	$(VENV)/bin/kpi templates --check
	$(VENV)/bin/pytest

## templates: regenerate the committed blank templates from the catalogue
templates: $(STAMP)
	$(VENV)/bin/kpi templates

constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^pip==' > constraints.txt

clean:
	rm -rf build site .pytest_cache .mypy_cache .ruff_cache

## bench: national-scale benchmark (150 areas, 300 providers, 8 quarters); table in bench/results/
bench: $(STAMP)
	$(PY) bench/run.py

## bench-compare: kpi compute at national scale, this checkout against the commit before issue 17
bench-compare: $(STAMP)
	$(PY) bench/compare_compute.py

## same-outputs: the demo's every output, this checkout (cold and warm cache) against the last commit
## that changed them on purpose (bench/same_outputs.py BASELINE): byte for byte, HTML after collapsing
## whitespace and the search index left out; what the demo printed is shown as a diff (~2 min)
same-outputs: $(STAMP)
	$(PY) bench/same_outputs.py --html-spacing

## attack: the disclosure attacker on the full demo's published dataset (make demo first; ~5 min)
attack: $(STAMP)
	$(PY) bench/attack.py --csv build/demo/dataset/indicators.csv --store build/demo/store --suppressed-max 4

## attack-national: the attacker on the national benchmark's dataset (make bench-compare first; many
## hours); HiGHS gets TIME_LIMIT seconds a piece (default 600: national pieces are large). Each piece's
## outcome is kept in build/bench/attack-national-pieces/, so a run that is stopped resumes there
TIME_LIMIT ?= 600
attack-national: $(STAMP)
	$(PY) bench/attack.py --csv build/bench/compute-150x2/dataset-new/indicators.csv --store build/bench/compute-150x2/store --registry build/bench/compute-150x2/registry.csv --suppressed-max 4 --time-limit $(TIME_LIMIT) --keep build/bench/attack-national-pieces --out build/bench/results/attack-national.md

## publish: the site from real returns, published only if the disclosure attacker cannot break
## its dataset: make publish STORE=DIR [REGISTRY=CSV] [OUT=build/publish]; deploy OUT/site alone
STORE ?=
REGISTRY ?= data/organisations.csv
OUT ?= build/publish
CONFIG ?= mkdocs.yml
ATTACK = $(PY) bench/attack.py
publish: $(STAMP)
	@test -n "$(STORE)" -a -n "$(OUT)" || { echo "usage: make publish STORE=DIR [REGISTRY=CSV] [OUT=DIR]" >&2; exit 2; }
	@test -d "$(STORE)" || { echo "make publish: no returns store at $(STORE)" >&2; exit 2; }
	@if [ -e "$(OUT)" ] && [ ! -e "$(OUT)/.kpi-publish" ]; then \
	  echo "make publish: $(OUT) exists and is not a folder make publish made; choose a new OUT" >&2; exit 2; fi
	rm -rf "$(OUT)/site" "$(OUT)/site.unchecked" "$(OUT)/dataset" "$(OUT)/attack.md"
	mkdir -p "$(OUT)" && touch "$(OUT)/.kpi-publish"
	$(VENV)/bin/kpi build --store "$(STORE)" --registry "$(REGISTRY)" --dataset "$(OUT)/dataset" --site "$(OUT)/site.unchecked" --config "$(CONFIG)" --cache "$(OUT)/cache.sqlite"
	@echo "Attacking the dataset the site was built from, as an outsider would (the gate) ..."
	@$(ATTACK) --csv "$(OUT)/dataset/indicators.csv" --store "$(STORE)" --registry "$(REGISTRY)" --suppressed-max 4 --out "$(OUT)/attack.md" >/dev/null \
	  || { rm -rf "$(OUT)/site.unchecked"; echo "NOT PUBLISHED: the attacker narrowed a count below 3 values, could not settle one, or found its own model wrong; see $(OUT)/attack.md. Nothing in $(OUT)/site." >&2; exit 1; }
	mv "$(OUT)/site.unchecked" "$(OUT)/site"
	@echo "Passed the gate (report: $(OUT)/attack.md). Deploy $(OUT)/site and nothing else, for example to"
	@echo "a gh-pages branch: $(VENV)/bin/ghp-import --no-jekyll --push --force '$(OUT)/site' (see README, Publishing real data)"

## bench-small: the same benchmark on 2 areas, to keep it working (CI runs it; times are not tested)
bench-small: $(STAMP)
	$(PY) bench/run.py --small --out build/bench/results

## wheel-demo: build the wheel, install it in a fresh virtual environment under build/, and run
## `kpi demo` in an empty folder with it (the installed tool needs no checkout; ~2 min)
wheel-demo: $(STAMP)
	rm -rf build/lib build/bdist.* build/wheel build/wheel-venv
	$(PY) -m pip wheel --quiet --no-deps . -w build/wheel
	python3 -m venv build/wheel-venv
	build/wheel-venv/bin/pip install --quiet -c constraints.txt build/wheel/*.whl
	cd "$$(mktemp -d)" && $(CURDIR)/build/wheel-venv/bin/kpi demo && test -f site/index.html && echo "wheel-demo: the installed kpi built the demo site in $$PWD"
