# Reco: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi

.PHONY: run test bench agent install install-test translations typography extract-messages vendor-zxing

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

# French typography of the catalogue: a no-break space before : ; ? ! and inside « » (only spaces change).
typography: install
	$(BIN)/python -m reco.core.typography

translations: install typography
	$(BIN)/pybabel compile -d reco/translations

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o reco/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i reco/translations/messages.pot -d reco/translations --ignore-obsolete

run: install translations
	$(FLASK) reco init-db
	$(FLASK) reco update-communes
	$(FLASK) reco demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install-test translations
	$(BIN)/pytest

# The bench agent as one file for the live USB stick: reco/agent copied as the top-level package reco_agent
# (without Reco itself, which needs Flask), run by the live system's python3.
AGENT_PYZ ?= dist/reco-agent.pyz
agent:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		cp -r reco/agent "$$tmp/reco_agent" && rm -rf "$$tmp/reco_agent/live" && \
		find "$$tmp" -name __pycache__ -prune -exec rm -rf {} + && \
		mkdir -p "$$(dirname $(AGENT_PYZ))" && \
		printf 'import sys\nfrom reco_agent.cli import main\nsys.exit(main())\n' > "$$tmp/__main__.py" && \
		$(PYTHON) -m zipapp "$$tmp" -p '/usr/bin/env python3' -o $(AGENT_PYZ) && \
		echo "$(AGENT_PYZ)"

bench: install-test translations
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	RECO_BENCH_DATABASE_URL=$${RECO_BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m bench.inventory_import 10000
	$(BIN)/python -m bench.labels
	$(BIN)/python -m bench.agent
	$(BIN)/python -m bench.network
	$(BIN)/python -m bench.profile

# The barcode reader the camera scan falls back on where the browser has no BarcodeDetector: zxing-wasm's reader
# (JavaScript and WebAssembly, built by its authors), fetched from the npm registry and served by Reco itself.
ZXING_WASM_VERSION ?= 3.1.8
ZXING_DIR = reco/static/vendor/zxing-wasm
vendor-zxing:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd "$$tmp" && npm pack -q zxing-wasm@$(ZXING_WASM_VERSION) >/dev/null && tar xzf zxing-wasm-*.tgz) && \
		mkdir -p $(ZXING_DIR) && \
		cp "$$tmp/package/dist/iife/reader/index.js" $(ZXING_DIR)/zxing_reader.js && \
		cp "$$tmp/package/dist/reader/zxing_reader.wasm" "$$tmp/package/LICENSE" $(ZXING_DIR)/ && \
		(cd $(ZXING_DIR) && sha256sum zxing_reader.js zxing_reader.wasm > SHA256SUMS) && \
		echo "zxing-wasm $(ZXING_WASM_VERSION) in $(ZXING_DIR): update its version in reco/static/vendor/README.md"
