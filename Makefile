# hygie — the two commands of a fresh Debian/Ubuntu machine:
#   make run    installs hygie and runs `hygie audit` on this machine
#   make test   installs what the tests need and runs lint, types and the whole suite
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=

.PHONY: run test venv system-deps test-deps lint typecheck pytest bench clean i18n install-check bundle-check

system-deps:
	scripts/install-system-deps.sh scripts/system-packages.txt

test-deps: system-deps
	scripts/install-system-deps.sh scripts/test-packages.txt

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: system-deps venv
	@# exit 1 means "a measure is critical" (the report says which): a finding, not a failure
	$(VENV)/bin/hygie audit || [ $$? -eq 1 ]

lint: venv
	$(VENV)/bin/ruff check src tests bench scripts packaging
	$(VENV)/bin/ruff format --check src tests bench scripts packaging

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test: test-deps venv lint typecheck pytest

i18n: venv
	$(PY) scripts/i18n.py

bench: venv
	$(PY) bench/audit.py

# Installs as users do (needs the package index; a few minutes): wheels for Windows, macOS and
# Linux x Python 3.11-3.13, then the built wheel with pipx and uv tool (docs/how-to/install.md).
install-check: venv
	$(PY) scripts/install_check.py

# The packaged program built here with PyInstaller (Linux), restic bundled, then smoke-tested.
# The Windows installer and the macOS app are built by .github/workflows/release.yml.
bundle-check:
	scripts/bundle_check.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
