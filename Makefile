# Chambers: `make run` opens the app, `make test` runs every check, `make bench` measures.
# Both bootstrap everything on a fresh Debian/Ubuntu machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-headless lint bench system-deps clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Chambers needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@bash scripts/system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[gui,test]'
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

run: $(STAMP)
	$(PY) main.py

test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider
	$(MAKE) --no-print-directory test-headless

# Everything outside app/ui must run with PySide6 absent (DESIGN.md rule 6): a second venv
# without PySide6 runs the whole suite but the GUI tests.
HEADLESS := .venv-headless
$(HEADLESS)/.installed: pyproject.toml
	@test -x $(HEADLESS)/bin/python || $(PYTHON) -m venv $(HEADLESS)
	$(HEADLESS)/bin/python -m pip install -q --upgrade pip
	$(HEADLESS)/bin/python -m pip install -q -e '.[test]'
	$(HEADLESS)/bin/python -m pip uninstall -q -y PySide6 PySide6-Essentials PySide6-Addons shiboken6 pytest-qt 2>/dev/null || true
	@touch $@

test-headless: $(HEADLESS)/.installed
	$(HEADLESS)/bin/python -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("PySide6") is not None)'
	CHAMBERS_HEADLESS=1 $(HEADLESS)/bin/python -m pytest -q -p no:cacheprovider -W 'ignore:Unknown config option:pytest.PytestConfigWarning' --ignore=tests/ui -m 'not libreoffice and not postgres'

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench main.py
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(HEADLESS) .pytest_cache .mypy_cache .ruff_cache out bench/out
