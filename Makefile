# Chambers: `make run` opens the app, `make test` runs every check, `make bench` measures.
# Both bootstrap everything on a fresh Debian/Ubuntu machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-headless lint bench bundle bundle-check system-deps clean

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

# A one-folder desktop application in dist/chambers/: `chambers` and `chambers-desk` run with no
# Python on the path (LibreOffice, for PDF, is still the system's). See docs/guide-it.md.
bundle: $(STAMP)
	$(PY) -m pip install -q 'pyinstaller>=6.10,<7'
	rm -rf dist/chambers build/pyinstaller
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/chambers.spec
	install -m 0644 packaging/chambers.desktop dist/chambers/chambers.desktop
	install -D -m 0644 resources/seal.png dist/chambers/share/icons/hicolor/256x256/apps/chambers.png
	@echo "Built dist/chambers/ (chambers, chambers-desk, chambers.desktop)"

# The bundle as a desk runs it: no venv, no Python on the path, an empty environment.
bundle-check:
	bash scripts/bundle-check.sh dist/chambers

clean:
	rm -rf $(VENV) $(HEADLESS) .pytest_cache .mypy_cache .ruff_cache out bench/out build dist
