# Two commands for a newcomer:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo lint test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every command (propose, check, example, simulate, sweep, serve, token); no test tools.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The same, with the test tools (pytest, schemathesis, playwright, ruff, ...) of the `test` extra.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install  ## install, then propose on the embedded Twente example
	$(BIN)/matcher propose --example twente --out out/twente

lint: $(VENV)/.installed-test  ## ruff and mypy over the whole code base (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint  ## install with the test tools, lint, then run the test suite
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
