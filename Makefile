# Two commands on a fresh machine with Python 3.11+ and make:  make run  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARGS ?=
# extras `make run` adds to the base install: EXTRAS=tls for --tls, redis for --store, dynamic, contract, all
EXTRAS ?=
comma := ,
BASE_STAMP := $(VENV)/.base$(if $(EXTRAS),-$(subst $(comma),-,$(EXTRAS)))-stamp
# pytest-xdist processes for `make test` (JOBS=0: none, in this process)
JOBS ?= 2

.PHONY: run test lint bench bench-compare contract dist lowest clean

$(BASE_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.$(if $(EXTRAS),[$(EXTRAS)])'
	touch $@

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

run: $(BASE_STAMP)  ## start the mock on http://127.0.0.1:4010 (ARGS="--seed 7 --port 8080" to change), base install only
	$(BIN)/sendkit-mock serve $(ARGS)

test: lint  ## lint and types, then every test (unit, api, contract with Schemathesis, end-to-end) on $(JOBS) processes
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal $(ARGS)

lint: $(STAMP)  ## ruff, mypy --strict on the package, and Spectral + Redocly on openapi.yaml (when Node is there)
	$(BIN)/ruff check server tests bench tools
	$(BIN)/mypy
	$(BIN)/python tools/lint_spec.py

contract: $(STAMP)  ## only the Schemathesis suite (SENDKIT_CONTRACT_EXAMPLES=300 to explore further)
	$(BIN)/python -m pytest tests/contract $(ARGS)

bench: $(STAMP)  ## start-up, memory and throughput figures
	$(BIN)/python bench/run.py $(ARGS)

bench-compare: $(STAMP)  ## side by side with Prism 5.14 and Connexion's mock (installs Prism and wrk when missing)
	$(BIN)/python bench/compare.py $(ARGS)

dist:  ## the wheel and the sdist in dist/, as `pip install dist/sendkit_mock-*.whl` takes them
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt build
	$(BIN)/python -m build --outdir dist .

lowest: $(STAMP)  ## the plugin's and the API's tests at the lowest versions pyproject.toml allows (uv, lowest-direct)
	.ci/lowest

clean:
	rm -rf $(VENV) .venv-lowest .pytest_cache .hypothesis dist
